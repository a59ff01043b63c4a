//! The WLAN access-log review report (無線LANアクセスログ確認結果) as Excel and Word: sources
//! with their SHA-256, the summary, findings by severity with evidence, registered versus
//! seen terminals, and a sign-off block for the reviewer and the 総括責任者.

use docx_rs::{AlignmentType, Paragraph, Run};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use mamori_wlan::audit::{Finding, FindingKind, Report, Severity};
use mamori_wlan::register::TerminalStatus;
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::ExportError;
use crate::docx::{a4_document, pack, para, table};
use crate::wareki::date_with_wareki;
use crate::xlsx::setup_sheet;

const TITLE: &str = "無線LANアクセスログ確認結果";

fn kind_ja(k: FindingKind) -> &'static str {
    match k {
        FindingKind::UnknownTerminal => "未登録端末の接続",
        FindingKind::RetiredTerminal => "廃止端末の接続",
        FindingKind::NonEapTls => "EAP-TLS以外の方式による認証",
        FindingKind::UnknownNas => "未登録の認証装置・機器",
        FindingKind::UnpermittedUser => "無線LAN利用を許可されていない職員",
        FindingKind::UnauthorizedAdmin => "指定外の管理者ログイン",
        FindingKind::RepeatedFailures => "認証失敗の多発",
        FindingKind::LogGap => "ログの欠落（収集できていない時間帯）",
        FindingKind::NeverSeen => "期間中に接続のない登録端末",
    }
}

fn severity_ja(s: Severity) -> &'static str {
    match s {
        Severity::High => "高",
        Severity::Medium => "中",
        Severity::Low => "低",
        Severity::Info => "情報",
    }
}

fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn subject(f: &Finding) -> String {
    let s = &f.subject;
    [
        s.mac.map(|m| format!("MAC {m}")),
        s.cert_serial
            .as_ref()
            .map(|c| format!("証明書シリアル {c}")),
        s.user.as_ref().map(|u| format!("利用者 {u}")),
        s.asset_id.as_ref().map(|a| format!("資産番号 {a}")),
        s.nas.as_ref().map(|n| format!("機器 {n}")),
        s.method.as_ref().map(|m| format!("方式 {m}")),
        s.from.as_ref().map(|f| format!("接続元 {f}")),
        s.source.as_ref().map(|f| format!("ログ {f}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ")
}

fn when(f: &Finding, tz: &TimeZone) -> String {
    match (f.first_seen, f.last_seen) {
        (Some(a), Some(b)) if a == b => local(a, tz),
        (Some(a), Some(b)) => format!("{} – {}", local(a, tz), local(b, tz)),
        _ => "—".into(),
    }
}

fn evidence(f: &Finding) -> String {
    let mut s = f
        .evidence
        .iter()
        .map(|e| format!("{}:{}", e.path, e.line))
        .collect::<Vec<_>>()
        .join("\n");
    if f.evidence_total > f.evidence.len() as u64 {
        s.push_str(&format!("\n… 計 {} 件", f.evidence_total));
    }
    s
}

fn period(r: &Report, tz: &TimeZone) -> String {
    match (r.summary.period_from, r.summary.period_to) {
        (Some(a), Some(b)) => format!("{} – {}", local(a, tz), local(b, tz)),
        (Some(a), None) => format!("{} –", local(a, tz)),
        (None, Some(b)) => format!("– {}", local(b, tz)),
        (None, None) => "ログに含まれる全期間".into(),
    }
}

fn conclusion(r: &Report) -> &'static str {
    if r.summary.conclusion_ok {
        "重大な指摘なし：期間中の接続は登録済みのマイナンバー利用事務系端末（EAP-TLS）および指定された管理者に限られていることを確認した。"
    } else {
        "重大な指摘あり：下記「高」の指摘事項について原因を確認し、対処を記録すること。期間中の接続が登録端末に限られていることは確認できていない。"
    }
}

fn status_ja(s: TerminalStatus) -> &'static str {
    match s {
        TerminalStatus::Active => "稼働",
        TerminalStatus::Retired => "廃止",
    }
}

