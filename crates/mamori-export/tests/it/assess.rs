//! The assessment report and the safety-measure map: golden SVG and HTML, the workbook read
//! back with calamine, the Word document unzipped and converted by LibreOffice.

use std::collections::BTreeMap;

use jiff::civil::{Date, date};
use mamori_assess::{
    Assessment, Evidence, EvidenceKind, ItemResult, Outcome, Remediation, RemediationStatus, State,
    Target, measure_statuses,
};
use mamori_catalog::{Catalog, CatalogSet, Lang};
use mamori_export::{
    AssessmentReport, assessment_docx, assessment_html, assessment_xlsx, safety_map_svg,
};
use mamori_model::Segment;

use super::{docx_to_pdf, golden, zip_entry};

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
    // 未評価: no entry (MN-25 and MN-26 are all of measure ⑥, which stays grey).
    for id in ["MN-12", "MN-13", "MN-25", "MN-26"] {
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
        "MN-22".into(),
        result(Outcome::NonCompliant, "執務室が他部門と共用"),
    );
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
        catalog_version: catalog.version.clone(),
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

fn report<'a>(set: &'a CatalogSet, a: &'a Assessment, lang: Lang) -> AssessmentReport<'a> {
    AssessmentReport {
        catalog: set.get("wlan-mynumber").unwrap(),
        assessment: a,
        ppc: set.get("ppc-safety"),
        base: set.get("wlan-lgwan"),
        organisation: "みらい市",
        lang,
        generated: date(2026, 11, 23),
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
    assert_eq!(ja.matches(r#"<g class="mm-measure""#).count(), 10);
    assert!(ja.contains(r#"data-measure="10" data-status="met""#));
    assert!(ja.contains(r#"data-measure="3" data-status="partial""#));
    assert!(ja.contains(r#"data-measure="4" data-status="not_met""#));
    assert!(ja.contains(r#"data-measure="6" data-status="not_assessed""#));
    assert!(
        ja.contains("MN-04, MN-05"),
        "tooltips list the requirements"
    );
    assert!(!ja.contains("<a "), "no links without a link function");
    for threat in ["偽AP", "認証情報傍受", "端末画面", "盗聴・"] {
        assert!(ja.contains(threat), "{threat}");
    }
    // No `style` attributes (the web page's CSP admits the `<style>` block by its hash, never
    // inline styles): the badge numbers are coloured by a presentation attribute that no rule
    // of the style block overrides.
    let en = safety_map_svg(c, &st, Lang::En, None);
    for svg in [&ja, &en] {
        assert!(!svg.contains(" style="), "a style attribute in the map");
        assert_eq!(svg.matches("<style>").count(), 1);
    }
    assert!(ja.contains(r##"class="mm-bn" fill="#ffffff">10</text>"##));
    assert!(ja.contains(r##"class="mm-bn" fill="#1a1a1a">3</text>"##));
    let style = &ja[ja.find("<style>").unwrap()..ja.find("</style>").unwrap()];
    assert!(style.contains(".mamori-map{fill:#1a1a1a}"));
    assert!(
        !style.contains("text{font-size:11px;fill"),
        "a rule filling every text would override the badge ink"
    );
    // Links, escaping, determinism.
    let link = |n: u8| format!("/assessments/7?m={n}&view=map");
    let linked = safety_map_svg(c, &st, Lang::Ja, Some(&link));
    assert!(linked.contains(r#"<a href="/assessments/7?m=8&amp;view=map">"#));
    assert!(!linked.contains(" style="));
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

#[test]
fn assessment_html_golden_and_content() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let a = fixture(c);
    let html = assessment_html(&report(&set, &a, Lang::Ja));
    golden_here("wlan-mynumber.assessment.ja.html", html.as_bytes());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
    assert!(html.contains("@page{size:A4"));
    assert!(html.contains("<svg "), "inline map");
    assert!(
        html.contains(r##"<a href="#measure-3">"##),
        "badges link to the table"
    );
    assert!(html.contains(r#"<tr id="measure-3">"#));
    assert!(html.contains("総合判定：不適合"));
    assert!(html.contains("2026-11-20（令和8年11月20日）"));
    // Comments are escaped, never markup.
    assert!(html.contains("未装着の端末あり &lt;3台&gt;"));
    assert!(!html.contains("<3台"));
    assert!(html.contains("情報政策課 &amp; 監査担当"));
    // Remediation plan in due-date order: MN-04 (2027-01-31) before MN-02 (2027-03-31).
    let plan = &html[html.find("id=\"plan\"").unwrap()..];
    assert!(plan.find("MN-04").unwrap() < plan.find("MN-02").unwrap());
    // The LGWAN difference and every requirement with its evidence (collection date with 和暦),
    // the stale one flagged.
    assert!(html.contains(r#"<h2 id="diff">5. LGWAN差分</h2>"#));
    assert!(html.contains("<p>対応あり 11 件、本カタログのみ（追加要件） 15 件"));
    assert!(html.contains(r#"<h2 id="requirements">6. 要件一覧</h2>"#));
    let reqs = &html[html.find("id=\"requirements\"").unwrap()..html.find("id=\"plan\"").unwrap()];
    assert_eq!(
        reqs.matches("<tr><td class=\"nw\">MN-").count(),
        c.items.len()
    );
    assert!(reqs.contains("無線LANコントローラ設定一覧（メモ、2026-10-01（令和8年10月1日））"));
    assert!(reqs.contains(r#"<td class="stale">2024年度 設定確認記録（508 日経過）</td>"#));
    assert!(
        !reqs.contains("<td class=\"stale\">ログ確認手順"),
        "recent evidence is not stale"
    );
    // Not signed off: blank lines for both officers.
    let sign = &html[html.find("id=\"signoff\"").unwrap()..];
    assert!(sign.contains("総括責任者") && sign.contains("情報セキュリティ責任者"));
    assert!(sign.contains("　　年　　月　　日"));

    let en = assessment_html(&report(&set, &a, Lang::En));
    assert!(en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(en.contains("<strong>Overall result: Not compliant</strong>"));
    assert!(en.contains("Encryption of communications"));
    assert!(en.contains(r#"<h2 id="requirements">6. Requirements</h2>"#));
    assert!(en.contains("2024年度 設定確認記録 (Note, 2025-06-30)"));
}

#[test]
fn assessment_xlsx_reads_back() {
    use calamine::{Reader, Xlsx};
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let a = fixture(c);
    let bytes = assessment_xlsx(&report(&set, &a, Lang::Ja)).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "概要",
            "ギャップ",
            "分類別",
            "要件一覧",
            "PPC対応",
            "LGWAN差分",
            "是正計画"
        ]
    );
    let rows = |wb: &mut Xlsx<_>, name: &str| -> Vec<Vec<String>> {
        wb.worksheet_range(name)
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let summary = rows(&mut wb, "概要");
    let overall = summary.iter().find(|r| r[0] == "総合判定").unwrap();
    assert!(overall[1].starts_with("不適合（必須要件"), "{overall:?}");
    let date = summary.iter().find(|r| r[0] == "評価日").unwrap();
    assert_eq!(date[1], "2026-11-20（令和8年11月20日）");
    let required = summary.iter().find(|r| r[0] == "必須").unwrap();
    assert_eq!(required.len(), 8, "区分, five outcomes, met, total");

    let gaps = rows(&mut wb, "ギャップ");
    assert_eq!(gaps[0][0], "ID");
    assert_eq!(
        gaps[1][3], "必須",
        "the first gap is a 必須 item: {:?}",
        gaps[1]
    );
    let last_required = gaps.iter().rposition(|r| r[3] == "必須").unwrap();
    assert!(gaps[last_required + 1..].iter().all(|r| r[3] != "必須"));
    assert!(
        gaps.iter()
            .any(|r| r[0] == "MN-15" && r[5] == "該当なしの理由が未記載")
    );
    assert!(
        !gaps.iter().any(|r| r[0] == "MN-07"),
        "justified 該当なし is met"
    );

    let ppc = rows(&mut wb, "PPC対応");
    let fd = ppc.iter().find(|r| r[0] == "2Fd").unwrap();
    assert!(fd[4].contains("MN-01 通信の暗号化：適合"), "{fd:?}");
    assert_eq!(fd[3], "⑩");

    let reqs = rows(&mut wb, "要件一覧");
    assert_eq!(reqs.len(), c.items.len() + 1);
    let mn01 = reqs.iter().find(|r| r[0] == "MN-01").unwrap();
    assert_eq!(mn01[8], "2");
    assert!(
        mn01[10].contains("2024年度 設定確認記録"),
        "stale evidence flagged"
    );

    let diff = rows(&mut wb, "LGWAN差分");
    assert!(diff.iter().any(|r| r[1] == "MN-01" && r[4] == "LG-01"));
    let plan = rows(&mut wb, "是正計画");
    assert_eq!(plan[1][1], "MN-04");
    assert_eq!(plan[2][1], "MN-02");

    let sheet = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    assert!(sheet.contains(r#"state="frozen""#));
    let workbook = zip_entry(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "header rows repeat"
    );

    let en = assessment_xlsx(&report(&set, &a, Lang::En)).unwrap();
    let wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(en)).unwrap();
    assert_eq!(wb.sheet_names()[..2], ["Summary", "Gaps"]);
}

#[test]
fn assessment_docx_has_wareki_signoff_and_map_and_converts() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let mut a = fixture(c);
    let bytes = assessment_docx(&report(&set, &a, Lang::Ja)).unwrap();
    let xml = zip_entry(&bytes, "word/document.xml");
    assert!(xml.contains("2026-11-23（令和8年11月23日）"));
    assert!(xml.contains("2026-11-20（令和8年11月20日）"));
    assert!(xml.contains("総合判定：不適合"));
    assert!(xml.contains("総括責任者") && xml.contains("情報セキュリティ責任者"));
    assert!(xml.contains("<w:drawing>"), "the map is a picture");
    // The LGWAN difference (pairs, only in either catalog, 区分 differences) and every
    // requirement with its result, comment and evidence; the stale evidence flagged.
    assert!(xml.contains("5. LGWAN差分"));
    assert!(xml.contains(
        "対応あり 11 件、本カタログのみ（追加要件） 15 件、基準カタログのみ 1 件、区分の違い 0 件"
    ));
    assert!(xml.contains("LG-01"));
    assert!(xml.contains("6. 要件一覧"));
    assert!(xml.contains("7. 是正計画") && xml.contains("8. 承認・確認"));
    let reqs = &xml[xml.find("6. 要件一覧").unwrap()..xml.find("7. 是正計画").unwrap()];
    assert!(reqs.contains("無線LANコントローラ設定一覧（メモ、2026-10-01（令和8年10月1日））"));
    assert!(reqs.contains("2024年度 設定確認記録（508 日経過）"));
    assert!(reqs.contains("のぞき見防止フィルター未装着の端末あり &lt;3台&gt;"));
    for item in &c.items {
        assert!(
            reqs.contains(&format!(">{}<", item.id)),
            "{} listed",
            item.id
        );
    }
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let media: Vec<String> = z
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .map(|n| n.into_owned())
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let mut png = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name(&media[0]).unwrap(), &mut png).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG picture part");
    let keep = super::root().join("target/test-artifacts");
    if std::fs::create_dir_all(&keep).is_ok() {
        let _ = std::fs::write(keep.join("wlan-mynumber.map.png"), &png);
        let _ = std::fs::write(keep.join("wlan-mynumber.assessment.docx"), &bytes);
    }
    // The English document builds too, with the English map.
    let en = assessment_docx(&report(&set, &a, Lang::En)).unwrap();
    let en_xml = zip_entry(&en, "word/document.xml");
    assert!(en_xml.contains("Overall result: Not compliant"));
    assert!(en_xml.contains("5. LGWAN differences") && en_xml.contains("6. Requirements"));
    assert!(en_xml.contains("2024年度 設定確認記録 (Note, 2025-06-30)"));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&en)).unwrap();
    let mut en_png = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name(&media[0]).unwrap(), &mut en_png).unwrap();
    let _ = std::fs::write(keep.join("wlan-mynumber.map.en.png"), &en_png);

    // Signed off: the approval line names the officer and the date.
    a.state = State::SignedOff;
    a.signed_by = Some("佐藤 花子".into());
    a.signed_at = Some("2026-11-22T10:00:00+09:00".into());
    let signed = assessment_docx(&report(&set, &a, Lang::Ja)).unwrap();
    let xml = zip_entry(&signed, "word/document.xml");
    assert!(
        xml.contains("承認：情報セキュリティ責任者 佐藤 花子（2026-11-22（令和8年11月22日））"),
        "sign-off line"
    );

    let Some((dir, text)) = docx_to_pdf(&bytes, "assessment") else {
        return;
    };
    if let Some(text) = text {
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for needle in [
            "無線LAN（マイナンバー利用事務系）2026年度評価報告書",
            "総合判定：不適合",
            "令和8年11月23日",
            "要件一覧",
            "無線LANコントローラ設定一覧",
        ] {
            assert!(flat.contains(needle), "PDF text lacks {needle}: {text}");
        }
    }
    if std::fs::create_dir_all(&keep).is_ok() {
        let _ = std::fs::copy(
            dir.path().join("assessment.pdf"),
            keep.join("wlan-mynumber.assessment.pdf"),
        );
    }
}
