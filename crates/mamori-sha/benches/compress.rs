//! Compressions per second: `compress_each` (interleaved SHA-NI when available) against one
//! `compress256` call per block, on batches the size the scanner uses.
//!
//!   cargo bench -p mamori-sha --bench compress

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use mamori_sha::{Block, State, compress_each, compress_each_portable};

fn run(name: &str, batch: usize, f: fn(&mut [State], &[Block])) {
    let blocks: Vec<Block> = (0..batch)
        .map(|i| std::array::from_fn(|j| (i * 31 + j) as u8))
        .collect();
    let mut states = vec![[0x6a09_e667u32; 8]; batch];
    let rounds = 4_000_000 / batch;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..rounds {
            f(black_box(&mut states), black_box(&blocks));
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{name:>9}, batch {batch:>3}: {:.1} ns per block",
        best * 1e9 / (rounds * batch) as f64
    );
}

fn main() {
    println!("SHA-NI: {}", mamori_sha::has_sha_ni());
    for batch in [1, 2, 4, 64] {
        run("each", batch, compress_each);
        run("portable", batch, compress_each_portable);
    }
}
