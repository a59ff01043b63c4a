//! Any bytes as a saved name index (`<data dir>/corp/index.bin`): read with the stamp it
//! carries, then searched in every mode and order. A damaged file is an error, never a
//! panic, and an index that reads back can be searched without going out of bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_corp::{Mode, Query, Sort, read_stamp, read_stored};

fuzz_target!(|data: &[u8]| {
    let Ok(stamp) = read_stamp(&mut &data[..]) else {
        return;
    };
    let Ok(stored) = read_stored(data, &stamp) else {
        return;
    };
    for c in 0..stored.offsets.len().min(4) {
        let _ = stored.rows_range(c as u32);
    }
    for name in ["", "ア", "アオ", "アオバ", "株式会社", "サービス"] {
        for mode in [Mode::Prefix, Mode::Partial, Mode::Exact] {
            for sort in [Sort::Relevance, Sort::Gojuon, Sort::Region, Sort::Assigned] {
                for past in [false, true] {
                    let _ = stored.index.search(&Query {
                        name: name.into(),
                        mode,
                        sort,
                        include_past: past,
                        include_closed: past,
                        limit: 5,
                        ..Query::default()
                    });
                }
            }
        }
        let _ = stored.index.search(&Query {
            name: name.into(),
            furigana: true,
            sort: Sort::Gojuon,
            limit: 5,
            ..Query::default()
        });
    }
});
