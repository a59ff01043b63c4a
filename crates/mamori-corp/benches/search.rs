//! Load, index and search at registry scale (not a timed test; results in
//! docs/benchmarks.md).
//!
//! ```sh
//! cargo run --release -p xtask -- corp-data target/corp 5800000 --no-xml
//! cargo bench -p mamori-corp --bench search -- target/corp/00_zenkoku_all_20260529.csv [QUERIES]
//! ```
//!
//! Reads the 全件 file into a [`Registry`] (as `mamori corp import` does), builds the
//! [`Index`], then runs QUERIES (default 20,000) of each kind, drawn deterministically from
//! the registry's own names: name prefixes of 2–4 characters, partial names (3 characters
//! from inside a name), exact names, フリガナ prefixes, and lookups of one number. Each kind
//! reports p50 / p99 / max latency, single thread, first page of 20 with the total count
//! (and name prefixes once more with a page of 2,000, the Web-API's divide).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufReader;
use std::time::{Duration, Instant};

use mamori_corp::{Index, Mode, Query, Registry, Sort, fold_name};

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let path = args
        .first()
        .expect("usage: search FILE.csv [QUERIES] (see the module docs)");
    let queries: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);

    let t = Instant::now();
    let f = std::fs::File::open(path).unwrap();
    let bytes = f.metadata().unwrap().len();
    let (reg, diags) = Registry::read(BufReader::with_capacity(1 << 20, f)).unwrap();
    let load = t.elapsed();
    assert!(diags.is_empty(), "{} bad rows", diags.len());
    let t = Instant::now();
    let ix = Index::build(&reg);
    let build = t.elapsed();
    println!(
        "registry: {} corporations, {} rows, {:.0} MB read in {:.1} s ({:.0} MB/s)",
        reg.len(),
        reg.row_count(),
        bytes as f64 / 1e6,
        load.as_secs_f64(),
        bytes as f64 / 1e6 / load.as_secs_f64()
    );
    println!(
        "index: {} names in {:.1} s, {:.0} MB",
        ix.doc_count(),
        build.as_secs_f64(),
        ix.heap_bytes() as f64 / 1e6
    );

    // Sample names and readings from the registry itself.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut samples = Vec::new();
    for _ in 0..queries {
        let i = rng.below(reg.len());
        let (n, _) = reg.corporation_rows(i).unwrap();
        samples.push(reg.latest(&n).unwrap());
    }
    let take =
        |s: &str, from: usize, k: usize| -> String { s.chars().skip(from).take(k).collect() };
    let mut kinds: Vec<(&str, Vec<Duration>, usize)> = Vec::new();
    let mut run =
        |label: &'static str,
         make: &mut dyn FnMut(&mamori_corp::Corporation, &mut Rng) -> Option<Query>| {
            let mut times = Vec::with_capacity(samples.len());
            let mut hits = 0usize;
            let mut r = Rng(42);
            for c in &samples {
                let Some(q) = make(c, &mut r) else { continue };
                let t = Instant::now();
                let res = ix.search(&q);
                times.push(t.elapsed());
                hits += res.total;
            }
            kinds.push((label, times, hits));
        };
    let page = |name: String, mode: Mode| Query {
        name,
        mode,
        include_closed: true,
        sort: Sort::Relevance,
        limit: 20,
        ..Query::default()
    };
    run("name prefix (2–4 chars)", &mut |c, r| {
        let core = fold_name(&c.name).core;
        let k = 2 + r.below(3);
        (core.chars().count() >= k).then(|| page(take(&core, 0, k), Mode::Prefix))
    });
    run("name prefix, page of 2,000 (API divide)", &mut |c, r| {
        let core = fold_name(&c.name).core;
        let k = 2 + r.below(3);
        (core.chars().count() >= k).then(|| Query {
            limit: 2000,
            ..page(take(&core, 0, k), Mode::Prefix)
        })
    });
    run("name partial (3 chars inside)", &mut |c, r| {
        let core = fold_name(&c.name).core;
        let n = core.chars().count();
        (n >= 4).then(|| page(take(&core, 1 + r.below(n - 3), 3), Mode::Partial))
    });
    run("name exact", &mut |c, _| {
        Some(page(c.name.clone(), Mode::Exact))
    });
    run("フリガナ prefix, 五十音順", &mut |c, r| {
        (c.furigana.chars().count() >= 3).then(|| {
            let mut q = page(take(&c.furigana, 0, 2 + r.below(2)), Mode::Prefix);
            q.furigana = true;
            q.sort = Sort::Gojuon;
            q
        })
    });
    run("name prefix + prefecture + active only", &mut |c, _| {
        let core = fold_name(&c.name).core;
        let mut q = page(take(&core, 0, 2), Mode::Prefix);
        q.prefecture = c.prefecture_code;
        q.include_closed = false;
        Some(q)
    });
    for (label, mut times, hits) in kinds {
        let n = times.len();
        println!(
            "{label:<40} {n:>6} queries  p50 {}  p99 {}  max {}  (avg {:.0} hits)",
            ms(pct(&mut times, 0.5)),
            ms(pct(&mut times, 0.99)),
            ms(pct(&mut times, 1.0)),
            hits as f64 / n.max(1) as f64
        );
    }
    // Number lookups.
    let mut times = Vec::with_capacity(samples.len());
    for c in &samples {
        let t = Instant::now();
        let got = reg.latest(&c.number);
        times.push(t.elapsed());
        assert!(got.is_some());
    }
    println!(
        "{:<40} {:>6} lookups  p50 {}  p99 {}  max {}",
        "number lookup (current row)",
        times.len(),
        ms(pct(&mut times, 0.5)),
        ms(pct(&mut times, 0.99)),
        ms(pct(&mut times, 1.0))
    );
    if let Some(kib) = rss_kib() {
        println!("peak memory (VmHWM): {:.0} MB", kib as f64 / 1024.0);
    }
}
