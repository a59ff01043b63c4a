//! `mamori serve`, `mamori user …`, `mamori backup`: the web application and its database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use mamori_model::{Role, validate_display_name, validate_username};
use mamori_store::app::{Actor, AppDb, NewUser};
use mamori_store::evidence_store::EvidenceStore;
use mamori_web::{AppState, auth};

use crate::args::{RoleArg, ServeArgs, UserCmd};
use crate::{Ctx, audit_log, datadir, output};

/// The application database in the data directory.
pub(crate) fn db_path(dir: &Path) -> PathBuf {
    dir.join("mamori.sqlite")
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// The system clock (the one place the web application's time comes from).
#[allow(clippy::disallowed_methods)]
fn system_clock() -> mamori_web::Clock {
    Arc::new(jiff::Timestamp::now)
}

/// The largest evidence file accepted by the web application, from `MAMORI_UPLOAD_LIMIT`
/// (bytes, or with a `K`/`M` suffix for KiB/MiB); `None` keeps the default (20 MiB).
fn upload_limit() -> anyhow::Result<Option<u64>> {
    match std::env::var("MAMORI_UPLOAD_LIMIT") {
        Ok(v) => parse_size(&v).map(Some).with_context(|| {
            format!("MAMORI_UPLOAD_LIMIT={v:?}: expected bytes, e.g. 20M or 512K")
        }),
        Err(_) => Ok(None),
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1024),
        'm' | 'M' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
}

pub(crate) async fn open_db(ctx: &Ctx) -> anyhow::Result<(PathBuf, AppDb)> {
    let dir = datadir::data_dir(ctx.data_dir.as_deref());
    datadir::ensure_private_dir(&dir)?;
    let path = db_path(&dir);
    let db = AppDb::open(&path).await?;
    Ok((path, db))
}

pub(crate) fn cli_actor() -> Actor {
    Actor {
        name: format!("cli:{}", audit_log::actor()),
        time: audit_log::now_rfc3339(),
    }
}

pub(crate) fn serve(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<u8> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MAMORI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if args.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
    let catalogs = ctx.catalogs()?;
    runtime()?.block_on(async move {
        let (path, db) = open_db(ctx).await?;
        tracing::info!(database = %path.display(), "database open");
        if args.demo {
            match mamori_web::load_demo(&db, &audit_log::now_rfc3339()).await {
                Ok(users) => {
                    println!("demo data loaded: サンプル市 (accounts below must change their password at first sign-in)");
                    for u in users {
                        println!("  {:<10} {:<17} {}", u.username, u.role.key(), u.password);
                    }
                }
                Err(mamori_store::StoreError::Conflict(_)) => {
                    println!("demo data not loaded: the database already holds systems");
                }
                Err(e) => return Err(e.into()),
            }
        }
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        if let Some(token) = mamori_web::issue_setup_token(&db).await? {
            println!("No administrator yet. Open this one-time setup URL to create one:");
            println!("  http://{addr}/setup?token={token}");
        }
        let evidence_dir = path.with_file_name("evidence");
        let evidence = EvidenceStore::open(&evidence_dir)
            .with_context(|| format!("cannot open the evidence store {}", evidence_dir.display()))?;
        tracing::info!(evidence = %evidence_dir.display(), "evidence store open");
        let mut state = AppState::new(db.clone(), catalogs, system_clock(), evidence);
        state.secure_cookies = args.secure_cookies;
        if let Some(limit) = upload_limit()? {
            state.upload_limit = limit;
        }
        tracing::info!(bytes = state.upload_limit, "evidence upload limit");
        // The local 法人番号 copy (`mamori corp import`), read in the background: the corporate-
        // number pages and the /4 Web-API say "loading" until it is there.
        let corp_dir = crate::cmd_corp::corp_dir(ctx);
        let corp_file = corp_dir.join("registry.csv");
        if args.demo {
            datadir::ensure_private_dir(&corp_dir)?;
            match mamori_web::corp::install_demo(&corp_file) {
                Ok(true) => println!(
                    "demo 法人番号 data written to {} (2,000 generated corporations)",
                    corp_file.display()
                ),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot write the demo 法人番号 data"),
            }
        }
        mamori_web::corp::spawn_load(&state, corp_file);
        println!("mamori is serving http://{addr}/  (Ctrl-C to stop)");
        tracing::info!(%addr, "listening");
        mamori_web::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await?;
        db.close().await;
        Ok(0)
    })
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::SecurityOfficer => Role::SecurityOfficer,
        RoleArg::Assessor => Role::Assessor,
        RoleArg::Auditor => Role::Auditor,
        RoleArg::Viewer => Role::Viewer,
    }
}

