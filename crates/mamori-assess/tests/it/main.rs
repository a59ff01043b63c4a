#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use jiff::civil::date;
use mamori_assess::workflow::{self, AssessError};
use mamori_assess::*;
use mamori_catalog::{CatalogSet, Obligation};
use mamori_model::Segment;

fn set() -> CatalogSet {
    CatalogSet::builtin().unwrap()
}

fn new(catalog: &str) -> Assessment {
    Assessment {
        id: 1,
        title: "無線LAN 2026年度".into(),
        catalog: catalog.into(),
        catalog_version: "R7.3-draft".into(),
        target: Target::Segment {
            segment: Segment::MyNumber,
        },
        date: date(2026, 12, 1),
        state: State::Draft,
        version_no: 1,
        previous: None,
        created_by: "assessor".into(),
        signed_by: None,
        signed_at: None,
        evidence_max_age_days: 365,
        results: BTreeMap::new(),
    }
}

fn put(a: &mut Assessment, item: &str, outcome: Outcome, comment: &str) {
    a.results.insert(
        item.into(),
        ItemResult {
            outcome,
            comment: comment.into(),
            ..ItemResult::default()
        },
    );
}

fn all_compliant(a: &mut Assessment, c: &mamori_catalog::Catalog) {
    for i in &c.items {
        put(a, &i.id, Outcome::Compliant, "");
    }
}

#[test]
fn reports_draw_on_the_ppc_and_lgwan_catalogs() {
    let set = set();
    let (ppc, base) = related_catalogs(&set, set.get("wlan-mynumber").unwrap());
    assert_eq!(ppc.map(|c| c.id.as_str()), Some("ppc-safety"));
    assert_eq!(base.map(|c| c.id.as_str()), Some("wlan-lgwan"));
    let (ppc, base) = related_catalogs(&set, set.get("wlan-lgwan").unwrap());
    assert!(ppc.is_none() && base.is_none());
    let mut a = new("wlan-lgwan");
    let c = set.get("wlan-lgwan").unwrap();
    a.catalog_version = c.version.clone();
    assert_eq!(catalog_version_note(&a, c), None);
    a.catalog_version = "R2.5".into();
    assert!(
        catalog_version_note(&a, c)
            .unwrap()
            .contains("version R2.5")
    );
}

#[test]
fn wlan_catalogs_are_assessable_and_the_others_are_not() {
    let set = set();
    let ids: Vec<&str> = set
        .iter()
        .filter(|c| is_assessable(c))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["wlan-lgwan", "wlan-mynumber"]);
}

#[test]
fn overall_is_compliant_only_when_every_mandatory_item_is_met() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let mut a = new("wlan-mynumber");
    let e = evaluate(c, &a);
    assert_eq!(e.overall, Overall::NotCompliant);
    let required = c
        .items
        .iter()
        .filter(|i| i.obligation == Some(Obligation::Required))
        .count();
    assert_eq!(e.blocking, required);
    assert_eq!(e.tally.count(Outcome::NotAssessed), c.items.len());

    all_compliant(&mut a, c);
    assert_eq!(evaluate(c, &a).overall, Overall::Compliant);

    // A recommended item not met does not change the overall result.
    put(
        &mut a,
        "MN-14",
        Outcome::NonCompliant,
        "電波状況の監視は未導入",
    );
    let e = evaluate(c, &a);
    assert_eq!(e.overall, Overall::Compliant);
    assert_eq!(e.gaps.len(), 1);

    // 該当なし on a mandatory item counts only with a justification.
    put(&mut a, "MN-03", Outcome::NotApplicable, "");
    let e = evaluate(c, &a);
    assert_eq!(e.overall, Overall::NotCompliant);
    assert_eq!(e.blocking, 1);
    assert_eq!(e.gaps[0].item.id, "MN-03");
    assert_eq!(e.gaps[0].reason, GapReason::Unjustified);
    put(
        &mut a,
        "MN-03",
        Outcome::NotApplicable,
        "保守は現地のみで無線LAN経由の管理アクセスなし",
    );
    assert_eq!(evaluate(c, &a).overall, Overall::Compliant);

    // A partial result on a mandatory item is not compliant.
    put(&mut a, "MN-05", Outcome::Partial, "月次確認のみ");
    assert_eq!(evaluate(c, &a).overall, Overall::NotCompliant);
}

