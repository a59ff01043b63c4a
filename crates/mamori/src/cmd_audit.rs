//! `mamori audit verify|list`: the CLI's hash-chained audit log.

use std::fmt::Write as _;

use serde_json::json;

use crate::args::AuditCmd;
use crate::{Ctx, EXIT_FINDINGS, audit_log, datadir, output};

pub(crate) fn run(ctx: &Ctx, cmd: AuditCmd) -> anyhow::Result<u8> {
    let dir = datadir::data_dir(ctx.data_dir.as_deref());
    let path = audit_log::path(&dir);
    let entries = audit_log::read_all(&path)?;
    match cmd {
        AuditCmd::List { json } => {
            if json {
                output::json(&json!({ "entries": entries }))?;
            } else {
                let mut s = String::new();
                for e in &entries {
                    let _ = writeln!(
                        s,
                        "{:>5} {} {} {} {} — {}",
                        e.seq, e.time, e.actor, e.action, e.object, e.detail
                    );
                }
                output::stdout(s.as_bytes())?;
            }
            Ok(0)
        }
        AuditCmd::Verify { json } => {
            let result = mamori_audit::verify(&entries);
            let db = crate::cmd_serve::verify_db(&dir)?;
            let db_path = crate::cmd_serve::db_path(&dir).display().to_string();
            if json {
                let db_json = match &db {
                    None => serde_json::Value::Null,
                    Some(Ok(n)) => json!({ "intact": true, "entries": n, "database": db_path }),
                    Some(Err(b)) => json!({ "intact": false, "break": b, "database": db_path }),
                };
                output::json(&match &result {
                    Ok(n) => {
                        json!({ "intact": true, "entries": n, "log": path.display().to_string(), "application": db_json })
                    }
                    Err(b) => {
                        json!({ "intact": false, "break": b, "log": path.display().to_string(), "application": db_json })
                    }
                })?;
            } else {
                match &result {
                    Ok(n) => println!("audit log intact: {n} entries ({})", path.display()),
                    Err(b) => println!(
                        "audit log BROKEN at entry {} (seq {}): {} ({})",
                        b.position,
                        b.seq.map_or("?".to_owned(), |s| s.to_string()),
                        b.reason,
                        path.display()
                    ),
                }
            }
            if !json {
                match &db {
                    None => {}
                    Some(Ok(n)) => {
                        println!("application audit trail intact: {n} entries ({db_path})")
                    }
                    Some(Err(b)) => println!(
                        "application audit trail BROKEN at entry {} (seq {}): {} ({db_path})",
                        b.position,
                        b.seq.map_or("?".to_owned(), |s| s.to_string()),
                        b.reason
                    ),
                }
            }
            let db_ok = !matches!(db, Some(Err(_)));
            Ok(if result.is_ok() && db_ok {
                0
            } else {
                EXIT_FINDINGS
            })
        }
    }
}
