//! Check digits of the individual number (個人番号, 12 digits, check digit last) and the
//! corporate number (法人番号, 13 digits, check digit first).
//!
//! 個人番号 (総務省令第八十五号 第五条): check = 11 − (Σ Pn·Qn mod 11), 0 when the remainder is
//! ≤ 1; Pn is the n-th digit of the 11-digit base counted from the least significant digit,
//! Qn = n + 1 for n ≤ 6 and n − 5 for n ≥ 7 (left to right: 6,5,4,3,2,7,6,5,4,3,2).
//!
//! 法人番号 (財務省令第七十号 第二条): check = 9 − (Σ Pn·Qn mod 9) over the 12-digit base,
//! Qn = 1 for odd n and 2 for even n counted from the least significant digit; always 1–9.

/// Weights of the individual number's 11 base digits, left to right.
const INDIVIDUAL_WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// The check digit for an 11-digit individual-number base (each element 0–9).
pub fn individual_check_digit(base: &[u8; 11]) -> u8 {
    let sum: u32 = base
        .iter()
        .zip(INDIVIDUAL_WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let r = sum % 11;
    if r <= 1 { 0 } else { (11 - r) as u8 }
}

/// Whether 12 digits (each 0–9) form a valid individual number.
pub fn is_valid_individual(d: &[u8; 12]) -> bool {
    let mut base = [0u8; 11];
    base.copy_from_slice(&d[..11]);
    d.iter().all(|x| *x <= 9) && individual_check_digit(&base) == d[11]
}

/// The check digit for a 12-digit corporate-number base (each element 0–9).
pub fn corporate_check_digit(base: &[u8; 12]) -> u8 {
    // Counted from the least significant digit, odd positions weigh 1 and even positions 2;
    // left to right over 12 digits that is 2,1,2,1,…,2,1.
    let sum: u32 = base
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 2 } else { 1 })
        .sum();
    (9 - sum % 9) as u8
}

/// Whether 13 digits (each 0–9) form a valid corporate number.
pub fn is_valid_corporate(d: &[u8; 13]) -> bool {
    let mut base = [0u8; 12];
    base.copy_from_slice(&d[1..]);
    d.iter().all(|x| *x <= 9) && corporate_check_digit(&base) == d[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits<const N: usize>(s: &str) -> [u8; N] {
        let v: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        v.try_into().unwrap()
    }

    #[test]
    fn individual_vectors() {
        for ok in [
            "621498320257",
            "123456789018",
            "111111111118",
            "000111111111",
            "465281266333",
        ] {
            assert!(is_valid_individual(&digits(ok)), "{ok}");
        }
        for bad in ["621498320258", "123456789019"] {
            assert!(!is_valid_individual(&digits(bad)), "{bad}");
        }
        assert_eq!(individual_check_digit(&digits("12345678901")), 8);
    }

    #[test]
    fn corporate_vectors() {
        for ok in [
            "5835678256246",
            "7123456789012",
            "4011001098993",
            "2120901007402",
            "1180301018771",
        ] {
            assert!(is_valid_corporate(&digits(ok)), "{ok}");
        }
        assert!(!is_valid_corporate(&digits("2835678256246")));
        // A leading 0 is never valid: the check digit is always 1–9.
        assert!(!is_valid_corporate(&digits("0000000000000")));
    }
}
