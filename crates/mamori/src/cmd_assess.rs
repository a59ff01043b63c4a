//! `mamori assess list|new|set|evidence|remediate|status|report`: compliance assessments in
//! the application database, for scripted use. Every change is checked by `mamori-assess`
//! first and recorded in the application's audit trail by the store.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use jiff::civil::Date;
use mamori_assess::workflow::{self, AssessError};
use mamori_assess::{
    Assessment, EvidenceKind, FileRef, Outcome, Remediation, State, Target, evaluate,
};
use mamori_catalog::{Catalog, CatalogSet, Lang};
use mamori_model::{Permission, Segment};
use mamori_store::StoreError;
use mamori_store::app::AppDb;
use mamori_store::assess::{NewAssessment, NewEvidence};
use mamori_store::evidence_store::EvidenceStore;
use serde_json::json;

use crate::args::{AssessCmd, EvidenceCmd};
use crate::cmd_serve::{cli_actor, open_db, runtime};
use crate::{Ctx, EXIT_FINDINGS, audit_log, datadir, output};

pub(crate) fn run(ctx: &Ctx, cmd: AssessCmd) -> anyhow::Result<u8> {
    let catalogs = ctx.catalogs()?;
    runtime()?.block_on(async move {
        let (_, db) = open_db(ctx).await?;
        let evidence = EvidenceStore::open(&evidence_dir(ctx))?;
        let r = Cli {
            ctx,
            db: &db,
            catalogs: &catalogs,
            evidence: &evidence,
        }
        .run(cmd)
        .await;
        db.close().await;
        r
    })
}

/// Where evidence files are kept: `<data dir>/evidence`, never under a web root.
pub(crate) fn evidence_dir(ctx: &Ctx) -> std::path::PathBuf {
    datadir::data_dir(ctx.data_dir.as_deref()).join("evidence")
}

struct Cli<'a> {
    ctx: &'a Ctx,
    db: &'a AppDb,
    catalogs: &'a CatalogSet,
    evidence: &'a EvidenceStore,
}

fn date_or_today(d: Option<&str>, flag: &str) -> anyhow::Result<Date> {
    match d {
        Some(d) => workflow::parse_date(d).with_context(|| flag.to_owned()),
        None => Ok(audit_log::today()),
    }
}

/// A store refusal in words a user can act on.
fn store_error(e: StoreError, id: i64) -> anyhow::Error {
    match e {
        StoreError::NotFound => anyhow::anyhow!("no assessment {id} (see `mamori assess list`)"),
        StoreError::Conflict(f) if f == "state" => anyhow::anyhow!(
            "assessment {id} is not a draft any more: it cannot be changed (a signed-off \
             assessment is locked; start a new version with `mamori assess new --from {id}`)"
        ),
        e => e.into(),
    }
}

