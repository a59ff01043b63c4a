//! Engine tests against the built-in SBD catalog.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mamori_catalog::{CatalogSet, Level};
use mamori_sbd::{Profile, decide};

fn catalog() -> mamori_catalog::Catalog {
    CatalogSet::builtin().unwrap().get("sbd").unwrap().clone()
}

/// An independent reading of the rule, written from the issue text rather than the engine:
/// `-` → lowest level with text; holds → lowest with text at or above 中位; does not hold →
/// 低位 if it has text, else 省略.
fn oracle(cond: &str, yes: &[&str], text: [bool; 3]) -> Level {
    let levels = [Level::Low, Level::Middle, Level::High];
    if cond == "-" {
        return levels
            .into_iter()
            .zip(text)
            .find(|(_, t)| *t)
            .map_or(Level::Omit, |(l, _)| l);
    }
    // The built-in conditions are single IDs or disjunctions.
    let holds = cond.split(" or ").any(|v| yes.contains(&v));
    if holds {
        levels[1..]
            .iter()
            .zip(&text[1..])
            .find(|(_, t)| **t)
            .map_or(Level::Omit, |(l, _)| *l)
    } else if text[0] {
        Level::Low
    } else {
        Level::Omit
    }
}

#[test]
fn all_64_answer_combinations_follow_the_rule() {
    let cat = catalog();
    let ids = ["A", "B", "C", "D", "E", "F"];
    for mask in 0u32..64 {
        let yes: Vec<&str> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, id)| *id)
            .collect();
        let profile = Profile::from_yes(
            "t",
            &yes.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ids.iter().map(|s| s.to_string()),
        );
        let table = decide(&cat, &profile).unwrap();
        assert_eq!(table.rows.len(), 24, "mask {mask:06b}");
        for (row, item) in table.rows.iter().zip(&cat.items) {
            assert_eq!(row.id, item.id);
            let text = [Level::Low, Level::Middle, Level::High].map(|l| item.has_text(l));
            let expect = oracle(&row.condition, &yes, text);
            assert_eq!(row.recommended_level, expect, "{} with yes={yes:?}", row.id);
            assert_eq!(row.chosen_level, row.recommended_level);
            assert_eq!(row.text.is_some(), expect != Level::Omit, "{}", row.id);
            // A level never goes down when one more condition is answered yes.
            for extra in ids.iter().filter(|id| !yes.contains(id)) {
                let mut more = yes.clone();
                more.push(extra);
                let up = oracle(&row.condition, &more, text);
                assert!(up >= expect, "{}: {expect:?} -> {up:?}", row.id);
            }
        }
        let total: usize = table.counts.by_level.values().sum();
        assert_eq!(total, 24);
    }
}

#[test]
fn all_no_and_all_yes_spot_checks() {
    let cat = catalog();
    let ids = ["A", "B", "C", "D", "E", "F"].map(String::from);
    let none = decide(&cat, &Profile::from_yes("t", &[], ids.clone())).unwrap();
    let all = decide(&cat, &Profile::from_yes("t", &ids, ids.clone())).unwrap();
    let get = |t: &mamori_sbd::DecisionTable, id: &str| {
        t.rows
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .recommended_level
    };
    assert_eq!(get(&none, "AT-1-1"), Level::Low);
    assert_eq!(get(&none, "AU-2-1"), Level::Omit);
    assert_eq!(get(&none, "AT-2-1"), Level::Low);
    assert_eq!(get(&all, "AT-1-1"), Level::Middle);
    assert_eq!(get(&all, "AT-2-2"), Level::High);
    assert_eq!(get(&all, "AC-2-2"), Level::High);
    assert_eq!(get(&all, "PR-1-1"), Level::Middle);
    assert_eq!(get(&all, "AT-2-1"), Level::Low);
    let trace = &all.rows.iter().find(|r| r.id == "AT-1-1").unwrap().trace;
    assert_eq!(trace.render(), "A=○, F=○ → ○");
}

