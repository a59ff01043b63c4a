//! Any bytes as a file of any supported format (the name picks the format): the scanner
//! reports findings or reasons, never panics, and never emits an unmasked number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_mynumber::{FileScanner, HashKey, Keywords, Limits, Scanner};

const NAMES: [&str; 10] = [
    "a.txt", "a.csv", "a.tsv", "a.xlsx", "a.xls", "a.ods", "a.docx", "a.pptx", "a.zip", "a.bin",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let scanner = Scanner::new(HashKey::new([1; 32]), &Keywords::default());
    let fs = FileScanner {
        scanner: &scanner,
        limits: Limits { max_file_size: 1 << 20, max_archive_total: 4 << 20, ..Limits::default() },
        pdf: None,
    };
    let mut reader = body;
    let out = fs.scan(name, &mut reader, body.len() as u64);
    for f in out.findings {
        assert!(f.finding.masked.starts_with('*'));
    }
});