impl Cli<'_> {
    async fn load(&self, id: i64) -> anyhow::Result<(Assessment, &Catalog)> {
        let a = self
            .db
            .assessment(id)
            .await?
            .with_context(|| format!("no assessment {id} (see `mamori assess list`)"))?;
        let c = self.catalogs.get(&a.catalog).with_context(|| {
            format!(
                "assessment {id} uses catalog `{}`, which is not loaded",
                a.catalog
            )
        })?;
        Ok((a, c))
    }

    async fn draft(&self, id: i64) -> anyhow::Result<(Assessment, &Catalog)> {
        let (a, c) = self.load(id).await?;
        workflow::check_editable(a.state).map_err(|e| anyhow::anyhow!("assessment {id}: {e}"))?;
        Ok((a, c))
    }

    async fn run(&self, cmd: AssessCmd) -> anyhow::Result<u8> {
        let lang = self.ctx.lang;
        match cmd {
            AssessCmd::List { json } => {
                let list = self.db.assessments().await?;
                if json {
                    output::json(&json!({ "assessments": list }))?;
                } else {
                    let mut s = String::new();
                    for a in &list {
                        let target = match (&a.segment, &a.system_name) {
                            (Some(seg), _) => Segment::parse(seg).map_or(seg.clone(), |s| {
                                mamori_assess::segment_name(s, lang).to_owned()
                            }),
                            (None, Some(name)) => name.clone(),
                            (None, None) => "-".into(),
                        };
                        let _ = writeln!(
                            s,
                            "{:>4}  {}  v{}  {:<10}  {:<14} {}  [{}]",
                            a.id,
                            a.date,
                            a.version_no,
                            a.state.key(),
                            a.catalog,
                            a.title,
                            target
                        );
                    }
                    output::stdout(s.as_bytes())?;
                }
                Ok(0)
            }
            AssessCmd::New {
                catalog,
                segment,
                system,
                date,
                title,
                max_age,
                from,
                json,
            } => {
                let date = date_or_today(date.as_deref(), "--date")?;
                let prev = match from {
                    Some(p) => {
                        let prev = self.load(p).await?.0;
                        workflow::check_copy_source(&prev)
                            .map_err(|e| anyhow::anyhow!("--from {p}: {e}"))?;
                        Some(prev)
                    }
                    None => None,
                };
                let catalog = match (&catalog, &prev) {
                    (Some(c), _) => c.clone(),
                    (None, Some(p)) => p.catalog.clone(),
                    (None, None) => bail!("--catalog is required (e.g. wlan-mynumber)"),
                };
                let Some(c) = self.catalogs.get(&catalog) else {
                    bail!("--catalog: {}", AssessError::UnknownCatalog(catalog));
                };
                if !mamori_assess::is_assessable(c) {
                    bail!(
                        "--catalog {}: not a requirement catalog that can be assessed",
                        c.id
                    );
                }
                let target = match (segment, system, &prev) {
                    (Some(s), None, _) => Target::Segment {
                        segment: Segment::parse(&s).with_context(|| {
                            format!("--segment {s}: expected mynumber, lgwan, internet or other")
                        })?,
                    },
                    (None, Some(id), _) => {
                        let sys = self
                            .db
                            .system(id)
                            .await?
                            .with_context(|| format!("--system {id}: no such system"))?;
                        Target::System {
                            id,
                            name: sys.system.name,
                        }
                    }
                    (None, None, Some(p)) => p.target.clone(),
                    _ => bail!("name what is assessed: --segment SEGMENT or --system ID"),
                };
                let title = title
                    .unwrap_or_else(|| format!("{} {}", c.title.get(lang), target.label(lang)));
                workflow::check_text("--title", &title, 200, true)?;
                let n = NewAssessment {
                    title,
                    catalog: c.id.clone(),
                    catalog_version: c.version.clone(),
                    target,
                    date,
                    evidence_max_age_days: max_age
                        .or(prev.as_ref().map(|p| p.evidence_max_age_days))
                        .unwrap_or(mamori_assess::DEFAULT_EVIDENCE_MAX_AGE_DAYS),
                    copy_from: from,
                };
                let id =
                    self.db
                        .create_assessment(&n, &cli_actor())
                        .await
                        .map_err(|e| match e {
                            StoreError::Conflict(c) if c == "version" => anyhow::anyhow!(
                                "--from {}: a newer version has already been started from it; \
                             carry forward the latest version",
                                from.unwrap_or(0)
                            ),
                            StoreError::Invalid(f) if f == "target" => anyhow::anyhow!(
                                "--from {}: a new version assesses the same target",
                                from.unwrap_or(0)
                            ),
                            e => e.into(),
                        })?;
                if json {
                    output::json(
                        &json!({ "id": id, "catalog": n.catalog, "date": n.date.to_string(), "copied_from": from }),
                    )?;
                } else {
                    println!("created assessment {id} ({}, {})", n.catalog, n.date);
                }
                Ok(0)
            }
            AssessCmd::Set {
                id,
                item,
                result,
                comment,
                json,
            } => {
                let (_, c) = self.draft(id).await?;
                let it = workflow::requirement(c, &item)?;
                let outcome = workflow::parse_outcome(&result)?;
                workflow::check_text("--comment", &comment, 4000, false)?;
                workflow::check_result(it, outcome, &comment)?;
                self.db
                    .set_result(id, &it.id, outcome, comment.trim(), &cli_actor())
                    .await
                    .map_err(|e| store_error(e, id))?;
                if json {
                    output::json(&json!({ "id": id, "item": it.id, "result": outcome.key() }))?;
                } else {
                    println!("{} {}: {}", id, it.id, outcome.name(lang));
                }
                Ok(0)
            }
            AssessCmd::Remediate {
                id,
                item,
                action,
                owner,
                due,
                status,
                remove,
            } => {
                let (_, c) = self.draft(id).await?;
                let it = workflow::requirement(c, &item)?;
                let r = if remove {
                    None
                } else {
                    let action = action.context("--action is required (or --remove)")?;
                    workflow::check_text("--action", &action, 1000, true)?;
                    workflow::check_text("--owner", &owner, 200, false)?;
                    Some(Remediation {
                        action: action.trim().to_owned(),
                        owner: owner.trim().to_owned(),
                        due: due.as_deref().map(workflow::parse_date).transpose()?,
                        status: workflow::parse_remediation_status(&status)?,
                    })
                };
                self.db
                    .set_remediation(id, &it.id, r.as_ref(), &cli_actor())
                    .await
                    .map_err(|e| store_error(e, id))?;
                println!(
                    "{id} {}: remediation {}",
                    it.id,
                    if r.is_some() { "set" } else { "removed" }
                );
                Ok(0)
            }
            AssessCmd::Evidence(cmd) => self.evidence_cmd(cmd).await,
            AssessCmd::Status {
                id,
                to,
                signer,
                note,
                json,
            } => {
                let (mut a, c) = self.load(id).await?;
                if let Some(to) = to {
                    let to = State::parse(&to)
                        .with_context(|| format!("--to {to}: expected one of {}", State::keys()))?;
                    workflow::transition(c, &a, to)?;
                    let mut actor = cli_actor();
                    if matches!(to, State::SignedOff) || a.state == State::InReview {
                        let name = signer.context(
                            "--signer USERNAME is required: the account of the security officer \
                             who signs off or returns the assessment",
                        )?;
                        let user = self
                            .db
                            .users()
                            .await?
                            .into_iter()
                            .find(|u| u.username == name && !u.disabled)
                            .with_context(|| format!("--signer {name}: no active account"))?;
                        if !user.role.can(Permission::SignOffAssessments) {
                            bail!(
                                "--signer {name}: the role {} may not sign off assessments",
                                user.role.key()
                            );
                        }
                        actor.name = format!("{name} (cli)");
                    }
                    self.db
                        .set_assessment_state(id, a.state, to, note.trim(), &actor)
                        .await
                        .map_err(|e| store_error(e, id))?;
                    a = self.load(id).await?.0;
                }
                let e = evaluate(c, &a);
                if json {
                    output::json(&json!({
                        "assessment": a,
                        "overall": e.overall,
                        "blocking": e.blocking,
                        "tally": e.tally,
                        "by_obligation": e.by_obligation,
                        "gaps": e.gaps,
                        "stale_evidence": e.stale,
                        "unknown_items": e.unknown_items,
                        "catalog_version_note": mamori_assess::catalog_version_note(&a, c),
                    }))?;
                } else {
                    let mut s = String::new();
                    let _ = writeln!(s, "{} (v{}) — {}", a.title, a.version_no, c.title.get(lang));
                    let _ = writeln!(
                        s,
                        "  target: {}   date: {}   state: {}",
                        a.target.label(lang),
                        a.date,
                        a.state.name(lang)
                    );
                    if let Some(note) = mamori_assess::catalog_version_note(&a, c) {
                        let _ = writeln!(s, "  note: {note}");
                    }
                    if let (Some(by), Some(at)) = (&a.signed_by, &a.signed_at) {
                        let _ = writeln!(s, "  signed off by {by} at {at}");
                    }
                    let _ = writeln!(
                        s,
                        "  overall: {} ({} mandatory requirement(s) not met)",
                        e.overall.name(lang),
                        e.blocking
                    );
                    let counts: Vec<String> = Outcome::ALL
                        .iter()
                        .map(|o| format!("{} {}", o.name(lang), e.tally.count(*o)))
                        .collect();
                    let _ = writeln!(s, "  {}", counts.join(" / "));
                    for g in &e.gaps {
                        let _ = writeln!(
                            s,
                            "  gap {:<6} [{}] {} — {}",
                            g.item.id,
                            g.obligation.map_or("-", |o| o.name(lang)),
                            g.outcome.name(lang),
                            g.item.title.get(lang)
                        );
                    }
                    for st in &e.stale {
                        let _ = writeln!(
                            s,
                            "  stale evidence {} on {}: {} ({} days old)",
                            st.evidence.id, st.item, st.evidence.title, st.age_days
                        );
                    }
                    output::stdout(s.as_bytes())?;
                }
                Ok(0)
            }
            AssessCmd::Report { id, out, date } => {
                let (a, c) = self.load(id).await?;
                let generated = date_or_today(date.as_deref(), "--date")?;
                let bytes =
                    report_bytes(self.catalogs, c, &a, self.db, lang, generated, &out).await?;
                output::write_atomic(&out, &bytes)?;
                self.db
                    .record(
                        &cli_actor(),
                        "assessment.report",
                        &format!("assessment/{id}"),
                        &format!(
                            "{} ({} bytes, sha256 {})",
                            out.display(),
                            bytes.len(),
                            mamori_store::evidence_store::sha256_hex(&bytes)
                        ),
                    )
                    .await?;
                println!("wrote {}", out.display());
                Ok(0)
            }
        }
    }

    async fn evidence_cmd(&self, cmd: EvidenceCmd) -> anyhow::Result<u8> {
        match cmd {
            EvidenceCmd::Add {
                id,
                item,
                file,
                url,
                note,
                record,
                title,
                date,
                json,
            } => {
                let (_, c) = self.draft(id).await?;
                let it = workflow::requirement(c, &item)?;
                let added_on = date_or_today(date.as_deref(), "--date")?;
                let mut e = NewEvidence {
                    kind: EvidenceKind::Note,
                    title: String::new(),
                    url: None,
                    note: String::new(),
                    file: None,
                    analyzer: None,
                    added_on,
                };
                if let Some(path) = file {
                    let (f, _) = self.store_file(&path)?;
                    e.kind = EvidenceKind::File;
                    e.title = f.name.clone();
                    e.file = Some(f);
                } else if let Some(u) = url {
                    workflow::check_url(&u)?;
                    e.kind = EvidenceKind::Url;
                    e.title = u.trim().to_owned();
                    e.url = Some(u.trim().to_owned());
                } else if let Some(n) = note {
                    workflow::check_text("--note", &n, 4000, true)?;
                    e.title = n
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(80)
                        .collect();
                    e.note = n.trim().to_owned();
                } else if let Some(r) = record {
                    let (analyzer, path) = r
                        .split_once('=')
                        .context("--record: write ANALYZER=FILE, e.g. wlan-audit=report.json")?;
                    let bytes =
                        std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
                    let shown = Path::new(path)
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or(path);
                    e.note = record_summary(analyzer, shown, &bytes)?;
                    let (f, _) = self.store_file(Path::new(path))?;
                    e.kind = EvidenceKind::Record;
                    e.title = format!("{analyzer}: {}", f.name);
                    e.analyzer = Some(analyzer.to_owned());
                    e.file = Some(f);
                } else {
                    bail!("give one of --file, --url, --note or --record");
                }
                if let Some(t) = title {
                    workflow::check_text("--title", &t, 200, true)?;
                    e.title = t.trim().to_owned();
                }
                let eid = self
                    .db
                    .add_evidence(id, &it.id, &e, &cli_actor())
                    .await
                    .map_err(|err| store_error(err, id))?;
                if json {
                    output::json(&json!({
                        "id": eid, "assessment": id, "item": it.id, "kind": e.kind.key(),
                        "sha256": e.file.as_ref().map(|f| &f.sha256),
                        "size": e.file.as_ref().map(|f| f.size),
                    }))?;
                } else {
                    match &e.file {
                        Some(f) => println!(
                            "evidence {eid} on {} {}: {} ({} bytes, sha256 {})",
                            id, it.id, f.name, f.size, f.sha256
                        ),
                        None => println!("evidence {eid} on {id} {}: {}", it.id, e.title),
                    }
                }
                Ok(0)
            }
            EvidenceCmd::Get { evidence, out } => {
                let (id, _, e) = self
                    .db
                    .evidence(evidence)
                    .await?
                    .with_context(|| format!("no evidence {evidence}"))?;
                let f = e.file.with_context(|| {
                    format!("evidence {evidence} is a {}, not a file", e.kind.key())
                })?;
                let bytes = match self.evidence.get(&f.sha256) {
                    Ok(b) => b,
                    Err(err) => {
                        self.db
                            .record(
                                &cli_actor(),
                                "evidence.integrity_failure",
                                &format!("assessment/{id}"),
                                &format!("evidence {evidence}: {err}"),
                            )
                            .await?;
                        bail!("evidence {evidence} ({}): {err}", f.name);
                    }
                };
                output::write_atomic(&out, &bytes)?;
                println!(
                    "wrote {} ({} bytes, sha256 verified)",
                    out.display(),
                    bytes.len()
                );
                Ok(0)
            }
            EvidenceCmd::Verify => {
                let hashes = self.db.evidence_hashes().await?;
                let problems = self.evidence.verify(hashes.iter().map(String::as_str));
                for p in &problems {
                    println!("{p}");
                }
                println!(
                    "{} evidence file(s) checked, {} problem(s)",
                    hashes.len(),
                    problems.len()
                );
                Ok(if problems.is_empty() {
                    0
                } else {
                    EXIT_FINDINGS
                })
            }
        }
    }

    /// Checks and stores a file; returns its reference and bytes.
    fn store_file(&self, path: &Path) -> anyhow::Result<(FileRef, Vec<u8>)> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{}: not a file name", path.display()))?
            .to_owned();
        let content_type =
            workflow::check_upload(&name, &bytes, mamori_assess::DEFAULT_UPLOAD_LIMIT)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let sha256 = self.evidence.put(&bytes)?;
        Ok((
            FileRef {
                name,
                content_type: content_type.to_owned(),
                sha256,
                size: bytes.len() as u64,
            },
            bytes,
        ))
    }
}

