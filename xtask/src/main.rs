//! Project automation: `cargo run -p xtask -- tidy | corpus DIR | bench-data DIR`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use xtask::{corpus, tidy};

fn usage() -> ExitCode {
    eprintln!("usage: cargo run -p xtask -- tidy");
    eprintln!("       cargo run -p xtask -- corpus DIR            (every format, expected.json)");
    eprintln!("       cargo run -p xtask -- bench-data DIR [MB]   (sparse text and dense CSV)");
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
