//! The safety-measure map of an assessment: golden SVG.

use std::collections::BTreeMap;

use jiff::civil::{Date, date};
use mamori_assess::{
    Assessment, Evidence, EvidenceKind, ItemResult, Outcome, Remediation, RemediationStatus, State,
    Target, measure_statuses,
};
use mamori_catalog::{Catalog, CatalogSet, Lang};
use mamori_export::safety_map_svg;
use mamori_model::Segment;

use super::golden;

/// Golden files of these tests live next to them (`UPDATE_GOLDEN=1` rewrites them).
fn golden_here(name: &str, actual: &[u8]) {
    golden(
        &format!("../../crates/mamori-export/tests/golden/{name}"),
        actual,
    );
}

fn set() -> CatalogSet {
    CatalogSet::builtin().unwrap()
}

fn evidence(id: i64, title: &str, added_on: Date) -> Evidence {
    Evidence {
        id,
        kind: EvidenceKind::Note,
        title: title.into(),
        url: None,
        note: String::new(),
        file: None,
        analyzer: None,
        added_on,
        added_by: "assessor".into(),
    }
}

fn result(outcome: Outcome, comment: &str) -> ItemResult {
    ItemResult {
        outcome,
        comment: comment.into(),
        ..ItemResult::default()
    }
}

/// A My Number WLAN assessment with every outcome: 適合, 一部適合, 不適合, 該当なし with and
/// without a justification, 未評価 (items left out); evidence, one item older than the limit;
/// two remediations with due dates (listed in due-date order, not catalog order).
fn fixture(catalog: &Catalog) -> Assessment {
    let mut results = BTreeMap::new();
    for item in &catalog.items {
        results.insert(item.id.clone(), result(Outcome::Compliant, ""));
    }
    // 未評価: no entry.
    for id in ["MN-12", "MN-13"] {
        results.remove(id);
    }
    let mut enc = result(
        Outcome::Compliant,
        "WPA3-Enterprise（AES-256）で運用 <設定画面で確認>",
    );
    enc.evidence = vec![
        evidence(1, "無線LANコントローラ設定一覧", date(2026, 10, 1)),
        evidence(2, "2024年度 設定確認記録", date(2025, 6, 30)),
    ];
    results.insert("MN-01".into(), enc);
    let mut auth = result(
        Outcome::Partial,
        "証明書認証は導入済み。一部の端末で証明書の更新が未了。",
    );
    auth.remediation = Some(Remediation {
        action: "残る端末の証明書を更新する".into(),
        owner: "情報政策課".into(),
        due: Some(date(2027, 3, 31)),
        status: RemediationStatus::InProgress,
    });
    results.insert("MN-02".into(), auth);
    let mut logs = result(
        Outcome::NonCompliant,
        "アクセスログを定期的に確認していない。",
    );
    logs.remediation = Some(Remediation {
        action: "月次でアクセスログを確認し総括責任者に報告する".into(),
        owner: "情報政策課 & 監査担当".into(),
        due: Some(date(2027, 1, 31)),
        status: RemediationStatus::Open,
    });
    logs.evidence = vec![evidence(3, "ログ確認手順（案）", date(2026, 11, 1))];
    results.insert("MN-04".into(), logs);
    results.insert(
        "MN-07".into(),
        result(
            Outcome::NotApplicable,
            "無線IDS/IPSは必要に応じて検討とされ、電波監視で代替",
        ),
    );
    results.insert("MN-15".into(), result(Outcome::NotApplicable, ""));
    results.insert(
        "MN-21".into(),
        result(
            Outcome::NonCompliant,
            "のぞき見防止フィルター未装着の端末あり <3台>",
        ),
    );
    Assessment {
        id: 7,
        title: "無線LAN（マイナンバー利用事務系）2026年度".into(),
        catalog: catalog.id.clone(),
        target: Target::Segment {
            segment: Segment::MyNumber,
        },
        date: date(2026, 11, 20),
        state: State::InReview,
        version_no: 2,
        previous: Some(3),
        created_by: "山田 太郎".into(),
        signed_by: None,
        signed_at: None,
        evidence_max_age_days: 365,
        results,
    }
}

#[test]
fn safety_map_svg_golden_ja_and_en() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let a = fixture(c);
    let st = measure_statuses(c, &a);
    let ja = safety_map_svg(c, &st, Lang::Ja, None);
    golden_here("wlan-mynumber.map.ja.svg", ja.as_bytes());
    golden_here(
        "wlan-mynumber.map.en.svg",
        safety_map_svg(c, &st, Lang::En, None).as_bytes(),
    );
    assert!(ja.starts_with("<svg "));
    assert!(ja.contains(r#"role="img""#));
    assert!(ja.contains("<title id=\"mamori-map-title\">特定個人情報に関する安全管理措置実施のための対策イメージ（全体）</title>"));
    // Ten measures, each once as a group, coloured by status: ③ (MN-04 不適合, MN-05 適合) is
    // partial, ⑩ (MN-01) met, ⑦ (MN-20 適合, MN-21 不適合) partial.
    assert_eq!(ja.matches(r#"<g class="measure""#).count(), 10);
    assert!(ja.contains(r#"data-measure="10" data-status="met""#));
    assert!(ja.contains(r#"data-measure="3" data-status="partial""#));
    assert!(
        ja.contains("MN-04, MN-05"),
        "tooltips list the requirements"
    );
    assert!(!ja.contains("<a "), "no links without a link function");
    for threat in ["偽AP", "認証情報傍受", "端末画面", "盗聴・"] {
        assert!(ja.contains(threat), "{threat}");
    }
    // Links, escaping, determinism.
    let link = |n: u8| format!("/assessments/7?m={n}&view=map");
    let linked = safety_map_svg(c, &st, Lang::Ja, Some(&link));
    assert!(linked.contains(r#"<a href="/assessments/7?m=8&amp;view=map">"#));
    assert_eq!(linked.matches("<a href=").count(), 10);
    assert_eq!(linked, safety_map_svg(c, &st, Lang::Ja, Some(&link)));
    // Well-formed XML that resvg can read (the same parser the Word picture uses).
    roxmltree_check(&linked);
}

/// Every tag opened is closed (a cheap well-formedness check without an XML dependency).
fn roxmltree_check(svg: &str) {
    let opens = svg.matches("<g ").count() + svg.matches("<g>").count();
    assert_eq!(opens, svg.matches("</g>").count());
    assert_eq!(
        svg.matches("<text ").count(),
        svg.matches("</text>").count()
    );
    assert_eq!(svg.matches("<a ").count(), svg.matches("</a>").count());
}