/// The report as an Excel workbook: 概要 (summary, sources, sign-off), 指摘事項, 端末.
pub fn wlan_report_xlsx(r: &Report, tz: &TimeZone, date: Date) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let bold = Format::new().set_bold();

    let sheet = wb.add_worksheet();
    sheet.set_name("概要")?;
    sheet.set_column_width(0, 22.0)?;
    sheet.set_column_width(1, 90.0)?;
    sheet.write_with_format(0, 0, TITLE, &bold)?;
    let rows: Vec<(String, String)> = vec![
        ("作成日".into(), date_with_wareki(date)),
        ("対象期間".into(), period(r, tz)),
        ("結論".into(), conclusion(r).into()),
        ("記録数".into(), r.summary.records.to_string()),
        ("読めなかった行".into(), r.summary.malformed.to_string()),
        (
            "登録端末（稼働）/ 接続を確認".into(),
            format!(
                "{}（{}）/ {}",
                r.summary.terminals_registered,
                r.summary.terminals_active,
                r.summary.terminals_seen
            ),
        ),
        (
            "指摘（高/中/低/情報）".into(),
            [
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Info,
            ]
            .iter()
            .map(|s| r.summary.findings.get(s).copied().unwrap_or(0).to_string())
            .collect::<Vec<_>>()
            .join(" / "),
        ),
    ];
    let mut row = 2u32;
    for (k, v) in rows {
        sheet.write_with_format(row, 0, k, &wrap)?;
        sheet.write_with_format(row, 1, v, &wrap)?;
        row += 1;
    }
    row += 1;
    sheet.write_with_format(row, 0, "ログ（入力ファイル）", &bold)?;
    row += 1;
    for s in &r.sources {
        for f in &s.files {
            sheet.write_with_format(row, 0, format!("{}（{}）", s.name, s.format.key()), &wrap)?;
            sheet.write_with_format(
                row,
                1,
                format!(
                    "{}\n{} 行 / {} バイト / SHA-256 {}",
                    f.path, f.lines, f.bytes, f.sha256
                ),
                &wrap,
            )?;
            row += 1;
        }
        sheet.write_with_format(row, 0, "", &wrap)?;
        sheet.write_with_format(
            row,
            1,
            format!(
                "記録 {} 件、読めなかった行 {} 件、期間外 {} 件",
                s.records, s.malformed, s.outside_period
            ),
            &wrap,
        )?;
        row += 1;
    }
    row += 1;
    sheet.write_with_format(row, 0, "確認欄", &bold)?;
    row += 1;
    for who in ["確認者（情報システム担当）", "総括責任者"] {
        sheet.write_with_format(row, 0, who, &wrap)?;
        sheet.write_with_format(
            row,
            1,
            "氏名：　　　　　　　　　　日付：　　　年　　月　　日　　　印",
            &wrap,
        )?;
        row += 1;
    }

    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        "指摘事項",
        &[
            ("重要度", 8.0),
            ("種別", 26.0),
            ("対象", 40.0),
            ("内容", 40.0),
            ("日時", 24.0),
            ("件数", 8.0),
            ("根拠（ファイル:行）", 50.0),
        ],
        r.findings.len(),
    )?;
    for (i, f) in r.findings.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let cells = [
            severity_ja(f.severity).to_owned(),
            kind_ja(f.kind).to_owned(),
            subject(f),
            f.detail.clone(),
            when(f, tz),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_with_format(row, u16::try_from(c).unwrap_or(0), v.as_str(), &wrap)?;
        }
        sheet.write_with_format(row, 5, f.count as f64, &wrap)?;
        sheet.write_with_format(row, 6, evidence(f), &wrap)?;
    }

    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        "端末",
        &[
            ("資産番号", 14.0),
            ("MACアドレス", 22.0),
            ("状態", 8.0),
            ("利用者", 14.0),
            ("接続回数", 10.0),
            ("初回", 18.0),
            ("最終", 18.0),
        ],
        r.terminals.len(),
    )?;
    for (i, t) in r.terminals.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let macs = t
            .macs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        let cells = [
            t.asset_id.clone(),
            macs,
            status_ja(t.status).to_owned(),
            t.assigned_to.clone(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_with_format(row, u16::try_from(c).unwrap_or(0), v.as_str(), &wrap)?;
        }
        sheet.write_with_format(row, 4, t.admissions as f64, &wrap)?;
        sheet.write_with_format(
            row,
            5,
            t.first_seen.map(|x| local(x, tz)).unwrap_or_default(),
            &wrap,
        )?;
        sheet.write_with_format(
            row,
            6,
            t.last_seen.map(|x| local(x, tz)).unwrap_or_default(),
            &wrap,
        )?;
    }
    Ok(wb.save_to_buffer()?)
}