fn temporary_password() -> anyhow::Result<String> {
    auth::random_hex(10).map_err(anyhow::Error::msg)
}

pub(crate) fn user(ctx: &Ctx, cmd: UserCmd) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let (_, db) = open_db(ctx).await?;
        let find = |name: String| {
            let db = db.clone();
            async move {
                match db.user_for_login(&name).await? {
                    Some((u, _)) => Ok(u),
                    None => bail!("no user named {name}"),
                }
            }
        };
        match cmd {
            UserCmd::Add { username, name, role: r } => {
                let username = validate_username(&username)
                    .map_err(|e| anyhow::anyhow!("user name: {}", e.code))?;
                let display = validate_display_name(&name)
                    .map_err(|e| anyhow::anyhow!("--name: {}", e.code))?;
                let pw = temporary_password()?;
                let hash = auth::hash_password(&pw).map_err(anyhow::Error::msg)?;
                db.create_user(
                    &NewUser {
                        username: username.clone(),
                        display_name: display,
                        role: role(r),
                        department_id: None,
                        password_hash: hash,
                        must_change_password: true,
                    },
                    &cli_actor(),
                )
                .await
                .map_err(|e| match e {
                    mamori_store::StoreError::Conflict(_) => {
                        anyhow::anyhow!("user {username} already exists")
                    }
                    e => e.into(),
                })?;
                println!("created {username}; temporary password (change at first sign-in): {pw}");
            }
            UserCmd::List { json } => {
                let users = db.users().await?;
                if json {
                    let v: Vec<_> = users
                        .iter()
                        .map(|u| {
                            serde_json::json!({"username": u.username, "display_name": u.display_name,
                                "role": u.role.key(), "disabled": u.disabled,
                                "must_change_password": u.must_change_password, "created_at": u.created_at})
                        })
                        .collect();
                    output::json(&serde_json::json!({ "users": v }))?;
                } else {
                    for u in users {
                        println!(
                            "{:<16} {:<17} {}{}",
                            u.username,
                            u.role.key(),
                            u.display_name,
                            if u.disabled { " (disabled)" } else { "" }
                        );
                    }
                }
            }
            UserCmd::Disable { username } => {
                let u = find(username.clone()).await?;
                db.set_user_disabled(u.id, true, &cli_actor()).await?;
                println!("disabled {username}");
            }
            UserCmd::ResetPassword { username } => {
                let u = find(username.clone()).await?;
                let pw = temporary_password()?;
                let hash = auth::hash_password(&pw).map_err(anyhow::Error::msg)?;
                db.set_password(u.id, &hash, true, None, &cli_actor()).await?;
                println!("temporary password for {username} (change at first sign-in): {pw}");
            }
        }
        db.close().await;
        Ok(0)
    })
}

pub(crate) fn backup(ctx: &Ctx, out: &Path) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let dir = datadir::data_dir(ctx.data_dir.as_deref());
        let path = db_path(&dir);
        if !path.exists() {
            bail!("no application database at {}", path.display());
        }
        let db = AppDb::open(&path).await?;
        db.backup(out).await?;
        db.record(
            &cli_actor(),
            "database.backup",
            "database",
            &out.display().to_string(),
        )
        .await?;
        db.close().await;
        println!("backup written to {}", out.display());
        Ok(0)
    })
}

/// Verifies the application database's audit chain, if there is a database.
pub(crate) fn verify_db(dir: &Path) -> anyhow::Result<Option<Result<u64, mamori_audit::Break>>> {
    let path = db_path(dir);
    if !path.exists() {
        return Ok(None);
    }
    runtime()?.block_on(async move {
        let db = AppDb::open(&path).await?;
        let entries = db.audit_all().await?;
        db.close().await;
        Ok(Some(mamori_audit::verify(&entries)))
    })
}