#[test]
fn gaps_list_mandatory_first_then_recommended_then_as_needed() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let mut a = new("wlan-mynumber");
    all_compliant(&mut a, c);
    put(&mut a, "MN-07", Outcome::NonCompliant, "IDS 未導入");
    put(&mut a, "MN-15", Outcome::Partial, "");
    put(&mut a, "MN-20", Outcome::NonCompliant, "持出しルール未整備");
    a.results.remove("MN-02");
    let e = evaluate(c, &a);
    let order: Vec<(&str, Option<Obligation>)> = e
        .gaps
        .iter()
        .map(|g| (g.item.id.as_str(), g.obligation))
        .collect();
    assert_eq!(
        order,
        [
            ("MN-02", Some(Obligation::Required)),
            ("MN-20", Some(Obligation::Required)),
            ("MN-15", Some(Obligation::Recommended)),
            ("MN-07", Some(Obligation::AsNeeded)),
        ]
    );
    assert_eq!(e.gaps[0].reason, GapReason::NotAssessed);
    assert_eq!(e.blocking, 2);
    // Category tallies add up to the whole.
    let sum: usize = e.categories.iter().map(|c| c.tally.total()).sum();
    assert_eq!(sum, c.items.len());
    assert_eq!(
        e.categories
            .iter()
            .map(|c| c.group.map(|g| g.id.as_str()))
            .collect::<Vec<_>>(),
        [Some("tech"), Some("org"), Some("phys")]
    );
}

#[test]
fn stale_evidence_is_flagged_by_age() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let mut a = new("wlan-mynumber");
    let ev = |id: i64, on| Evidence {
        id,
        kind: EvidenceKind::Note,
        title: "確認記録".into(),
        url: None,
        note: "アクセスログ確認".into(),
        file: None,
        analyzer: None,
        added_on: on,
        added_by: "assessor".into(),
    };
    put(&mut a, "MN-04", Outcome::Compliant, "");
    let r = a.results.get_mut("MN-04").unwrap();
    r.evidence.push(ev(1, date(2025, 12, 1))); // exactly 365 days: not stale
    r.evidence.push(ev(2, date(2025, 11, 30))); // 366 days
    let e = evaluate(c, &a);
    assert_eq!(e.stale.len(), 1);
    assert_eq!(e.stale[0].evidence.id, 2);
    assert_eq!(e.stale[0].age_days, 366);
}

#[test]
fn measure_statuses_follow_their_requirements() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let mut a = new("wlan-mynumber");
    let s = measure_statuses(c, &a);
    assert_eq!(s.len(), 10);
    assert!(s.iter().all(|m| m.status == Coverage::NotAssessed));
    // ⑩ 通信の暗号化 is MN-01 alone.
    put(&mut a, "MN-01", Outcome::Compliant, "");
    // ⑧ has two requirements: one met, one not.
    put(&mut a, "MN-02", Outcome::Compliant, "");
    put(
        &mut a,
        "MN-03",
        Outcome::NonCompliant,
        "初期パスワードのまま",
    );
    // ③: both not met.
    put(&mut a, "MN-04", Outcome::NonCompliant, "");
    put(&mut a, "MN-05", Outcome::NonCompliant, "");
    let s = measure_statuses(c, &a);
    let by = |n: u8| s.iter().find(|m| m.number == n).unwrap();
    assert_eq!(by(10).status, Coverage::Met);
    assert_eq!(by(10).items, ["MN-01"]);
    assert_eq!(by(8).status, Coverage::Partial);
    assert_eq!(by(3).status, Coverage::NotMet);
    assert_eq!(by(1).status, Coverage::NotAssessed);
}

#[test]
fn ppc_coverage_links_requirements_directly_and_through_measures() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let ppc = set.get(PPC_CATALOG).unwrap();
    let mut a = new("wlan-mynumber");
    all_compliant(&mut a, c);
    put(&mut a, "MN-21", Outcome::NonCompliant, "フィルター未装着");
    let cov = coverage(ppc, c, &a);
    assert_eq!(cov.len(), ppc.items.len());
    let by = |id: &str| cov.iter().find(|m| m.measure.id == id).unwrap();
    let ids = |id: &str| -> Vec<String> {
        by(id)
            .requirements
            .iter()
            .map(|(i, _, _)| i.clone())
            .collect()
    };
    assert_eq!(ids("2Fd"), ["MN-01"]);
    assert_eq!(by("2Fd").status, Coverage::Met);
    // 2Eb is reached through measure ⑦ (事務取扱担当者の端末の保護).
    assert_eq!(by("2Eb").via_measures, [7]);
    assert_eq!(ids("2Eb"), ["MN-20", "MN-21"]);
    assert_eq!(by("2Eb").status, Coverage::Partial);
    // Every PPC measure is implemented by something.
    assert!(cov.iter().all(|m| !m.requirements.is_empty()), "{cov:?}");
}

#[test]
fn mynumber_catalog_differs_from_lgwan_by_its_added_measures() {
    let set = set();
    let lg = set.get("wlan-lgwan").unwrap();
    let mn = set.get("wlan-mynumber").unwrap();
    let d = compare(lg, mn);
    // Every LGWAN requirement has a My Number twin except the visualisation/log row (LG-04),
    // which the My Number table replaces with its own access-log requirements.
    let only_base: Vec<&str> = d.only_base.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(only_base, ["LG-04"]);
    let only_derived: Vec<&str> = d.only_derived.iter().map(|i| i.id.as_str()).collect();
    assert!(only_derived.contains(&"MN-03") && only_derived.contains(&"MN-16"));
    assert_eq!(d.pairs.len() + d.only_derived.len(), mn.items.len());
    assert!(
        d.pairs.iter().all(|p| !p.obligation_differs),
        "{:?}",
        d.pairs
    );
}

