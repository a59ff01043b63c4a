//! Scanner tests on text: positions, context, streaming across chunk boundaries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mamori_mynumber::*;

fn scanner() -> Scanner {
    Scanner::new(HashKey::new([7; 32]), &Keywords::default())
}

fn scan(text: &str, opts: TextOptions, chunk: usize) -> Vec<Finding> {
    let s = scanner();
    let mut st = TextStream::new(&s, opts);
    let mut out = Vec::new();
    for c in text.as_bytes().chunks(chunk.max(1)) {
        st.push(c, &mut out);
    }
    st.finish(&mut out);
    out
}

fn brief(f: &Finding) -> String {
    format!(
        "{} {:?} {:?} {:?} {} {}",
        f.location,
        f.kind,
        f.confidence,
        f.evidence,
        f.masked,
        if f.fullwidth { "fw" } else { "" }
    )
}

#[test]
fn positions_context_and_confidence() {
    let text = "氏名,備考\n山田,マイナンバーは 6214-9832-0257 です\n電話 621498320257\n\n無関係 123456789018\n法人番号 5835678256246\n\nＴ5835678256246\n個人番号\n465281266333\n";
    let got: Vec<String> = scan(text, TextOptions::default(), 1 << 20)
        .iter()
        .map(brief)
        .collect();
    assert_eq!(
        got,
        [
            "2:12 Individual High Keyword ********0257 ",
            "3:4 Individual Low NegativeCue ********0257 ",
            "5:5 Individual Low None ********9018 ",
            "6:6 Corporate High Keyword *********6246 ",
            "8:2 Corporate Low None *********6246 ",
            "10:1 Individual High Keyword ********6333 ",
        ]
    );
}

#[test]
fn csv_header_is_context_for_the_column() {
    let text = "社員番号,氏名,個人番号,電話\n1001,山田,621498320257,0312345678\n1002,\"佐藤, 花子\",123456789018,465281266333\n";
    let got: Vec<String> = scan(
        text,
        TextOptions {
            delimited: Some(b','),
        },
        1 << 20,
    )
    .iter()
    .map(brief)
    .collect();
    assert_eq!(
        got,
        [
            "2:9 Individual High Header ********0257 ",
            "3:15 Individual High Header ********9018 ",
            "3:28 Individual Low None ********6333 ",
        ]
    );
}

#[test]
fn chunk_boundaries_do_not_change_results() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            "行{i} 個人番号：６２１４－９８３２－０２５７、電話03-1234-5678、ID x{i}\n"
        ));
        text.push_str("あいうえお 123456789018 かきくけこ\n");
    }
    let whole: Vec<String> = scan(&text, TextOptions::default(), 1 << 20)
        .iter()
        .map(brief)
        .collect();
    assert_eq!(whole.len(), 600);
    for chunk in [1, 2, 3, 7, 64, 1000, 4096] {
        let got: Vec<String> = scan(&text, TextOptions::default(), chunk)
            .iter()
            .map(brief)
            .collect();
        assert_eq!(got, whole, "chunk size {chunk}");
    }
}

#[test]
fn numeric_cells() {
    let s = scanner();
    let loc = || Location::Cell {
        sheet: "S".into(),
        cell: "A1".into(),
    };
    let f = s
        .scan_numeric_cell(621498320257.0, |_| false, loc())
        .unwrap();
    assert_eq!(
        (f.kind, f.shape, f.confidence),
        (Kind::Individual, Shape::NumericCell, Confidence::Low)
    );
    let f = s
        .scan_numeric_cell(621498320257.0, |k| k == Kind::Individual, loc())
        .unwrap();
    assert_eq!(f.confidence, Confidence::High);
    // 000111111111 stored as a number loses its zeros: 111111111 has 9 digits, not a candidate;
    // 011111111116 → 11111111116 (11 digits) is padded back.
    let padded = "011111111116";
    let d: Vec<u8> = padded.bytes().map(|b| b - b'0').collect();
    let valid = is_valid_individual(&d.clone().try_into().unwrap());
    let f = s.scan_numeric_cell(11111111116.0, |_| false, loc());
    assert_eq!(f.is_some(), valid);
    if let Some(f) = f {
        assert_eq!(
            (f.shape, f.confidence),
            (Shape::PaddedCell, Confidence::Low)
        );
        assert_eq!(f.masked, "********1116");
    }
    assert!(
        s.scan_numeric_cell(5835678256246.0, |_| false, loc())
            .is_some()
    );
    assert!(
        s.scan_numeric_cell(621498320257.5, |_| false, loc())
            .is_none()
    );
    assert!(
        s.scan_numeric_cell(-621498320257.0, |_| false, loc())
            .is_none()
    );
    assert!(s.scan_numeric_cell(f64::NAN, |_| false, loc()).is_none());
}