/// A one-line description of an analyzer's report, checked to be what it claims to be.
fn record_summary(analyzer: &str, name: &str, bytes: &[u8]) -> anyhow::Result<String> {
    match analyzer {
        "wlan-audit" => {
            let v: serde_json::Value = serde_json::from_slice(bytes).with_context(|| {
                format!("{name}: not a JSON report of `mamori wlan audit --report FILE.json`")
            })?;
            let summary = v
                .get("summary")
                .filter(|_| v.get("findings").is_some_and(serde_json::Value::is_array))
                .with_context(|| {
                    format!("{name}: not a `mamori wlan audit` report (no summary and findings)")
                })?;
            let findings = v
                .get("findings")
                .and_then(serde_json::Value::as_array)
                .map_or(0, Vec::len);
            let n = |k: &str| {
                summary
                    .get(k)
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0)
            };
            let period = |k: &str| {
                summary
                    .get(k)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("?")
                    .to_owned()
            };
            let ok = summary
                .get("conclusion_ok")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            Ok(format!(
                "WLAN access-log audit {} – {}: {} records, {} finding(s), {} of {} registered \
                 terminals active; {}",
                period("period_from"),
                period("period_to"),
                n("records"),
                findings,
                n("terminals_active"),
                n("terminals_registered"),
                if ok {
                    "only registered terminals with EAP-TLS and designated administrators"
                } else {
                    "high-severity findings: see the report"
                }
            ))
        }
        "scan" => {
            let text = std::str::from_utf8(bytes)
                .with_context(|| format!("{name}: not a JSON output of `mamori scan --json`"))?;
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            for (n, l) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                serde_json::from_str::<serde_json::Value>(l).with_context(|| {
                    format!("{name}:{}: not a JSON line of `mamori scan --json`", n + 1)
                })?;
            }
            Ok(format!("My Number scan result: {lines} JSON line(s)"))
        }
        other => bail!("--record {other}=…: unknown analyzer (known: wlan-audit, scan)"),
    }
}