#[test]
fn workflow_steps_and_locking() {
    let set = set();
    let c = set.get("wlan-lgwan").unwrap();
    let mut a = new("wlan-lgwan");
    put(&mut a, "LG-01", Outcome::Compliant, "");
    match workflow::transition(c, &a, State::InReview) {
        Err(AssessError::Incomplete(missing)) => {
            assert_eq!(missing.len(), c.items.len() - 1);
            assert_eq!(missing[0], "LG-02");
        }
        other => panic!("{other:?}"),
    }
    all_compliant(&mut a, c);
    assert_eq!(
        workflow::transition(c, &a, State::InReview),
        Ok(State::InReview)
    );
    assert_eq!(
        workflow::transition(c, &a, State::SignedOff),
        Err(AssessError::BadTransition {
            from: State::Draft,
            to: State::SignedOff
        })
    );
    a.state = State::InReview;
    assert_eq!(
        workflow::check_editable(a.state),
        Err(AssessError::InReview)
    );
    assert_eq!(workflow::transition(c, &a, State::Draft), Ok(State::Draft));
    assert_eq!(
        workflow::transition(c, &a, State::SignedOff),
        Ok(State::SignedOff)
    );
    a.state = State::SignedOff;
    assert!(matches!(
        workflow::check_editable(a.state),
        Err(AssessError::Locked(State::SignedOff))
    ));
    assert!(workflow::transition(c, &a, State::Draft).is_err());

    assert_eq!(
        workflow::check_copy_source(&new("wlan-lgwan")),
        Err(AssessError::CopyNotSignedOff(State::Draft))
    );
    assert_eq!(workflow::check_copy_source(&a), Ok(()));
    let next = workflow::copy_forward(&a, date(2027, 12, 1), "無線LAN 2027年度", "officer");
    assert_eq!(next.version_no, 2);
    assert_eq!(next.previous, Some(1));
    assert_eq!(next.state, State::Draft);
    assert_eq!(next.results, a.results);
}

#[test]
fn bad_input_gets_clear_errors() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let e = workflow::requirement(c, "MN-99").unwrap_err();
    assert_eq!(
        e.to_string(),
        "catalog `wlan-mynumber` has no requirement `MN-99`"
    );
    let e = workflow::parse_outcome("ok").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`ok` is not a result (expected one of: compliant, partial, non_compliant, \
         not_applicable, not_assessed)"
    );
    assert_eq!(workflow::parse_outcome("一部適合"), Ok(Outcome::Partial));
    assert_eq!(
        workflow::parse_outcome("non-compliant"),
        Ok(Outcome::NonCompliant)
    );
    let item = c.item("MN-01").unwrap();
    assert_eq!(
        workflow::check_result(item, Outcome::NotApplicable, "  "),
        Err(AssessError::JustificationRequired("MN-01".into()))
    );
    assert!(workflow::parse_date("2026-13-01").is_err());
    assert!(workflow::check_url("javascript:alert(1)").is_err());
    assert!(workflow::check_url("https://intra.example.lg.jp/wlan/設計書.pdf").is_ok());
}

#[test]
fn uploads_are_checked_by_size_name_and_content() {
    let limit = 1024;
    assert_eq!(
        workflow::check_upload("log.csv", b"", limit),
        Err(AssessError::EmptyFile)
    );
    assert_eq!(
        workflow::check_upload("log.csv", &[b'a'; 1025], limit),
        Err(AssessError::TooLarge {
            size: 1025,
            limit: 1024
        })
    );
    assert_eq!(
        workflow::check_upload("設定確認.pdf", b"%PDF-1.7\n...", limit),
        Ok("application/pdf")
    );
    // A PDF name on something that is not a PDF.
    let e = workflow::check_upload("evidence.pdf", b"MZ\x90\x00", limit).unwrap_err();
    assert!(e.to_string().contains("not a .pdf file"), "{e}");
    // Executables are refused by name.
    let e = workflow::check_upload("setup.exe", b"MZ\x90\x00", limit).unwrap_err();
    assert!(
        e.to_string().contains("`.exe` files are not accepted"),
        "{e}"
    );
    // Shift_JIS CSV is text.
    let sjis = b"\x92\x5b\x96\x96,MAC\r\nPC-001,00:11:22:33:44:55\r\n";
    assert_eq!(
        workflow::check_upload("端末台帳.csv", sjis, limit),
        Ok("text/csv")
    );
    assert!(workflow::check_upload("bin.csv", b"a\x00b", limit).is_err());
    assert!(workflow::check_upload("../x.pdf", b"%PDF-", limit).is_err());
}
