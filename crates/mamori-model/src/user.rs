//! Account rules: user names, display names and passwords.

use crate::FieldError;

/// The fewest characters a password may have. Long pass phrases beat composition rules
/// (NIST SP 800-63B 3.1.1.2); 12 is the floor this product sets for accounts that see audit
/// evidence.
pub const PASSWORD_MIN: usize = 12;
/// Argon2 accepts more, but nobody types more; a cap keeps hashing cheap under attack.
pub const PASSWORD_MAX: usize = 256;

/// `yamada.taro`: 2–32 of a–z, 0–9, `.`, `_`, `-`, starting with a letter.
pub fn validate_username(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new("username", "required"));
    }
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let starts = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !(2..=32).contains(&s.len()) || !ok_chars || !starts {
        return Err(FieldError::new("username", "username_format"));
    }
    Ok(s.to_owned())
}

pub fn validate_display_name(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new("display_name", "required"));
    }
    if s.chars().count() > 64 {
        return Err(FieldError::new("display_name", "too_long"));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new("display_name", "control_characters"));
    }
    Ok(s.to_owned())
}

/// Checks a new password (in field `field`) against the account's user name.
pub fn validate_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(FieldError::new(field, "password_too_short"));
    }
    if n > PASSWORD_MAX {
        return Err(FieldError::new(field, "too_long"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(field, "password_contains_username"));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(FieldError::new(field, "password_repetitive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(validate_username(" sato.hanako ").unwrap(), "sato.hanako");
        for bad in [
            "",
            "a",
            "Sato",
            "1abc",
            "sato hanako",
            "佐藤",
            &"a".repeat(33),
        ] {
            assert!(validate_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(validate_password("password", "correct horse battery", "sato").is_ok());
        let code = |p: &str| validate_password("password", p, "sato").unwrap_err().code;
        assert_eq!(code("short"), "password_too_short");
        assert_eq!(code("my-name-is-SATO-ok"), "password_contains_username");
        assert_eq!(code("aaaaaaaaaaaaaaaa"), "password_repetitive");
        assert_eq!(code(&"x1".repeat(200)), "too_long");
    }
}