#[test]
fn findings_never_hold_the_full_number() {
    let text = "個人番号 621498320257 / 6214-9832-0257 / ６２１４９８３２０２５７ / 法人番号 5835678256246";
    let found = scan(text, TextOptions::default(), 5);
    assert_eq!(found.len(), 4);
    let json = serde_json::to_string(&found).unwrap();
    for full in [
        "621498320257",
        "6214-9832-0257",
        "５８３５６７８２５６２４６",
        "5835678256246",
        "62149832",
    ] {
        assert!(!json.contains(full), "{full} leaked: {json}");
    }
    let debug = format!("{found:?}");
    assert!(!debug.contains("621498320257"));
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// An independent implementation of the 個人番号 formula, as the statute words it:
    /// Pn is the n-th digit from the least significant end, Qn = n+1 (n ≤ 6) or n−5 (n ≥ 7).
    fn statute_individual(base: &[u8; 11]) -> u8 {
        let mut sum = 0u32;
        for n in 1..=11usize {
            let p = u32::from(base[11 - n]);
            let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
            sum += p * q;
        }
        let r = sum % 11;
        if r <= 1 { 0 } else { (11 - r) as u8 }
    }

    /// 法人番号: Qn = 1 for odd n, 2 for even n, from the least significant digit.
    fn statute_corporate(base: &[u8; 12]) -> u8 {
        let mut sum = 0u32;
        for n in 1..=12usize {
            let p = u32::from(base[12 - n]);
            let q = if n % 2 == 1 { 1 } else { 2 };
            sum += p * q;
        }
        (9 - sum % 9) as u8
    }

    proptest! {
        #[test]
        fn individual_matches_statute(base in proptest::array::uniform11(0u8..10)) {
            prop_assert_eq!(individual_check_digit(&base), statute_individual(&base));
        }

        #[test]
        fn corporate_matches_statute(base in proptest::array::uniform12(0u8..10)) {
            prop_assert_eq!(corporate_check_digit(&base), statute_corporate(&base));
        }

        #[test]
        fn scanning_never_panics_and_never_leaks(s in "\\PC{0,200}") {
            let found = scan(&s, TextOptions { delimited: Some(b',') }, 7);
            for f in found {
                prop_assert!(f.masked.starts_with('*'));
            }
        }

        #[test]
        fn every_valid_number_in_plain_text_is_found(base in proptest::array::uniform11(0u8..10), pad in "[あ-ん]{0,5}") {
            let check = individual_check_digit(&base);
            let digits: String = base.iter().chain(std::iter::once(&check)).map(|d| char::from(b'0' + d)).collect();
            let text = format!("{pad} {digits} {pad}");
            let found = scan(&text, TextOptions::default(), 3);
            prop_assert_eq!(found.len(), 1);
            prop_assert_eq!(&found[0].masked[8..], &digits[8..]);
        }
    }
}

#[test]
fn a_workbook_declaring_a_huge_range_costs_only_its_cells() {
    // Two cells at opposite corners of the largest sheet Excel allows: reading the used range
    // as a grid would need 17 billion cells; streaming reads two.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write(0, 0, "個人番号").unwrap();
    ws.write(1, 0, "621498320257").unwrap();
    ws.write(1_048_575, 16_383, "end").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let s = scanner();
    let fs = FileScanner {
        scanner: &s,
        limits: Limits::default(),
        pdf: None,
    };
    let out = fs.scan("huge.xlsx", &mut bytes.as_slice(), bytes.len() as u64);
    assert!(out.not_scanned.is_empty(), "{:?}", out.not_scanned);
    let got: Vec<String> = out
        .findings
        .iter()
        .map(|f| format!("{} {:?}", f.finding.location, f.finding.confidence))
        .collect();
    assert_eq!(got, ["Sheet1!A2 High"]);
}
