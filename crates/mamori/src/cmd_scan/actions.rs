//! `mamori scan quarantine` and `mamori scan mask`: each action leaves an audit entry.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use mamori_mynumber::{Keywords, Kind, Scanner, redact};

use crate::args::ScanAction;
use crate::{Ctx, audit_log, datadir, output};

pub(crate) fn run(ctx: &Ctx, action: ScanAction) -> anyhow::Result<u8> {
    let data_dir = datadir::data_dir(ctx.data_dir.as_deref());
    match action {
        ScanAction::Quarantine { files, to, base } => {
            quarantine(&data_dir, &files, &to, base.as_deref())
        }
        ScanAction::Mask { input, output } => mask(&data_dir, &input, &output),
    }
}

/// The path of `file` relative to `base`, without `..` (a quarantine never escapes its folder).
fn relative(file: &Path, base: &Path) -> anyhow::Result<PathBuf> {
    let abs_file = std::fs::canonicalize(file)
        .with_context(|| format!("{}: cannot resolve", redact(&file.display().to_string())))?;
    let abs_base = std::fs::canonicalize(base)
        .with_context(|| format!("{}: cannot resolve", base.display()))?;
    let rel = abs_file.strip_prefix(&abs_base).map_err(|_| {
        anyhow::anyhow!(
            "{} is not under {} (use --base)",
            redact(&file.display().to_string()),
            base.display()
        )
    })?;
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!(
            "{}: unexpected path component",
            redact(&rel.display().to_string())
        );
    }
    Ok(rel.to_owned())
}

fn quarantine(
    data_dir: &Path,
    files: &[PathBuf],
    to: &Path,
    base: Option<&Path>,
) -> anyhow::Result<u8> {
    let base = match base {
        Some(b) => b.to_owned(),
        None => std::env::current_dir()?,
    };
    datadir::ensure_private_dir(to)?;
    // Check everything before moving anything.
    let mut plan = Vec::new();
    for f in files {
        let meta = std::fs::symlink_metadata(f)
            .with_context(|| format!("{}: no such file", redact(&f.display().to_string())))?;
        if !meta.is_file() {
            bail!("{}: not a regular file", redact(&f.display().to_string()));
        }
        let rel = relative(f, &base)?;
        let dest = to.join(&rel);
        if dest.exists() {
            bail!(
                "{} already exists in the quarantine",
                redact(&dest.display().to_string())
            );
        }
        plan.push((f.clone(), rel, dest, meta.len()));
    }
    let manifest_path = to.join("manifest.jsonl");
    let mut manifest = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&manifest_path)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;
    for (src, rel, dest, size) in plan {
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        move_file(&src, &dest)?;
        let shown_src = redact(&src.display().to_string());
        let shown_rel = redact(&rel.display().to_string());
        let record = serde_json::json!({
            "original": shown_src,
            "quarantined_as": shown_rel,
            "size": size,
            "time": audit_log::now_rfc3339(),
            "by": audit_log::actor(),
        });
        let mut line = serde_json::to_vec(&record)?;
        line.push(b'\n');
        manifest.write_all(&line)?;
        manifest.sync_all()?;
        audit_log::append(
            data_dir,
            "scan.quarantine",
            &shown_src,
            &format!(
                "moved to {} ({size} bytes)",
                redact(&dest.display().to_string())
            ),
        )?;
        eprintln!("quarantined {shown_src}");
    }
    Ok(0)
}

/// Rename, or copy and remove when the quarantine is on another file system.
fn move_file(src: &Path, dest: &Path) -> anyhow::Result<()> {
    if std::fs::rename(src, dest).is_ok() {
        return Ok(());
    }
    std::fs::copy(src, dest)
        .with_context(|| format!("cannot copy to {}", redact(&dest.display().to_string())))?;
    let f = std::fs::File::open(dest)?;
    f.sync_all()?;
    std::fs::remove_file(src).with_context(|| {
        format!(
            "copied, but cannot remove {}",
            redact(&src.display().to_string())
        )
    })?;
    Ok(())
}

