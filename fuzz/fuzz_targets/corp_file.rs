//! Any bytes as an NTA 法人番号 file: CSV (any encoding) and XML readers, the registry built
//! from what they read, a difference applied to it, the index and a search, the 全件 written
//! again. Diagnostics, never a panic; what is read is written back and read again the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_corp::{Index, Mode, Query, Registry, TextEncoding, read_csv, read_xml};

fuzz_target!(|data: &[u8]| {
    let Ok(csv) = read_csv(data) else {
        return;
    };
    if let Ok(xml) = read_xml(data) {
        let _ = xml.rows.len();
    }
    let mut reg = Registry::from_rows(csv.rows.clone());
    let _ = reg.apply_diff(&csv.rows, None);
    let ix = Index::build(&reg);
    let name = csv.rows.first().map(|r| r.name.clone()).unwrap_or_default();
    for mode in [Mode::Prefix, Mode::Partial, Mode::Exact] {
        let _ = ix.search(&Query {
            name: name.clone(),
            mode,
            limit: 5,
            include_past: true,
            ..Query::default()
        });
    }
    let out = reg.write_csv(Vec::new(), TextEncoding::Utf8, false).unwrap_or_default();
    let (again, diags) = Registry::read(out.as_slice()).unwrap_or_default();
    assert!(diags.is_empty(), "the written registry reads back cleanly");
    assert_eq!(again.row_count(), reg.row_count());
});