#[test]
fn worked_example_profile_decides_as_the_seed_table() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/gyosei-joho-teikyo.toml"
    ))
    .unwrap();
    let profile = Profile::from_toml("examples/gyosei-joho-teikyo.toml", &text)
        .unwrap_or_else(|e| panic!("{e}"));
    let table = decide(&catalog(), &profile).unwrap_or_else(|e| panic!("{e}"));
    // The ○ marks of the seed's step-6 table for 活用例① (see the profile's comments).
    let expect = [
        ("AT-1-1", Level::Low),
        ("AT-1-2", Level::Low),
        ("AT-1-3", Level::Low),
        ("AT-1-4", Level::Low),
        ("AT-2-1", Level::Low),
        ("AT-2-2", Level::Omit),
        ("AT-3-1", Level::Low),
        ("AT-3-2", Level::Middle),
        ("AU-1-1", Level::Low),
        ("AU-1-2", Level::Low),
        ("AU-1-3", Level::Low),
        ("AU-2-1", Level::Middle),
        ("AU-2-2", Level::Omit),
        ("AC-1-1", Level::Omit),
        ("AC-2-1", Level::Omit),
        ("AC-2-2", Level::Omit),
        ("AC-2-3", Level::Low),
        ("PR-1-1", Level::Omit),
        ("PR-1-2", Level::Omit),
        ("PR-1-3", Level::Omit),
        ("PH-1-1", Level::Low),
        ("PH-1-2", Level::Low),
        ("DA-1-1", Level::Low),
        ("DA-2-1", Level::Low),
    ];
    let got: Vec<(&str, Level)> = table
        .rows
        .iter()
        .map(|r| (r.id.as_str(), r.chosen_level))
        .collect();
    assert_eq!(got, expect);
    // Overrides exist exactly where the seed's decision differs from the recommendation.
    for row in &table.rows {
        assert_eq!(
            row.justification.is_some(),
            row.is_override(),
            "{}: override equal to recommendation",
            row.id
        );
    }
    assert_eq!(table.counts.overrides, 7);
}

fn decide_errors(profile: &str) -> Vec<String> {
    let p = match Profile::from_toml("p.toml", profile) {
        Ok(p) => p,
        Err(e) => return e.0.iter().map(|d| d.to_string()).collect(),
    };
    match decide(&catalog(), &p) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|d| d.to_string()).collect(),
    }
}

const ANSWERS: &str = "[system]\nname = \"S\"\n[answers]\nA = { answer = true, reason = \"r\" }\nB = { answer = false, reason = \"r\" }\nC = { answer = false, reason = \"r\" }\nD = { answer = false, reason = \"r\" }\nE = { answer = false, reason = \"r\" }\nF = { answer = false, reason = \"r\" }\n";

#[test]
fn profile_errors_name_line_and_field() {
    assert_eq!(decide_errors(ANSWERS), Vec::<String>::new());
    assert_eq!(
        decide_errors(&ANSWERS.replace("F = { answer = false, reason = \"r\" }\n", "")),
        ["p.toml:1:1: answers.F: missing: answer judgment condition F (複数部署による利用)"]
    );
    assert_eq!(
        decide_errors(&format!(
            "{ANSWERS}G = {{ answer = true, reason = \"r\" }}\n"
        )),
        [
            "p.toml:10:5: answers.G: `G` is not a judgment condition of catalog `sbd` (expected one of A, B, C, D, E, F)"
        ]
    );
    assert_eq!(
        decide_errors(&format!(
            "{ANSWERS}[overrides.XX-1-1]\nlevel = \"low\"\njustification = \"j\"\n"
        )),
        ["p.toml:10:1: overrides.XX-1-1: no requirement `XX-1-1` in catalog `sbd`"]
    );
    assert_eq!(
        decide_errors(&format!(
            "{ANSWERS}[overrides.AU-2-1]\nlevel = \"low\"\njustification = \"j\"\n"
        )),
        [
            "p.toml:10:1: overrides.AU-2-1.level: AU-2-1 has no text at level low (低位); choose one of omit, middle, high"
        ]
    );
}
