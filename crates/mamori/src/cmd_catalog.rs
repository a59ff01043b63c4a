//! `mamori catalog list|show|check`.

use std::fmt::Write;

use anyhow::bail;
use mamori_catalog::{CatalogSet, Item, Level, LevelText, LoadError};
use serde_json::json;

use crate::args::CatalogCmd;
use crate::output;
use crate::{Ctx, EXIT_FINDINGS};

pub(crate) fn run(ctx: &Ctx, cmd: CatalogCmd) -> anyhow::Result<u8> {
    match cmd {
        CatalogCmd::Check => check(ctx),
        CatalogCmd::List { catalog, json } => list(ctx, catalog.as_deref(), json),
        CatalogCmd::Show { id, json } => show(ctx, &id, json),
    }
}

fn check(ctx: &Ctx) -> anyhow::Result<u8> {
    match CatalogSet::with_overlay(ctx.catalog_dir.as_deref()) {
        Ok(set) => {
            let mut out = String::new();
            for c in set.iter() {
                let _ = writeln!(
                    out,
                    "ok: {} {} — {} items, {} conditions, {} groups, {} sources ({})",
                    c.id,
                    c.version,
                    c.items.len(),
                    c.conditions.len(),
                    c.groups.len(),
                    c.sources.len(),
                    c.origins.join(", ")
                );
            }
            output::stdout(out.as_bytes())?;
            Ok(0)
        }
        Err(LoadError::Invalid(diags)) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("catalog check failed: {} problem(s)", diags.len());
            Ok(EXIT_FINDINGS)
        }
        Err(e) => Err(e.into()),
    }
}

fn list(ctx: &Ctx, only: Option<&str>, as_json: bool) -> anyhow::Result<u8> {
    let set = ctx.catalogs()?;
    let catalogs: Vec<_> = set
        .iter()
        .filter(|c| only.is_none_or(|o| o == c.id))
        .collect();
    if let Some(o) = only
        && catalogs.is_empty()
    {
        bail!(
            "no catalog `{o}` (available: {})",
            set.iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if as_json {
        let v: Vec<_> = catalogs
            .iter()
            .map(|c| {
                json!({
                    "id": c.id, "version": c.version, "title": c.title,
                    "items": c.items.iter().map(|i| json!({
                        "id": i.id, "title": i.title, "group": i.group,
                        "condition": i.condition.to_string(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        output::json(&json!({ "catalogs": v }))?;
        return Ok(0);
    }
    let lang = ctx.lang;
    let mut out = String::new();
    for c in catalogs {
        let _ = writeln!(out, "{} {} — {}", c.id, c.version, c.title.get(lang));
        for i in &c.items {
            let cat = c.category_of(i).map(|g| g.id.as_str()).unwrap_or("");
            let _ = writeln!(
                out,
                "  {:<8} {:<3} {:<8} {}",
                i.id,
                cat,
                i.condition.to_string(),
                i.title.get(lang)
            );
        }
    }
    output::stdout(out.as_bytes())?;
    Ok(0)
}

fn show(ctx: &Ctx, id: &str, as_json: bool) -> anyhow::Result<u8> {
    let set = ctx.catalogs()?;
    let lang = ctx.lang;
    let items = set.find_item(id);
    if let Some((catalog, item)) = items.first() {
        if as_json {
            output::json(&json!({ "catalog": catalog.id, "item": item }))?;
        } else {
            output::stdout(describe_item(catalog, item, lang).as_bytes())?;
        }
        return Ok(0);
    }
    for c in set.iter() {
        if let Some(cond) = c.condition(id) {
            if as_json {
                output::json(&json!({ "catalog": c.id, "condition": cond }))?;
            } else {
                let s = format!(
                    "{} {} [{}]\n{}\n\n{}\n",
                    cond.id,
                    cond.name.get(lang),
                    cond.viewpoint.name(lang),
                    cond.question.get(lang),
                    cond.guidance.get(lang)
                );
                output::stdout(s.as_bytes())?;
            }
            return Ok(0);
        }
    }
    if let Some(c) = set.get(id) {
        if as_json {
            output::json(c)?;
        } else {
            let s = format!(
                "{} {}\n{}\n{}\n{} items, {} conditions; files: {}\n",
                c.id,
                c.version,
                c.title.get(lang),
                c.description.get(lang),
                c.items.len(),
                c.conditions.len(),
                c.origins.join(", ")
            );
            output::stdout(s.as_bytes())?;
        }
        return Ok(0);
    }
    bail!("no item, condition or catalog with ID `{id}` (try `mamori catalog list`)")
}

fn describe_item(c: &mamori_catalog::Catalog, item: &Item, lang: mamori_catalog::Lang) -> String {
    let mut s = String::new();
    let path: Vec<String> = c
        .group_path(item)
        .iter()
        .map(|g| format!("{} {}", g.id, g.name.get(lang)))
        .collect();
    let _ = writeln!(s, "{} {}", item.id, item.title.get(lang));
    let _ = writeln!(s, "  catalog:   {} {}", c.id, c.version);
    let _ = writeln!(s, "  group:     {}", path.join(" / "));
    if c.levels.is_empty() {
        if let Some(o) = item.obligation {
            let _ = writeln!(s, "  区分:      {}", o.name(lang));
        }
    } else {
        let _ = writeln!(s, "  condition: {}", item.condition);
    }
    let _ = writeln!(
        s,
        "  source:    {} / {} / {}",
        item.source.doc, item.source.table, item.source.item
    );
    let refs = |r: &[mamori_catalog::ItemRef]| {
        r.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !item.implements.is_empty() {
        let _ = writeln!(s, "  implements: {}", refs(&item.implements));
    }
    if !item.twins.is_empty() {
        let _ = writeln!(s, "  twins:     {}", refs(&item.twins));
    }
    for n in &item.measures {
        if let Some(m) = c.measure(*n) {
            let _ = writeln!(s, "  measure:   {} {}", n, m.name.get(lang));
        }
    }
    if let Some(r) = &item.requirement {
        let _ = writeln!(s, "\n  {}", r.get(lang));
    }
    if let Some(r) = &item.remarks {
        let _ = writeln!(s, "\n  備考: {}", r.get(lang));
    }
    if !c.levels.is_empty() {
        let rule = c.rule_for(item);
        let _ = writeln!(
            s,
            "  rule:      - → {}; holds → {}; not holds → {}",
            rule.unconditional.spelling(),
            rule.holds.spelling(),
            rule.not_holds.spelling()
        );
    }
    for level in Level::WITH_TEXT {
        let Some(def) = item.levels.get(&level) else {
            continue;
        };
        let body = match &def.text {
            LevelText::Text { text } => text.get(lang).to_owned(),
            LevelText::SameAs { level: l } => format!(
                "(= {}) {}",
                l.name(lang),
                item.text_at(*l).map(|t| t.get(lang)).unwrap_or("")
            ),
            LevelText::Absent => "—".to_owned(),
        };
        let _ = writeln!(s, "\n  [{}] {}", level.name(lang), body);
    }
    if !item.notes.is_empty() {
        let _ = writeln!(s, "\n  notes:");
        for n in &item.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}
