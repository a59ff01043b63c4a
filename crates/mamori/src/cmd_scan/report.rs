//! The Excel report of a scan: summary, by folder and owner, files ranked, findings, files not
//! scanned. Numbers appear only masked.

use std::collections::BTreeMap;

use mamori_catalog::Lang;
use mamori_mynumber::{Confidence, Kind};
use rust_xlsxwriter::{Workbook, Worksheet};

use super::{ScanOutput, confidence_key};

struct L {
    summary: &'static str,
    folders: &'static str,
    files: &'static str,
    findings: &'static str,
    not_scanned: &'static str,
    folder: &'static str,
    owner: &'static str,
    path: &'static str,
    member: &'static str,
    location: &'static str,
    kind: &'static str,
    confidence: &'static str,
    shape: &'static str,
    evidence: &'static str,
    masked: &'static str,
    hash: &'static str,
    reason: &'static str,
    format: &'static str,
    size: &'static str,
    distinct: &'static str,
    high: &'static str,
    medium: &'static str,
    low: &'static str,
    corporate: &'static str,
    retention: &'static str,
    count: &'static str,
    item: &'static str,
    value: &'static str,
}

const JA: L = L {
    summary: "概要",
    folders: "フォルダ・所有者別",
    files: "ファイル",
    findings: "検出",
    not_scanned: "未スキャン",
    folder: "フォルダ",
    owner: "所有者",
    path: "パス",
    member: "アーカイブ内のパス",
    location: "位置",
    kind: "種別",
    confidence: "確度",
    shape: "表記",
    evidence: "根拠",
    masked: "番号（マスク）",
    hash: "識別用ハッシュ",
    reason: "理由",
    format: "形式",
    size: "サイズ",
    distinct: "個人番号（異なる番号の数）",
    high: "高",
    medium: "中",
    low: "低",
    corporate: "法人番号（件）",
    retention: "保存期間経過",
    count: "件数",
    item: "項目",
    value: "値",
};

const EN: L = L {
    summary: "Summary",
    folders: "By folder and owner",
    files: "Files",
    findings: "Findings",
    not_scanned: "Not scanned",
    folder: "Folder",
    owner: "Owner",
    path: "Path",
    member: "Path in archive",
    location: "Location",
    kind: "Kind",
    confidence: "Confidence",
    shape: "Shape",
    evidence: "Evidence",
    masked: "Number (masked)",
    hash: "Keyed hash",
    reason: "Reason",
    format: "Format",
    size: "Size",
    distinct: "My Numbers (distinct)",
    high: "High",
    medium: "Medium",
    low: "Low",
    corporate: "Corporate numbers",
    retention: "Past retention",
    count: "Count",
    item: "Item",
    value: "Value",
};

fn sheet_setup(
    ws: &mut Worksheet,
    name: &str,
    headers: &[(&str, f64)],
    rows: usize,
) -> anyhow::Result<()> {
    Ok(mamori_export::setup_sheet(ws, name, headers, rows)?)
}

fn row(r: usize) -> u32 {
    u32::try_from(r).unwrap_or(u32::MAX)
}