fn mask(data_dir: &Path, input: &Path, output_path: &Path) -> anyhow::Result<u8> {
    if input == output_path {
        bail!("the masked copy must be a different file from the original");
    }
    let shown = redact(&input.display().to_string());
    let ext = input
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (bytes, replaced) = match ext.as_str() {
        "csv" | "tsv" | "txt" => mask_text(input)?,
        "xlsx" | "xlsm" => mask_xlsx(input)?,
        _ => bail!("{shown}: masked copies are made of CSV, TSV, text and xlsx files"),
    };
    output::write_atomic(output_path, &bytes)?;
    audit_log::append(
        data_dir,
        "scan.mask",
        &shown,
        &format!(
            "masked copy {} with {replaced} numbers replaced",
            redact(&output_path.display().to_string())
        ),
    )?;
    eprintln!(
        "wrote {} ({replaced} numbers masked)",
        redact(&output_path.display().to_string())
    );
    Ok(0)
}

/// Text: decoded with the detected encoding, numbers replaced, written back in UTF-8 (with a BOM
/// for CSV so Excel reads it as UTF-8).
fn mask_text(input: &Path) -> anyhow::Result<(Vec<u8>, usize)> {
    let raw = std::fs::read(input)
        .with_context(|| format!("cannot read {}", redact(&input.display().to_string())))?;
    let enc = mamori_mynumber::detect_encoding(&raw[..raw.len().min(8192)]);
    let (text, _, _) = enc.decode(&raw);
    let masked = redact(&text);
    let replaced = count_individual(&text);
    let mut out = Vec::with_capacity(masked.len() + 3);
    if input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
    }
    out.extend_from_slice(masked.as_bytes());
    Ok((out, replaced))
}

fn count_individual(text: &str) -> usize {
    let key = mamori_mynumber::HashKey::new([0; 32]);
    let s = Scanner::new(key, &Keywords::default());
    let mut found = Vec::new();
    s.scan_unit(
        text,
        |_| false,
        |_| mamori_mynumber::Location::Line { line: 0, column: 0 },
        &mut found,
    );
    found.iter().filter(|f| f.kind == Kind::Individual).count()
}

/// xlsx: every sheet's values re-written into a new workbook, numbers masked (strings) and
/// numeric cells holding a valid number replaced by their masked text. Formatting is not kept.
fn mask_xlsx(input: &Path) -> anyhow::Result<(Vec<u8>, usize)> {
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_auto(input)
        .map_err(|e| anyhow::anyhow!("{}: {e}", redact(&input.display().to_string())))?;
    let mut out = rust_xlsxwriter::Workbook::new();
    let mut replaced = 0usize;
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| anyhow::anyhow!("sheet {name}: {e}"))?;
        let sheet = out.add_worksheet();
        sheet.set_name(&name)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (ri, row) in range.rows().enumerate() {
            for (ci, cell) in row.iter().enumerate() {
                let (r, c) = (
                    r0 + ri as u32,
                    u16::try_from(c0 as usize + ci).unwrap_or(u16::MAX),
                );
                match cell {
                    Data::String(s) => {
                        let m = redact(s);
                        if m != *s {
                            replaced += count_individual(s);
                        }
                        sheet.write_string(r, c, &m)?;
                    }
                    Data::Float(f) => write_number(sheet, r, c, *f, &mut replaced)?,
                    Data::Int(i) => write_number(sheet, r, c, *i as f64, &mut replaced)?,
                    Data::Bool(b) => {
                        sheet.write_boolean(r, c, *b)?;
                    }
                    Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Data::DateTime(d) => {
                        sheet.write_number(r, c, d.as_f64())?;
                    }
                    Data::Error(_) | Data::Empty => {}
                }
            }
        }
    }
    Ok((out.save_to_buffer()?, replaced))
}

fn write_number(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    f: f64,
    replaced: &mut usize,
) -> anyhow::Result<()> {
    if f.fract() == 0.0 && (1e10..1e12).contains(&f) {
        let digits = format!("{:012}", f as u64);
        let m = redact(&digits);
        if m != digits {
            *replaced += 1;
            sheet.write_string(r, c, &m)?;
            return Ok(());
        }
    }
    sheet.write_number(r, c, f)?;
    Ok(())
}
