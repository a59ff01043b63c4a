//! `mamori mynumber check`: validates numbers from standard input, printing masked forms only.

use std::io::BufRead;

use mamori_mynumber::{Kind, check_number};
use serde_json::json;

use crate::args::MynumberCmd;
use crate::{EXIT_FINDINGS, output};

pub(crate) fn run(cmd: MynumberCmd) -> anyhow::Result<u8> {
    let MynumberCmd::Check { json } = cmd;
    let stdin = std::io::stdin().lock();
    let mut results = Vec::new();
    let mut text = String::new();
    let mut all_valid = true;
    for (i, line) in stdin.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let r = check_number(&line);
        all_valid &= r.valid;
        let kind = match r.kind {
            Some(Kind::Individual) => "個人番号",
            Some(Kind::Corporate) => "法人番号",
            None => "-",
        };
        text.push_str(&format!(
            "line {}: {} {} {}\n",
            i + 1,
            if r.masked.is_empty() {
                "(none)"
            } else {
                &r.masked
            },
            kind,
            if r.valid {
                "valid".to_owned()
            } else {
                format!("invalid: {}", r.reason.unwrap_or(""))
            }
        ));
        results.push(json!({ "line": i + 1, "result": r }));
    }
    if json {
        output::json(&json!({ "results": results }))?;
    } else {
        output::stdout(text.as_bytes())?;
    }
    Ok(if all_valid { 0 } else { EXIT_FINDINGS })
}