/// The report in the format the file name asks for.
async fn report_bytes(
    catalogs: &CatalogSet,
    c: &Catalog,
    a: &Assessment,
    db: &AppDb,
    lang: Lang,
    generated: Date,
    out: &Path,
) -> anyhow::Result<Vec<u8>> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() == Some("json") {
        let e = evaluate(c, a);
        let (ppc, base) = mamori_assess::related_catalogs(catalogs, c);
        let v = json!({
            "assessment": a,
            "catalog": { "id": c.id, "version": c.version },
            "overall": e.overall,
            "blocking": e.blocking,
            "tally": e.tally,
            "by_obligation": e.by_obligation,
            "categories": e.categories,
            "gaps": e.gaps,
            "stale_evidence": e.stale,
            "measures": mamori_assess::measure_statuses(c, a),
            "ppc_coverage": ppc.map(|p| mamori_assess::coverage(p, c, a)),
            "catalog_diff": base.map(|b| mamori_assess::compare(b, c)),
            "remediation_plan": mamori_assess::remediation_plan(c, a)
                .into_iter()
                .map(|(i, r)| json!({ "item": i.id, "remediation": r }))
                .collect::<Vec<_>>(),
        });
        return Ok(serde_json::to_vec_pretty(&v)?);
    }
    let organisation = db.organisation().await?.unwrap_or_default();
    let (ppc, base) = mamori_assess::related_catalogs(catalogs, c);
    let r = mamori_export::AssessmentReport {
        catalog: c,
        assessment: a,
        ppc,
        base,
        organisation: &organisation,
        lang,
        generated,
    };
    Ok(match ext.as_deref() {
        Some("xlsx") => mamori_export::assessment_xlsx(&r)?,
        Some("docx") => mamori_export::assessment_docx(&r)?,
        Some("html") | Some("htm") => mamori_export::assessment_html(&r).into_bytes(),
        _ => bail!(
            "--out {}: name a .xlsx, .docx, .html or .json file",
            out.display()
        ),
    })
}
