//! Scanner throughput on real-sized inputs (a bench binary, not a test).
//!
//!   cargo run --release -p xtask -- bench-data target/bench 256
//!   cargo bench -p mamori-mynumber --bench scan -- target/bench/sparse.txt target/bench/dense.csv
//!
//! For each file: single-thread throughput of the text scanner over the file held in memory
//! (best and median of 5 runs), the same on two threads (each scanning a copy), and the time
//! `rg -c '[0-9]{12}'` takes on the same file as a ceiling for comparison.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use mamori_mynumber::{HashKey, Keywords, Scanner, TextOptions, TextStream};

fn scan(scanner: &Scanner, data: &[u8], delimited: Option<u8>) -> usize {
    let mut st = TextStream::new(scanner, TextOptions { delimited });
    let mut out = Vec::new();
    let mut n = 0;
    for chunk in data.chunks(256 << 10) {
        st.push(chunk, &mut out);
        n += out.len();
        out.clear();
    }
    st.finish(&mut out);
    n + out.len()
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

fn main() {
    let files: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if files.is_empty() {
        eprintln!("usage: cargo bench -p mamori-mynumber --bench scan -- FILE...");
        eprintln!(
            "(make inputs with: cargo run --release -p xtask -- bench-data target/bench 256)"
        );
        return;
    }
    let scanner = Scanner::new(HashKey::new([9; 32]), &Keywords::default());
    for f in files {
        // `cargo bench` runs in the crate's folder: relative paths are taken from the
        // workspace root, where the commands above are typed.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let f = if std::path::Path::new(&f).exists() {
            f
        } else {
            root.join(&f).display().to_string()
        };
        let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{f}: {e}"));
        let delimited = f.ends_with(".csv").then_some(b',');
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..5 {
            let t = Instant::now();
            found = scan(&scanner, &data, delimited);
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        // Two threads, each scanning a whole copy (as two files of a share): speed-up is how
        // much more work two cores do in the same time.
        let mut par = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let n = std::thread::scope(|s| {
                let h = s.spawn(|| scan(&scanner, &data, delimited));
                let m = scan(&scanner, &data, delimited);
                h.join().unwrap() + m
            });
            par.push(t.elapsed().as_secs_f64() / 2.0);
            assert_eq!(n, 2 * found);
        }
        par.sort_by(f64::total_cmp);
        let rg = std::process::Command::new("rg")
            .args(["-c", "[0-9]{12}", &f])
            .output()
            .ok()
            .map(|_| {
                let mut best = f64::MAX;
                for _ in 0..3 {
                    let t = Instant::now();
                    let _ = std::process::Command::new("rg")
                        .args(["-c", "[0-9]{12}", &f])
                        .output();
                    best = best.min(t.elapsed().as_secs_f64());
                }
                best
            });
        println!(
            "{f}: {:.1} MB, {found} findings\n  1 thread : best {:.0} MB/s, median {:.0} MB/s\n  2 threads: best {:.0} MB/s (speed-up {:.2}x)\n  rg -c '[0-9]{{12}}': {}",
            data.len() as f64 / 1e6,
            mbps(data.len(), times[0]),
            mbps(data.len(), times[2]),
            mbps(data.len(), par[0]),
            times[0] / par[0],
            rg.map_or("not installed".to_owned(), |t| format!(
                "{:.3} s = {:.0} MB/s",
                t,
                mbps(data.len(), t)
            )),
        );
    }
}
