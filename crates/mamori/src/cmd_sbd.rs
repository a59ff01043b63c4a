//! `mamori sbd questions|recommend|spec`.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, bail};
use mamori_catalog::Catalog;
use mamori_export::{SpecFormat, render_spec};
use mamori_sbd::{Profile, SBD_CATALOG, decide};
use serde_json::json;

use crate::Ctx;
use crate::args::SbdCmd;
use crate::output;

pub(crate) fn run(ctx: &Ctx, cmd: SbdCmd) -> anyhow::Result<u8> {
    let set = ctx.catalogs()?;
    let catalog = set
        .get(SBD_CATALOG)
        .context("the SBD catalog `sbd` is not loaded")?;
    match cmd {
        SbdCmd::Questions { json } => questions(ctx, catalog, json),
        SbdCmd::Recommend { yes, json } => recommend(ctx, catalog, &yes, json),
        SbdCmd::Spec {
            profile,
            format,
            output,
            date,
        } => spec(
            ctx,
            catalog,
            &profile,
            format.as_deref(),
            output.as_deref(),
            date.as_deref(),
        ),
    }
}

fn questions(ctx: &Ctx, c: &Catalog, as_json: bool) -> anyhow::Result<u8> {
    if as_json {
        output::json(&json!({ "conditions": c.conditions }))?;
        return Ok(0);
    }
    let lang = ctx.lang;
    let mut out = String::new();
    for q in &c.conditions {
        let _ = writeln!(
            out,
            "{}. {}  [{}]\n   {}\n   {}\n",
            q.id,
            q.name.get(lang),
            q.viewpoint.name(lang),
            q.question.get(lang),
            q.guidance.get(lang)
        );
    }
    output::stdout(out.as_bytes())?;
    Ok(0)
}

fn recommend(ctx: &Ctx, c: &Catalog, yes: &[String], as_json: bool) -> anyhow::Result<u8> {
    let yes: Vec<String> = yes
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for y in &yes {
        if !c.conditions.iter().any(|q| q.id.eq_ignore_ascii_case(y)) {
            bail!(
                "--yes: `{y}` is not a judgment condition (expected some of {})",
                c.conditions
                    .iter()
                    .map(|q| q.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let profile = Profile::from_yes("", &yes, c.conditions.iter().map(|q| q.id.clone()));
    let table = decide(c, &profile)?;
    if as_json {
        let answers: serde_json::Map<String, serde_json::Value> = table
            .answers
            .iter()
            .map(|a| (a.id.clone(), json!(a.answer)))
            .collect();
        let reqs: Vec<_> = table
            .rows
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "name": r.name,
                    "category": r.category,
                    "policy": r.policy,
                    "condition": r.condition,
                    "condition_holds": r.trace.holds,
                    "trace": r.trace.render(),
                    "recommended_level": r.recommended_level,
                })
            })
            .collect();
        output::json(&json!({
            "catalog": table.catalog,
            "catalog_version": table.catalog_version,
            "answers": answers,
            "requirements": reqs,
        }))?;
        return Ok(0);
    }
    let lang = ctx.lang;
    let mut out = String::new();
    let marks: Vec<String> = table
        .answers
        .iter()
        .map(|a| format!("{}={}", a.id, if a.answer { "○" } else { "×" }))
        .collect();
    let _ = writeln!(out, "{}\n", marks.join(" "));
    for r in &table.rows {
        let _ = writeln!(
            out,
            "{:<8} {:<6} {:<14} {}  {}",
            r.id,
            r.recommended_level.name(lang),
            r.condition,
            r.trace.render(),
            r.name.get(lang)
        );
    }
    output::stdout(out.as_bytes())?;
    Ok(0)
}

fn spec(
    ctx: &Ctx,
    c: &Catalog,
    profile_path: &Path,
    format: Option<&str>,
    out: Option<&Path>,
    date: Option<&str>,
) -> anyhow::Result<u8> {
    let to_stdout = out.is_none_or(|p| p == Path::new("-"));
    let format = match format {
        Some(f) => SpecFormat::parse(f).with_context(|| {
            format!("--format: unknown format `{f}` (expected md, json, docx or xlsx)")
        })?,
        None => out
            .filter(|_| !to_stdout)
            .and_then(|p| p.extension())
            .and_then(|e| SpecFormat::parse(&e.to_string_lossy()))
            .unwrap_or(SpecFormat::Markdown),
    };
    if to_stdout && matches!(format, SpecFormat::Docx | SpecFormat::Xlsx) {
        bail!(
            "--format {}: a binary document needs an output file (-o FILE)",
            format.extension()
        );
    }
    let date = match date {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .with_context(|| format!("--date: `{d}` is not a date (YYYY-MM-DD)"))?,
        None => today_in_japan(),
    };
    let text = std::fs::read_to_string(profile_path)
        .with_context(|| format!("cannot read profile {}", profile_path.display()))?;
    let origin = profile_path.display().to_string();
    let profile = Profile::from_toml(&origin, &text)?;
    let table = decide(c, &profile)?;
    let bytes = render_spec(&table, format, ctx.lang, date)?;
    match out {
        Some(p) if !to_stdout => {
            output::write_atomic(p, &bytes)?;
            eprintln!(
                "wrote {} ({} requirements, {} overrides)",
                p.display(),
                table.rows.len(),
                table.counts.overrides
            );
        }
        _ => output::stdout(&bytes)?,
    }
    Ok(0)
}

/// Today's date in Japan (UTC+9, no daylight saving): the edge where the clock is read.
#[allow(clippy::disallowed_methods)]
fn today_in_japan() -> jiff::civil::Date {
    let jst = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
    jiff::Timestamp::now().to_zoned(jst).date()
}
