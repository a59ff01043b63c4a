//! Integration tests for the catalog loader and `catalog check` rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mamori_catalog::{CatalogSet, Level, LevelText, LoadError};

mod refs;
mod wlan;

const HEADER: &str = r#"schema = 1

[catalog]
id = "t"
version = "1"
title = { ja = "テスト", en = "Test" }
levels = ["low", "middle", "high"]

[[source]]
id = "doc"
title = { ja = "文書", en = "Document" }
publisher = "p"
location = "l"

[[condition]]
id = "A"
name = { ja = "条件", en = "Condition" }
viewpoint = "information"
question = { ja = "質問", en = "Question" }
guidance = { ja = "手引", en = "Guidance" }
source = { doc = "doc", table = "t", item = "A" }

[[group]]
id = "G"
name = { ja = "群", en = "Group" }
"#;

const GOOD_ITEM: &str = r#"
[[item]]
id = "X-1"
group = "G"
title = { ja = "要件", en = "Requirement" }
condition = "A"
source = { doc = "doc", table = "t", item = "X-1" }
levels.low = { absent = true }
levels.middle = { text = { ja = "中位の文", en = "Middle text" } }
levels.high = { same_as = "middle" }
"#;

fn diagnostics(files: &[(&str, &str)]) -> Vec<String> {
    match CatalogSet::from_files(files.iter().map(|(n, t)| (n.to_string(), t.to_string()))) {
        Ok(_) => vec![],
        Err(LoadError::Invalid(d)) => d.iter().map(|d| d.to_string()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

fn check(body: &str, expect: &[&str]) {
    let text = format!("{HEADER}{body}");
    assert_eq!(
        diagnostics(&[("t.toml", &text)]),
        expect,
        "catalog body:\n{body}"
    );
}

#[test]
fn builtin_catalogs_pass_the_check() {
    let set = CatalogSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let sbd = set.get("sbd").expect("sbd catalog");
    assert_eq!(sbd.conditions.len(), 6);
    assert_eq!(sbd.items.len(), 24);
    let ids: Vec<&str> = sbd.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "AT-1-1", "AT-1-2", "AT-1-3", "AT-1-4", "AT-2-1", "AT-2-2", "AT-3-1", "AT-3-2",
            "AU-1-1", "AU-1-2", "AU-1-3", "AU-2-1", "AU-2-2", "AC-1-1", "AC-2-1", "AC-2-2",
            "AC-2-3", "PR-1-1", "PR-1-2", "PR-1-3", "PH-1-1", "PH-1-2", "DA-1-1", "DA-2-1"
        ]
    );
}

/// The facts read from the seed's step-6 and 仕様記載例 tables: names, conditions, and which
/// levels carry text (L/M/H; "-" none).
#[test]
fn sbd_catalog_encodes_the_seed_tables() {
    let set = CatalogSet::builtin().unwrap();
    let sbd = set.get("sbd").unwrap();
    let expect = [
        ("AT-1-1", "通信経路の分離", "A or F", "LMH", "AT"),
        ("AT-1-2", "不正通信の遮断", "A", "LMH", "AT"),
        ("AT-1-3", "通信のなりすまし防止", "A", "LMH", "AT"),
        ("AT-1-4", "サービス不能化の防止", "A", "LMH", "AT"),
        ("AT-2-1", "マルウェアの感染防止", "-", "LMH", "AT"),
        ("AT-2-2", "マルウェア対策の管理", "A or B", "--H", "AT"),
        ("AT-3-1", "構築時の脆弱性対策", "-", "LMH", "AT"),
        ("AT-3-2", "運用時の脆弱性対策", "A", "LMH", "AT"),
        ("AU-1-1", "証跡の蓄積・管理", "B or C", "LMH", "AU"),
        ("AU-1-2", "証跡の保護", "B or C", "LMH", "AU"),
        ("AU-1-3", "時刻の正確性確保", "-", "LMH", "AU"),
        ("AU-2-1", "侵入検知", "A", "-MH", "AU"),
        ("AU-2-2", "サービス不能化の検知", "A", "--H", "AU"),
        ("AC-1-1", "主体認証", "D", "-MH", "AC"),
        ("AC-2-1", "ライフサイクル管理", "D", "-MH", "AC"),
        ("AC-2-2", "アクセス権管理", "E", "--H", "AC"),
        ("AC-2-3", "管理者権限の保護", "-", "LMH", "AC"),
        ("PR-1-1", "通信経路上の盗聴防止", "B or C", "-MH", "PR"),
        ("PR-1-2", "保存情報の機密性確保", "B or C", "LMH", "PR"),
        ("PR-1-3", "保存情報の完全性確保", "B or C", "--H", "PR"),
        ("PH-1-1", "情報の物理的保護", "-", "LMH", "PH"),
        ("PH-1-2", "侵入の物理的対策", "-", "LMH", "PH"),
        ("DA-1-1", "システムの構成管理", "B", "LMH", "DA"),
        ("DA-2-1", "システムの可用性確保", "B", "LMH", "DA"),
    ];
    for (id, name, cond, levels, cat) in expect {
        let item = sbd.item(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(item.title.ja, name, "{id}");
        assert_eq!(item.condition.to_string(), cond, "{id}");
        let got: String = Level::WITH_TEXT
            .iter()
            .zip(['L', 'M', 'H'])
            .map(|(l, c)| if item.has_text(*l) { c } else { '-' })
            .collect();
        assert_eq!(got, levels, "{id} levels");
        assert_eq!(
            sbd.category_of(item).map(|g| g.id.as_str()),
            Some(cat),
            "{id}"
        );
        assert!(
            !item.notes.is_empty() || !item.source.item.is_empty(),
            "{id}"
        );
        // Cumulative reading: once a level has text, every higher level has text too.
        let first = Level::WITH_TEXT
            .iter()
            .position(|l| item.has_text(*l))
            .unwrap();
        assert!(
            Level::WITH_TEXT[first..].iter().all(|l| item.has_text(*l)),
            "{id}"
        );
    }
    let names: Vec<(&str, &str)> = sbd
        .conditions
        .iter()
        .map(|c| (c.id.as_str(), c.name.ja.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("A", "外部アクセスの有無"),
            ("B", "情報の重要度"),
            ("C", "情報保存時の安全性"),
            ("D", "利用者の限定要否"),
            ("E", "アカウントの多様性"),
            ("F", "複数部署による利用"),
        ]
    );
    // The seed's (一 同様): AT-1-2 repeats its low text at middle and high.
    let at12 = sbd.item("AT-1-2").unwrap();
    assert!(matches!(
        at12.levels[&Level::Middle].text,
        LevelText::SameAs { level: Level::Low }
    ));
    assert_eq!(at12.text_at(Level::High), at12.text_at(Level::Low));
}

#[test]
fn a_well_formed_catalog_passes() {
    check(GOOD_ITEM, &[]);
}

#[test]
fn unknown_condition_is_named_with_file_line_and_field() {
    check(
        &GOOD_ITEM.replace("condition = \"A\"", "condition = \"A or Z\""),
        &[
            "t.toml:31:13: item[X-1].condition: `Z` is not a judgment condition of catalog `t` (defined: A)",
        ],
    );
}

#[test]
fn malformed_condition_expression() {
    check(
        &GOOD_ITEM.replace("condition = \"A\"", "condition = \"A or\""),
        &[
            "t.toml:31:13: item[X-1].condition: `A or`: expected a condition ID at the end (at character 5)",
        ],
    );
}

#[test]
fn duplicate_ids() {
    check(
        &format!("{GOOD_ITEM}{GOOD_ITEM}"),
        &["t.toml:38:6: item[X-1].id: duplicate item ID in this file"],
    );
}

#[test]
fn every_level_must_be_stated() {
    check(
        &GOOD_ITEM.replace("levels.low = { absent = true }\n", ""),
        &["t.toml:28:6: item[X-1].levels.low: missing: give `text`, `same_as` or `absent = true`"],
    );
    check(
        &GOOD_ITEM.replace(
            "{ absent = true }",
            "{ absent = true, same_as = \"middle\" }",
        ),
        &[
            "t.toml:33:14: item[X-1].levels.low: give exactly one of `text`, `same_as` or `absent = true`",
        ],
    );
}

#[test]
fn same_as_must_point_down_to_text() {
    check(
        &GOOD_ITEM.replace("{ same_as = \"middle\" }", "{ same_as = \"low\" }"),
        &[
            "t.toml:35:15: item[X-1].levels.high.same_as: level `low` is absent: it has no text to repeat",
        ],
    );
    check(
        &GOOD_ITEM.replace("{ same_as = \"middle\" }", "{ same_as = \"high\" }"),
        &[
            "t.toml:35:15: item[X-1].levels.high.same_as: must name a lower level than `high`, not `high`",
        ],
    );
}

#[test]
fn references_must_resolve() {
    check(
        &GOOD_ITEM
            .replace("group = \"G\"", "group = \"Q\"")
            .replace("doc = \"doc\"", "doc = \"nope\""),
        &[
            "t.toml:29:9: item[X-1].group: unknown group `Q`",
            "t.toml:32:18: item[X-1].source.doc: unknown source `nope`",
        ],
    );
}

#[test]
fn placeholders_must_be_closed_and_labelled() {
    check(
        &GOOD_ITEM.replace("中位の文", "記録を[保存期間保管"),
        &["t.toml:34:17: item[X-1].levels.middle.text.ja: placeholder `[` is never closed"],
    );
    check(
        &GOOD_ITEM.replace("中位の文", "記録を[ ]保管"),
        &[
            "t.toml:34:17: item[X-1].levels.middle.text.ja: a placeholder `[…]` needs a label saying what to fill in",
        ],
    );
}

#[test]
fn toml_errors_name_line_and_field() {
    check(
        &GOOD_ITEM.replace("title = {", "titel = {"),
        &[
            "t.toml:30:1: titel: unknown field `titel`, expected one of `id`, `group`, `title`, `condition`, `source`, `notes`, `levels`, `recommend`, `obligation`, `requirement`, `remarks`, `implements`, `twins`, `measures`",
        ],
    );
    let d = diagnostics(&[("bad.toml", "schema = 1\n[catalog\nid = \"x\"\n")]);
    assert_eq!(d.len(), 1);
    assert!(d[0].starts_with("bad.toml:2:"), "{d:?}");
}

#[test]
fn user_directory_extends_and_replaces_builtin_items() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("org.toml"),
        r#"schema = 1
[catalog]
id = "sbd"
mode = "extend"

[[item]]
id = "AU-1-1"
group = "AU-1"
title = { ja = "証跡の蓄積・管理", en = "Log collection and management" }
condition = "B or C"
source = { doc = "nisc-sbd", table = "組織の正式文面", item = "AU-1-1" }
levels.low = { text = { ja = "公式文面（低位）。", en = "Official (low)." } }
levels.middle = { text = { ja = "公式文面（中位）。", en = "Official (middle)." } }
levels.high = { same_as = "middle" }

[[item]]
id = "ORG-1"
group = "AU-1"
title = { ja = "独自要件", en = "Own requirement" }
condition = "B"
source = { doc = "nisc-sbd", table = "組織独自", item = "ORG-1" }
levels.low = { absent = true }
levels.middle = { absent = true }
levels.high = { text = { ja = "独自の文。", en = "Own text." } }
"#,
    )
    .unwrap();
    let set = CatalogSet::with_overlay(Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let sbd = set.get("sbd").unwrap();
    assert_eq!(sbd.items.len(), 25);
    assert_eq!(
        sbd.item("AU-1-1")
            .unwrap()
            .text_at(Level::Middle)
            .unwrap()
            .ja,
        "公式文面（中位）。"
    );
    assert_eq!(sbd.items.last().unwrap().id, "ORG-1");
    assert!(sbd.origins.iter().any(|o| o.ends_with("org.toml")));

    // The same validation applies to user files, naming the user's file.
    std::fs::write(
        dir.path().join("zz-broken.toml"),
        "schema = 1\n[catalog]\nid = \"sbd\"\nmode = \"extend\"\n\n[[item]]\nid = \"ORG-2\"\ngroup = \"AU-1\"\ntitle = { ja = \"x\", en = \"x\" }\ncondition = \"G\"\nsource = { doc = \"nisc-sbd\", table = \"t\", item = \"i\" }\nlevels.low = { text = { ja = \"a\", en = \"a\" } }\nlevels.middle = { same_as = \"low\" }\nlevels.high = { same_as = \"low\" }\n",
    )
    .unwrap();
    let err = CatalogSet::with_overlay(Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("zz-broken.toml:10:13: item[ORG-2].condition: `G` is not a judgment condition of catalog `sbd` (defined: A, B, C, D, E, F)"),
        "{err}"
    );
}

#[test]
fn extending_an_unknown_catalog_is_an_error() {
    assert_eq!(
        diagnostics(&[(
            "x.toml",
            "schema = 1\n[catalog]\nid = \"nope\"\nmode = \"extend\"\n"
        )]),
        [
            "x.toml:3:6: catalog.id: `mode = \"extend\"` but no catalog `nope` was loaded before this file"
        ]
    );
}
