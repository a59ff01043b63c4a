//! Diagnostics of the fields for catalogs without levels: 区分, requirement text, measures
//! and `catalog:item` references.

use mamori_catalog::{CatalogSet, ItemRef, Lang, LoadError, Obligation};

/// A catalog without levels, with one measure and two items.
const FLAT: &str = r#"schema = 1

[catalog]
id = "w"
version = "1"
title = { ja = "無線", en = "Wireless" }

[[source]]
id = "doc"
title = { ja = "文書", en = "Document" }
publisher = "p"
location = "l"

[[measure]]
number = 1
name = { ja = "対策", en = "Measure" }
implements = ["p:1A"]
source = { doc = "doc", table = "t", item = "①" }

[[item]]
id = "W-1"
title = { ja = "要件", en = "Requirement" }
obligation = "required"
requirement = { ja = "要件文。", en = "Requirement text." }
remarks = { ja = "備考。", en = "Remarks." }
implements = ["p:1A"]
twins = ["l:L-1"]
measures = [1]
source = { doc = "doc", table = "t", item = "r" }

[[item]]
id = "W-2"
title = { ja = "要件2", en = "Requirement 2" }
obligation = "必要に応じて検討"
requirement = { ja = "要件文2。", en = "Requirement text 2." }
source = { doc = "doc", table = "t", item = "r2" }
"#;

/// The catalogs FLAT refers to.
const OTHERS: &str = r#"schema = 1
[catalog]
id = "p"
version = "1"
title = { ja = "措置", en = "Measures" }
[[source]]
id = "doc"
title = { ja = "文書", en = "Document" }
publisher = "p"
location = "l"
[[item]]
id = "1A"
title = { ja = "措置", en = "Measure" }
requirement = { ja = "措置文。", en = "Measure text." }
source = { doc = "doc", table = "t", item = "1A" }
"#;

const LGWAN: &str = r#"schema = 1
[catalog]
id = "l"
version = "1"
title = { ja = "LGWAN", en = "LGWAN" }
[[source]]
id = "doc"
title = { ja = "文書", en = "Document" }
publisher = "p"
location = "l"
[[item]]
id = "L-1"
title = { ja = "要件", en = "Requirement" }
obligation = "required"
requirement = { ja = "要件文。", en = "Requirement text." }
source = { doc = "doc", table = "t", item = "r" }
"#;