pub(crate) fn xlsx(out: &ScanOutput, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let l = match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    };
    let mut wb = Workbook::new();

    // Summary.
    let m = &out.summary;
    let items: Vec<(&str, String)> = vec![
        ("roots", out.roots.join(", ")),
        ("files_scanned", m.files_scanned.to_string()),
        ("files_reused", m.files_reused.to_string()),
        ("bytes_read", m.bytes_read.to_string()),
        (
            "files_with_individual_numbers",
            m.files_with_individual_numbers.to_string(),
        ),
        (
            "distinct_individual_numbers",
            m.distinct_individual_numbers.to_string(),
        ),
        (
            "files_with_corporate_numbers",
            m.files_with_corporate_numbers.to_string(),
        ),
        ("not_scanned", m.not_scanned.to_string()),
        ("past_retention", m.past_retention.to_string()),
    ];
    let ws = wb.add_worksheet();
    sheet_setup(ws, l.summary, &[(l.item, 34.0), (l.value, 60.0)], 0)?;
    for (i, (k, v)) in items.iter().enumerate() {
        ws.write(row(i + 1), 0, *k)?;
        ws.write(row(i + 1), 1, v.as_str())?;
    }
    for (i, (k, v)) in m.findings.iter().enumerate() {
        ws.write(row(items.len() + i + 1), 0, format!("findings_{k}"))?;
        ws.write(row(items.len() + i + 1), 1, *v as f64)?;
    }

    // By folder and owner.
    let mut groups: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    for f in &out.files {
        let folder = std::path::Path::new(&f.path)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let g = groups
            .entry((folder, f.owner.clone().unwrap_or_default()))
            .or_default();
        g.0 += 1;
        g.1 += usize::from(f.distinct_individual > 0);
        g.2 += f.distinct_individual;
    }
    let ws = wb.add_worksheet();
    sheet_setup(
        ws,
        l.folders,
        &[
            (l.folder, 50.0),
            (l.owner, 14.0),
            (l.files, 10.0),
            ("⚠", 10.0),
            (l.distinct, 16.0),
        ],
        groups.len(),
    )?;
    for (i, ((folder, owner), (n, with, distinct))) in groups.iter().enumerate() {
        let r = row(i + 1);
        ws.write(r, 0, folder.as_str())?;
        ws.write(r, 1, owner.as_str())?;
        ws.write(r, 2, *n as f64)?;
        ws.write(r, 3, *with as f64)?;
        ws.write(r, 4, *distinct as f64)?;
    }

    // Files ranked by distinct numbers, then high-confidence findings.
    let mut ranked: Vec<_> = out
        .files
        .iter()
        .filter(|f| !f.scan.findings.is_empty() || f.past_retention.is_some())
        .collect();
    let count = |f: &super::FileResult, c: Confidence| {
        f.scan
            .findings
            .iter()
            .filter(|x| x.finding.kind == Kind::Individual && x.finding.confidence == c)
            .count()
    };
    ranked.sort_by(|a, b| {
        (b.distinct_individual, count(b, Confidence::High))
            .cmp(&(a.distinct_individual, count(a, Confidence::High)))
            .then(a.path.cmp(&b.path))
    });
    let ws = wb.add_worksheet();
    sheet_setup(
        ws,
        l.files,
        &[
            (l.path, 60.0),
            (l.owner, 12.0),
            (l.format, 8.0),
            (l.size, 12.0),
            (l.distinct, 14.0),
            (l.high, 6.0),
            (l.medium, 6.0),
            (l.low, 6.0),
            (l.corporate, 10.0),
            (l.retention, 14.0),
        ],
        ranked.len(),
    )?;
    for (i, f) in ranked.iter().enumerate() {
        let r = row(i + 1);
        ws.write(r, 0, f.path.as_str())?;
        ws.write(r, 1, f.owner.as_deref().unwrap_or(""))?;
        ws.write(
            r,
            2,
            f.scan
                .format
                .map(|x| format!("{x:?}").to_lowercase())
                .unwrap_or_default(),
        )?;
        ws.write(r, 3, f.size as f64)?;
        ws.write(r, 4, f.distinct_individual as f64)?;
        ws.write(r, 5, count(f, Confidence::High) as f64)?;
        ws.write(r, 6, count(f, Confidence::Medium) as f64)?;
        ws.write(r, 7, count(f, Confidence::Low) as f64)?;
        ws.write(
            r,
            8,
            f.scan
                .findings
                .iter()
                .filter(|x| x.finding.kind == Kind::Corporate)
                .count() as f64,
        )?;
        ws.write(r, 9, f.past_retention.as_deref().unwrap_or(""))?;
    }

    // Findings.
    let all: Vec<_> = out
        .files
        .iter()
        .flat_map(|f| f.scan.findings.iter().map(move |x| (f, x)))
        .collect();
    let ws = wb.add_worksheet();
    sheet_setup(
        ws,
        l.findings,
        &[
            (l.path, 50.0),
            (l.member, 20.0),
            (l.location, 14.0),
            (l.kind, 10.0),
            (l.confidence, 8.0),
            (l.shape, 12.0),
            (l.evidence, 12.0),
            (l.masked, 16.0),
            (l.hash, 34.0),
        ],
        all.len(),
    )?;
    for (i, (f, x)) in all.iter().enumerate() {
        let r = row(i + 1);
        ws.write(r, 0, f.path.as_str())?;
        ws.write(r, 1, x.member.as_str())?;
        ws.write(r, 2, x.finding.location.to_string())?;
        ws.write(r, 3, x.finding.kind.key())?;
        ws.write(r, 4, confidence_key(x.finding.confidence))?;
        ws.write(r, 5, format!("{:?}", x.finding.shape).to_lowercase())?;
        ws.write(r, 6, format!("{:?}", x.finding.evidence).to_lowercase())?;
        ws.write(r, 7, x.finding.masked.as_str())?;
        ws.write(r, 8, x.finding.hash.as_str())?;
    }

    // Not scanned.
    let ns = out.not_scanned();
    let ws = wb.add_worksheet();
    sheet_setup(
        ws,
        l.not_scanned,
        &[(l.path, 70.0), (l.reason, 60.0)],
        ns.len(),
    )?;
    for (i, (p, reason)) in ns.iter().enumerate() {
        ws.write(row(i + 1), 0, p.as_str())?;
        ws.write(row(i + 1), 1, reason.as_str())?;
    }
    let _ = l.count;
    Ok(wb.save_to_buffer()?)
}
