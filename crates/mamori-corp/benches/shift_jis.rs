//! UTF-8 → Shift_JIS encoding speed of [`mamori_corp::csv::encode_shift_jis`] on NTA rows
//! (not a timed test; results in docs/benchmarks.md).
//!
//! ```sh
//! cargo run --release -p xtask -- corp-data target/corp 5800000 --no-xml
//! cargo bench -p mamori-corp --bench shift_jis -- target/corp/00_zenkoku_all_20260529.csv
//! ```
//!
//! Takes the first rows of the 全件 file up to about 180 KB (the size of a Web-API answer
//! of 2,000 rows' first divide, 880 rows on average) and encodes them repeatedly with the
//! text in cache, then compares with encoding_rs's own encoder on the same text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::time::Instant;

use encoding_rs::SHIFT_JIS;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: shift_jis FILE (a 全件 CSV, UTF-8)");
    let mut text = String::new();
    for line in BufReader::new(std::fs::File::open(&path).unwrap()).lines() {
        text.push_str(&line.unwrap());
        text.push_str("\r\n");
        if text.len() > 180_000 {
            break;
        }
    }
    let rows = text.matches('\n').count();
    let rounds = 2000;
    let mut out = Vec::with_capacity(text.len());
    let t = Instant::now();
    for _ in 0..rounds {
        out.clear();
        mamori_corp::csv::encode_shift_jis(std::hint::black_box(&text), &mut out);
    }
    let ours = t.elapsed().as_secs_f64() / f64::from(rounds);
    let t = Instant::now();
    let mut theirs_len = 0;
    for _ in 0..rounds / 10 {
        let (b, _, _) = SHIFT_JIS.encode(std::hint::black_box(&text));
        theirs_len = b.len();
    }
    let theirs = t.elapsed().as_secs_f64() / f64::from(rounds / 10);
    assert_eq!(theirs_len, out.len(), "the same text, the same length");
    println!(
        "{rows} rows, {} bytes UTF-8 → {} bytes Shift_JIS, in cache, single thread:\n",
        text.len(),
        out.len()
    );
    println!("| encoder | µs per pass | ns per byte | ns per row |");
    println!("|---|---|---|---|");
    for (name, s) in [
        ("`encode_shift_jis`", ours),
        ("encoding_rs `SHIFT_JIS.encode`", theirs),
    ] {
        println!(
            "| {name} | {:.1} | {:.2} | {:.0} |",
            s * 1e6,
            s * 1e9 / text.len() as f64,
            s * 1e9 / rows as f64
        );
    }
}
