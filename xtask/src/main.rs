//! Project automation: `cargo run -p xtask -- tidy | corpus DIR | bench-data DIR |
//! corp-data DIR [COUNT]`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use xtask::{corp_data, corpus, tidy};

fn usage() -> ExitCode {
    eprintln!("usage: cargo run -p xtask -- tidy");
    eprintln!("       cargo run -p xtask -- corpus DIR            (every format, expected.json)");
    eprintln!("       cargo run -p xtask -- bench-data DIR [MB]   (sparse text and dense CSV)");
    eprintln!(
        "       cargo run -p xtask -- corp-data DIR [COUNT] [--seed N] [--date YYYY-MM-DD] [--days N] [--no-xml]"
    );
    eprintln!("                                        (法人番号 全件/差分 files, expected.json)");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("tidy") => run_tidy(),
        Some("corpus") => {
            let Some(dir) = args.get(1) else {
                return usage();
            };
            match corpus::write_corpus(&PathBuf::from(dir)) {
                Ok(expected) => {
                    println!(
                        "wrote {} files with {} expected findings to {dir}",
                        expected.files,
                        expected.findings.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corpus: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some("bench-data") => {
            let Some(dir) = args.get(1) else {
                return usage();
            };
            let mb: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(256);
            match corpus::write_bench_data(&PathBuf::from(dir), mb) {
                Ok(files) => {
                    for f in files {
                        println!("{}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("bench-data: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some("corp-data") => match corp_data::run(&args[1..]) {
            Ok((dir, summary, elapsed)) => {
                let bytes: u64 = summary.files.values().map(|f| f.bytes).sum();
                println!(
                    "wrote {} corporations ({} history rows, {} 差分 files) to {} in {:.2?} ({:.1} MB)",
                    summary.full.rows,
                    summary.history_rows,
                    summary.diffs.len(),
                    dir.display(),
                    elapsed,
                    bytes as f64 / 1e6
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("corp-data: {e}");
                usage()
            }
        },
        _ => usage(),
    }
}

fn run_tidy() -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = match Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("cannot run cargo metadata: {e}");
            return ExitCode::from(2);
        }
    };
    let metadata: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cannot parse cargo metadata: {e}");
            return ExitCode::from(2);
        }
    };
    let problems = tidy::tidy(&metadata);
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    if problems.is_empty() {
        println!("tidy: ok");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