/// The report as a Word document for the file: the same content as the workbook.
pub fn wlan_report_docx(r: &Report, tz: &TimeZone, date: Date) -> Result<Vec<u8>, ExportError> {
    let mut doc = a4_document();
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_text(TITLE))
            .style("Title")
            .align(AlignmentType::Center),
    );
    doc = doc.add_paragraph(
        para(&format!("作成日：{}", date_with_wareki(date))).align(AlignmentType::Right),
    );
    doc = doc.add_table(table(
        &["項目", "内容"],
        &[1, 3],
        vec![
            vec!["対象期間".into(), period(r, tz)],
            vec!["結論".into(), conclusion(r).into()],
            vec!["記録数".into(), r.summary.records.to_string()],
            vec!["読めなかった行".into(), r.summary.malformed.to_string()],
            vec![
                "登録端末（稼働）/ 接続を確認".into(),
                format!(
                    "{}（{}）/ {}",
                    r.summary.terminals_registered,
                    r.summary.terminals_active,
                    r.summary.terminals_seen
                ),
            ],
        ],
    ));
    doc = doc.add_paragraph(para("1. 確認したログ").style("Heading1"));
    let mut rows = Vec::new();
    for s in &r.sources {
        for f in &s.files {
            rows.push(vec![
                format!("{}\n{}", f.path, s.format.key()),
                f.lines.to_string(),
                f.sha256.clone(),
            ]);
        }
        rows.push(vec![
            format!("（{} の計）", s.name),
            format!(
                "記録 {} / 不正 {} / 期間外 {}",
                s.records, s.malformed, s.outside_period
            ),
            String::new(),
        ]);
    }
    doc = doc.add_table(table(
        &["ファイル・形式", "行数", "SHA-256"],
        &[5, 3, 6],
        rows,
    ));
    doc = doc.add_paragraph(para("2. 指摘事項").style("Heading1"));
    if r.findings.is_empty() {
        doc = doc.add_paragraph(para("指摘事項はない。"));
    } else {
        doc = doc.add_table(table(
            &["重要度", "種別", "対象・内容", "日時・件数", "根拠"],
            &[1, 3, 5, 3, 4],
            r.findings
                .iter()
                .map(|f| {
                    vec![
                        severity_ja(f.severity).to_owned(),
                        kind_ja(f.kind).to_owned(),
                        format!("{}\n{}", subject(f), f.detail),
                        format!("{}\n{} 件", when(f, tz), f.count),
                        evidence(f),
                    ]
                })
                .collect(),
        ));
    }
    doc = doc.add_paragraph(para("3. 登録端末と接続状況").style("Heading1"));
    doc = doc.add_table(table(
        &["資産番号", "MACアドレス", "状態", "接続回数", "最終接続"],
        &[2, 3, 1, 1, 2],
        r.terminals
            .iter()
            .map(|t| {
                vec![
                    t.asset_id.clone(),
                    t.macs
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    status_ja(t.status).to_owned(),
                    t.admissions.to_string(),
                    t.last_seen
                        .map(|x| local(x, tz))
                        .unwrap_or_else(|| "—".into()),
                ]
            })
            .collect(),
    ));
    doc = doc.add_paragraph(para("4. 確認").style("Heading1"));
    doc = doc.add_table(table(
        &["役割", "氏名", "日付", "印"],
        &[3, 3, 3, 1],
        vec![
            vec![
                "確認者（情報システム担当）".into(),
                String::new(),
                "　　年　　月　　日".into(),
                String::new(),
            ],
            vec![
                "総括責任者".into(),
                String::new(),
                "　　年　　月　　日".into(),
                String::new(),
            ],
        ],
    ));
    pack(doc)
}
