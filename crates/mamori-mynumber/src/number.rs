//! Checking numbers typed or pasted by a person (`mamori mynumber check`).

use serde::Serialize;

use crate::checkdigit::{is_valid_corporate, is_valid_individual};
use crate::keyed::mask;
use crate::matcher::Kind;

/// The verdict on one input line. Holds only the masked form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    pub kind: Option<Kind>,
    pub valid: bool,
    /// Masked digits (last four shown); empty when the input had no digits.
    pub masked: String,
    /// Why the input is not a valid number, if it is not.
    pub reason: Option<&'static str>,
}

/// Checks one number: 12 digits → 個人番号, 13 digits → 法人番号. Accepts full-width digits and
/// the usual separators (spaces, hyphens, dots, full-width forms).
pub fn check_number(input: &str) -> CheckOutcome {
    let mut digits = Vec::with_capacity(13);
    for c in input.trim().chars() {
        match c {
            '0'..='9' => digits.push(c as u8 - b'0'),
            '０'..='９' => digits.push((u32::from(c) - u32::from('０')) as u8),
            ' ' | '-' | '.' | '　' | '－' | 'ー' | '‐' | '‑' | '−' | '．' => {}
            _ => {
                return CheckOutcome {
                    kind: None,
                    valid: false,
                    masked: mask(&digits),
                    reason: Some("contains characters other than digits and separators"),
                };
            }
        }
        if digits.len() > 13 {
            return CheckOutcome {
                kind: None,
                valid: false,
                masked: String::new(),
                reason: Some("too many digits (expected 12 or 13)"),
            };
        }
    }
    let masked = mask(&digits);
    match digits.len() {
        12 => {
            let mut d = [0u8; 12];
            d.copy_from_slice(&digits);
            let valid = is_valid_individual(&d);
            CheckOutcome {
                kind: Some(Kind::Individual),
                valid,
                masked,
                reason: (!valid).then_some("check digit does not match"),
            }
        }
        13 => {
            let mut d = [0u8; 13];
            d.copy_from_slice(&digits);
            let valid = is_valid_corporate(&d);
            CheckOutcome {
                kind: Some(Kind::Corporate),
                valid,
                masked,
                reason: (!valid).then_some("check digit does not match"),
            }
        }
        0 => CheckOutcome {
            kind: None,
            valid: false,
            masked,
            reason: Some("no digits"),
        },
        _ => CheckOutcome {
            kind: None,
            valid: false,
            masked,
            reason: Some("wrong number of digits (expected 12 or 13)"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_typed_numbers() {
        let ok = check_number("６２１４－９８３２－０２５７");
        assert_eq!(
            (ok.kind, ok.valid, ok.masked.as_str()),
            (Some(Kind::Individual), true, "********0257")
        );
        assert!(check_number("4652 8126 6333").valid);
        assert!(check_number("5835678256246").valid);
        assert_eq!(
            check_number("2835678256246").reason,
            Some("check digit does not match")
        );
        assert_eq!(
            check_number("12345").reason,
            Some("wrong number of digits (expected 12 or 13)")
        );
        assert_eq!(
            check_number("abc").reason,
            Some("contains characters other than digits and separators")
        );
        assert_eq!(check_number("").reason, Some("no digits"));
        assert_eq!(check_number("12345678901234567").masked, "");
    }
}