fn diagnostics(flat: &str) -> Vec<String> {
    let files = [("p.toml", OTHERS), ("l.toml", LGWAN), ("w.toml", flat)];
    match CatalogSet::from_files(files.iter().map(|(n, t)| (n.to_string(), t.to_string()))) {
        Ok(_) => vec![],
        Err(LoadError::Invalid(d)) => d.iter().map(|d| d.to_string()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn a_flat_catalog_with_references_loads() {
    assert_eq!(diagnostics(FLAT), Vec::<String>::new());
    let files = [("p.toml", OTHERS), ("l.toml", LGWAN), ("w.toml", FLAT)];
    let set =
        CatalogSet::from_files(files.iter().map(|(n, t)| (n.to_string(), t.to_string()))).unwrap();
    assert!(set.check_references().is_empty());
    let w = set.get("w").unwrap();
    let item = w.item("W-1").unwrap();
    assert_eq!(item.obligation, Some(Obligation::Required));
    assert_eq!(item.requirement.as_ref().unwrap().en, "Requirement text.");
    assert_eq!(item.remarks.as_ref().unwrap().ja, "備考。");
    assert_eq!(item.implements, [ItemRef::parse("p:1A").unwrap()]);
    assert_eq!(item.twins[0].to_string(), "l:L-1");
    assert_eq!(item.measures, [1]);
    assert_eq!(w.measure(1).unwrap().name.ja, "対策");
    assert!(w.measure(2).is_none());
    assert_eq!(
        w.item("W-2").unwrap().obligation,
        Some(Obligation::AsNeeded)
    );
    let (cat, target) = set.resolve(&item.twins[0]).unwrap();
    assert_eq!((cat.id.as_str(), target.id.as_str()), ("l", "L-1"));
}

#[test]
fn obligation_spellings() {
    assert_eq!(
        Obligation::ALL.map(Obligation::key),
        ["required", "recommended", "as-needed"]
    );
    assert_eq!(
        Obligation::ALL.map(|o| o.name(Lang::Ja)),
        ["必須", "推奨", "必要に応じて検討"]
    );
    assert_eq!(
        Obligation::ALL.map(|o| o.name(Lang::En)),
        ["Mandatory", "Recommended", "Consider as needed"]
    );
    for o in Obligation::ALL {
        assert_eq!(Obligation::parse(o.key()), Some(o));
        assert_eq!(Obligation::parse(o.name(Lang::Ja)), Some(o));
    }
    assert_eq!(Obligation::parse("mandatory"), None);
    assert!(Obligation::Required < Obligation::AsNeeded);
}

#[test]
fn item_ref_syntax() {
    let r = ItemRef::parse("ppc-safety:2Fd").unwrap();
    assert_eq!((r.catalog.as_str(), r.item.as_str()), ("ppc-safety", "2Fd"));
    assert_eq!(r.to_string(), "ppc-safety:2Fd");
    for bad in ["2Fd", ":2Fd", "ppc-safety:", "a:b:c", "a b:c"] {
        assert_eq!(ItemRef::parse(bad), None, "{bad}");
    }
}

#[test]
fn bad_obligation_spelling() {
    assert_eq!(
        diagnostics(&FLAT.replace("obligation = \"required\"", "obligation = \"mandatory\"")),
        [
            "w.toml:23:14: item[W-1].obligation: unknown obligation `mandatory` (expected `required`, `recommended` or `as-needed`, or 必須/推奨/必要に応じて検討)"
        ]
    );
}

#[test]
fn obligation_is_stated_on_every_item_or_none() {
    assert_eq!(
        diagnostics(&FLAT.replace("obligation = \"必要に応じて検討\"\n", "")),
        [
            "w.toml:32:6: item[W-2].obligation: missing: state it on every item or on none (item `W-1` at w.toml:21:6 states one)"
        ]
    );
}

#[test]
fn requirement_text_is_required_without_levels() {
    assert_eq!(
        diagnostics(&FLAT.replace(
            "requirement = { ja = \"要件文2。\", en = \"Requirement text 2.\" }\n",
            ""
        )),
        [
            "w.toml:32:6: item[W-2].requirement: missing: an item of a catalog without levels states its requirement text"
        ]
    );
    assert_eq!(
        diagnostics(&FLAT.replace("en = \"Requirement text 2.\"", "en = \" \"")),
        ["w.toml:32:6: item[W-2].requirement.en: English text is missing"]
    );
}

#[test]
fn unknown_refs() {
    assert_eq!(
        diagnostics(
            &FLAT
                .replace(
                    "implements = [\"p:1A\"]\ntwins",
                    "implements = [\"p:1B\"]\ntwins"
                )
                .replace("twins = [\"l:L-1\"]", "twins = [\"x:L-1\", \"w:W-2\"]")
                .replace(
                    "implements = [\"p:1A\"]\nsource",
                    "implements = [\"p\"]\nsource"
                )
        ),
        [
            "w.toml:17:15: measure[1].implements: `p` is not an item reference (expected `CATALOG:ITEM`, e.g. `ppc-safety:2Fd`)"
        ]
    );
    assert_eq!(
        diagnostics(
            &FLAT
                .replace(
                    "implements = [\"p:1A\"]\ntwins",
                    "implements = [\"p:1B\"]\ntwins"
                )
                .replace("twins = [\"l:L-1\"]", "twins = [\"x:L-1\", \"w:W-2\"]")
                .replace(
                    "implements = [\"p:1A\"]\nsource",
                    "implements = [\"l:L-2\"]\nsource"
                )
        ),
        [
            "w.toml:15:10: measure[1].implements: `l:L-2`: catalog `l` has no item `L-2`",
            "w.toml:26:15: item[W-1].implements: `p:1B`: catalog `p` has no item `1B`",
            "w.toml:27:10: item[W-1].twins: `x:L-1`: no catalog `x` (loaded: p, l, w)",
            "w.toml:27:19: item[W-1].twins: `w:W-2`: a twin is the same requirement in another catalog, not in `w`",
        ]
    );
}

#[test]
fn unknown_and_duplicate_measures() {
    assert_eq!(
        diagnostics(&FLAT.replace("measures = [1]", "measures = [1, 3, 1]")),
        [
            "w.toml:28:16: item[W-1].measures: catalog `w` has no measure 3 (defined: 1)",
            "w.toml:28:19: item[W-1].measures: `1` is listed twice",
        ]
    );
    let twice = FLAT.replace(
        "[[item]]\nid = \"W-1\"",
        "[[measure]]\nnumber = 1\nname = { ja = \"再\", en = \"Again\" }\nsource = { doc = \"doc\", table = \"t\", item = \"①\" }\n\n[[item]]\nid = \"W-1\"",
    );
    assert_eq!(
        diagnostics(&twice),
        ["w.toml:21:10: measure[1].number: duplicate measure number in this file"]
    );
}

#[test]
fn extend_mode_upserts_measures_by_number() {
    let ext = r#"schema = 1
[catalog]
id = "w"
mode = "extend"

[[measure]]
number = 1
name = { ja = "対策（改）", en = "Measure (revised)" }
implements = ["p:1A"]
source = { doc = "doc", table = "t", item = "①" }

[[measure]]
number = 2
name = { ja = "追加の対策", en = "Added measure" }
source = { doc = "doc", table = "org", item = "②" }

[[item]]
id = "W-3"
title = { ja = "独自", en = "Own" }
obligation = "recommended"
requirement = { ja = "独自の要件。", en = "Own requirement." }
measures = [2]
source = { doc = "doc", table = "org", item = "W-3" }
"#;
    let files = [
        ("p.toml", OTHERS),
        ("l.toml", LGWAN),
        ("w.toml", FLAT),
        ("x.toml", ext),
    ];
    let set = CatalogSet::from_files(files.iter().map(|(n, t)| (n.to_string(), t.to_string())))
        .unwrap_or_else(|e| panic!("{e}"));
    let w = set.get("w").unwrap();
    let numbers: Vec<u8> = w.measures.iter().map(|m| m.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(w.measure(1).unwrap().name.ja, "対策（改）");
    assert_eq!(w.item("W-3").unwrap().measures, [2]);
}
