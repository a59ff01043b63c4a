//! Validation of an assembled catalog: the rules `mamori catalog check` enforces.

use std::collections::{BTreeMap, HashSet};

use crate::load::Diagnostic;
use crate::model::{Catalog, ItemRef, Level, LevelText, Loc, Localized};

/// Checks one catalog; returns every problem found, in file order.
pub fn check_catalog(c: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut err = |loc: &Loc, field: String, message: String| {
        out.push(Diagnostic {
            loc: loc.clone(),
            field,
            message,
        })
    };

    if c.id.trim().is_empty() {
        err(&c.loc, "catalog.id".into(), "must not be empty".into());
    }
    check_localized(&c.title, &c.loc, "catalog.title", &mut err);

    // Unique IDs per kind.
    unique(
        c.sources.iter().map(|s| (&s.id, &s.loc)),
        "source",
        &mut err,
    );
    unique(
        c.conditions.iter().map(|s| (&s.id, &s.loc)),
        "condition",
        &mut err,
    );
    unique(c.groups.iter().map(|s| (&s.id, &s.loc)), "group", &mut err);
    unique(c.items.iter().map(|s| (&s.id, &s.loc)), "item", &mut err);

    let mut measure_numbers: BTreeMap<u8, &Loc> = BTreeMap::new();
    for m in &c.measures {
        let f = format!("measure[{}]", m.number);
        if m.number == 0 {
            err(&m.loc, format!("{f}.number"), "numbers start at 1".into());
        }
        if let Some(prev) = measure_numbers.get(&m.number) {
            err(
                &m.loc,
                format!("{f}.number"),
                format!("duplicate measure number (first defined at {prev})"),
            );
        } else {
            measure_numbers.insert(m.number, &m.loc);
        }
        check_localized(&m.name, &m.loc, &format!("{f}.name"), &mut err);
        duplicates(
            m.implements.iter().map(|r| (r, &m.loc)),
            &format!("{f}.implements"),
            &mut err,
        );
    }

    let sources: HashSet<&str> = c.sources.iter().map(|s| s.id.as_str()).collect();
    let conditions: HashSet<&str> = c.conditions.iter().map(|s| s.id.as_str()).collect();
    let groups: BTreeMap<&str, Option<&str>> = c
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.parent.as_deref()))
        .collect();

    for s in &c.sources {
        check_localized(
            &s.title,
            &s.loc,
            &format!("source[{}].title", s.id),
            &mut err,
        );
    }

    for cond in &c.conditions {
        let f = format!("condition[{}]", cond.id);
        check_localized(&cond.name, &cond.loc, &format!("{f}.name"), &mut err);
        check_localized(
            &cond.question,
            &cond.loc,
            &format!("{f}.question"),
            &mut err,
        );
        if !sources.contains(cond.source.doc.as_str()) {
            err(
                &cond.loc,
                format!("{f}.source.doc"),
                format!("unknown source `{}`", cond.source.doc),
            );
        }
    }

    for g in &c.groups {
        let f = format!("group[{}]", g.id);
        check_localized(&g.name, &g.loc, &format!("{f}.name"), &mut err);
        if let Some(parent) = &g.parent {
            if !groups.contains_key(parent.as_str()) {
                err(
                    &g.loc,
                    format!("{f}.parent"),
                    format!("unknown group `{parent}`"),
                );
            } else {
                // Walk up; a cycle never reaches a root.
                let mut seen = HashSet::from([g.id.as_str()]);
                let mut next = Some(parent.as_str());
                while let Some(id) = next {
                    if !seen.insert(id) {
                        err(&g.loc, format!("{f}.parent"), "groups form a cycle".into());
                        break;
                    }
                    next = groups.get(id).copied().flatten();
                }
            }
        }
        if let Some(src) = &g.source
            && !sources.contains(src.doc.as_str())
        {
            err(
                &g.loc,
                format!("{f}.source.doc"),
                format!("unknown source `{}`", src.doc),
            );
        }
    }

    for m in &c.measures {
        if !sources.contains(m.source.doc.as_str()) {
            err(
                &m.loc,
                format!("measure[{}].source.doc", m.number),
                format!("unknown source `{}`", m.source.doc),
            );
        }
    }

    // In a catalog without levels, 区分 is stated on every row or on none.
    let first_with_obligation = c.items.iter().find(|i| i.obligation.is_some());

    for item in &c.items {
        let f = format!("item[{}]", item.id);
        check_localized(&item.title, &item.loc, &format!("{f}.title"), &mut err);
        if let Some(text) = &item.requirement {
            check_localized(text, &item.loc, &format!("{f}.requirement"), &mut err);
        } else if c.levels.is_empty() {
            err(
                &item.loc,
                format!("{f}.requirement"),
                "missing: an item of a catalog without levels states its requirement text".into(),
            );
        }
        if let Some(text) = &item.remarks {
            check_localized(text, &item.loc, &format!("{f}.remarks"), &mut err);
        }
        if c.levels.is_empty()
            && item.obligation.is_none()
            && let Some(first) = first_with_obligation
        {
            err(
                &item.loc,
                format!("{f}.obligation"),
                format!(
                    "missing: state it on every item or on none (item `{}` at {} states one)",
                    first.id, first.loc
                ),
            );
        }
        for (n, loc) in item.measures.iter().zip(&item.measures_locs) {
            if !measure_numbers.contains_key(n) {
                err(
                    loc,
                    format!("{f}.measures"),
                    format!(
                        "catalog `{}` has no measure {n} (defined: {})",
                        c.id,
                        if measure_numbers.is_empty() {
                            "none".to_owned()
                        } else {
                            measure_numbers
                                .keys()
                                .map(u8::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                );
            }
        }
        duplicates(
            item.measures.iter().zip(&item.measures_locs),
            &format!("{f}.measures"),
            &mut err,
        );
        duplicates(
            item.implements.iter().zip(&item.implements_locs),
            &format!("{f}.implements"),
            &mut err,
        );
        duplicates(
            item.twins.iter().zip(&item.twins_locs),
            &format!("{f}.twins"),
            &mut err,
        );
        if let Some(g) = &item.group
            && !groups.contains_key(g.as_str())
        {
            err(
                &item.group_loc,
                format!("{f}.group"),
                format!("unknown group `{g}`"),
            );
        }
        if !sources.contains(item.source.doc.as_str()) {
            err(
                &item.source_loc,
                format!("{f}.source.doc"),
                format!("unknown source `{}`", item.source.doc),
            );
        }
        for var in item.condition.variables() {
            if !conditions.contains(var) {
                let known: Vec<&str> = c.conditions.iter().map(|c| c.id.as_str()).collect();
                err(
                    &item.condition_loc,
                    format!("{f}.condition"),
                    format!(
                        "`{var}` is not a judgment condition of catalog `{}` (defined: {})",
                        c.id,
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
            }
        }

        // Levels: the catalog's scheme, each level stated, links pointing down to text.
        for level in &c.levels {
            if !item.levels.contains_key(level) {
                err(
                    &item.loc,
                    format!("{f}.levels.{level}"),
                    "missing: give `text`, `same_as` or `absent = true`".into(),
                );
            }
        }
        for (level, def) in &item.levels {
            let lf = format!("{f}.levels.{level}");
            if !c.levels.contains(level) {
                err(
                    &def.loc,
                    lf.clone(),
                    format!("catalog `{}` has no level `{level}`", c.id),
                );
                continue;
            }
            match &def.text {
                LevelText::Text { text } => {
                    check_localized(text, &def.loc, &format!("{lf}.text"), &mut err);
                    for (lang, s) in [("ja", &text.ja), ("en", &text.en)] {
                        if let Err(msg) = check_placeholders(s) {
                            err(&def.loc, format!("{lf}.text.{lang}"), msg);
                        }
                    }
                }
                LevelText::SameAs { level: target } => {
                    if target >= level {
                        err(
                            &def.loc,
                            format!("{lf}.same_as"),
                            format!("must name a lower level than `{level}`, not `{target}`"),
                        );
                    } else {
                        match item.levels.get(target).map(|d| &d.text) {
                            Some(LevelText::Text { .. }) | Some(LevelText::SameAs { .. }) => {}
                            Some(LevelText::Absent) => err(
                                &def.loc,
                                format!("{lf}.same_as"),
                                format!("level `{target}` is absent: it has no text to repeat"),
                            ),
                            None => err(
                                &def.loc,
                                format!("{lf}.same_as"),
                                format!("level `{target}` is not defined"),
                            ),
                        }
                    }
                }
                LevelText::Absent => {}
            }
        }
        if !c.levels.is_empty() && !Level::WITH_TEXT.iter().any(|l| item.has_text(*l)) {
            err(
                &item.loc,
                format!("{f}.levels"),
                "no level has text: a requirement needs text at one level at least".into(),
            );
        }
    }
    out
}

/// Checks the references between catalogs: every `implements`, `twins` and measure
/// `implements` entry names an existing item, and a twin lives in another catalog.
pub(crate) fn check_references(catalogs: &[Catalog]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut err = |loc: &Loc, field: String, message: String| {
        out.push(Diagnostic {
            loc: loc.clone(),
            field,
            message,
        })
    };
    let resolve = |r: &ItemRef| -> Result<(), String> {
        let Some(target) = catalogs.iter().find(|c| c.id == r.catalog) else {
            return Err(format!(
                "`{r}`: no catalog `{}` (loaded: {})",
                r.catalog,
                catalogs
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        if target.item(&r.item).is_none() {
            return Err(format!(
                "`{r}`: catalog `{}` has no item `{}`",
                r.catalog, r.item
            ));
        }
        Ok(())
    };
    for c in catalogs {
        for m in &c.measures {
            for r in &m.implements {
                if let Err(msg) = resolve(r) {
                    err(&m.loc, format!("measure[{}].implements", m.number), msg);
                }
            }
        }
        for item in &c.items {
            let f = format!("item[{}]", item.id);
            for (r, loc) in item.implements.iter().zip(&item.implements_locs) {
                if let Err(msg) = resolve(r) {
                    err(loc, format!("{f}.implements"), msg);
                }
            }
            for (r, loc) in item.twins.iter().zip(&item.twins_locs) {
                if r.catalog == c.id {
                    err(
                        loc,
                        format!("{f}.twins"),
                        format!(
                            "`{r}`: a twin is the same requirement in another catalog, not in `{}`",
                            c.id
                        ),
                    );
                } else if let Err(msg) = resolve(r) {
                    err(loc, format!("{f}.twins"), msg);
                }
            }
        }
    }
    out
}

/// Reports entries listed twice in one list.
fn duplicates<'a, T: PartialEq + std::fmt::Display + 'a>(
    entries: impl Iterator<Item = (&'a T, &'a Loc)>,
    field: &str,
    err: &mut impl FnMut(&Loc, String, String),
) {
    let mut seen: Vec<&T> = Vec::new();
    for (x, loc) in entries {
        if seen.contains(&x) {
            err(loc, field.to_owned(), format!("`{x}` is listed twice"));
        } else {
            seen.push(x);
        }
    }
}

fn unique<'a>(
    ids: impl Iterator<Item = (&'a String, &'a Loc)>,
    kind: &str,
    err: &mut impl FnMut(&Loc, String, String),
) {
    let mut first: BTreeMap<&str, &Loc> = BTreeMap::new();
    for (id, loc) in ids {
        if id.trim().is_empty() {
            err(loc, format!("{kind}.id"), "must not be empty".into());
        } else if let Some(prev) = first.get(id.as_str()) {
            err(
                loc,
                format!("{kind}[{id}].id"),
                format!("duplicate ID (first defined at {prev})"),
            );
        } else {
            first.insert(id, loc);
        }
    }
}

fn check_localized(
    text: &Localized,
    loc: &Loc,
    field: &str,
    err: &mut impl FnMut(&Loc, String, String),
) {
    if text.ja.trim().is_empty() {
        err(
            loc,
            format!("{field}.ja"),
            "Japanese text is missing".into(),
        );
    }
    if text.en.trim().is_empty() {
        err(loc, format!("{field}.en"), "English text is missing".into());
    }
}

/// Placeholders are `[label]`: balanced, not nested, with a label.
fn check_placeholders(s: &str) -> Result<(), String> {
    let mut open: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match c {
            '[' if open.is_some() => return Err("nested `[` in a placeholder".into()),
            '[' => open = Some(i),
            ']' => match open.take() {
                None => return Err("`]` without a matching `[`".into()),
                Some(start) if s[start + 1..i].trim().is_empty() => {
                    return Err("a placeholder `[…]` needs a label saying what to fill in".into());
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    if open.is_some() {
        return Err("placeholder `[` is never closed".into());
    }
    Ok(())
}
