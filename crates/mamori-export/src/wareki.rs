//! Japanese era dates (和暦), printed alongside ISO dates in reports.

use jiff::civil::{Date, date};

/// Era names with their first day, newest first.
const ERAS: [(&str, i16, i8, i8); 4] = [
    ("令和", 2019, 5, 1),
    ("平成", 1989, 1, 8),
    ("昭和", 1926, 12, 25),
    ("大正", 1912, 7, 30),
];

/// `令和8年11月23日`; the first year of an era is written 元年. Dates before 大正 fall back
/// to the Western year.
pub fn wareki(d: Date) -> String {
    for (name, y, m, day) in ERAS {
        if d >= date(y, m, day) {
            let n = d.year() - y + 1;
            let year = if n == 1 {
                "元".to_owned()
            } else {
                n.to_string()
            };
            return format!("{name}{year}年{}月{}日", d.month(), d.day());
        }
    }
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2026-11-23（令和8年11月23日）`.
pub fn date_with_wareki(d: Date) -> String {
    format!("{d}（{}）", wareki(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_era_boundaries() {
        assert_eq!(wareki(date(2026, 11, 23)), "令和8年11月23日");
        assert_eq!(wareki(date(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(wareki(date(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(wareki(date(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(wareki(date(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(wareki(date(1900, 1, 1)), "1900年1月1日");
        assert_eq!(
            date_with_wareki(date(2025, 3, 28)),
            "2025-03-28（令和7年3月28日）"
        );
    }
}
