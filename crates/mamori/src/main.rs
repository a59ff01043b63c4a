//! The `mamori` binary: thin glue between the command line and the library crates.

mod args;
mod audit_log;
mod cmd_assess;
mod cmd_audit;
mod cmd_catalog;
mod cmd_corp;
mod cmd_mynumber;
mod cmd_sbd;
mod cmd_scan;
mod cmd_serve;
mod cmd_wlan;
mod datadir;
mod output;
mod pdf_worker;

use std::process::ExitCode;

use clap::Parser;
use mamori_catalog::{CatalogSet, Lang};

use crate::args::{Cli, Command, LangArg};

/// Exit codes: 0 success, 1 a check found problems, 2 an error.
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;

pub(crate) struct Ctx {
    pub lang: Lang,
    pub catalog_dir: Option<std::path::PathBuf>,
    pub data_dir: Option<std::path::PathBuf>,
}

impl Ctx {
    pub fn catalogs(&self) -> anyhow::Result<CatalogSet> {
        Ok(CatalogSet::with_overlay(self.catalog_dir.as_deref())?)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Ctx {
        lang: match cli.global.lang {
            LangArg::Ja => Lang::Ja,
            LangArg::En => Lang::En,
        },
        catalog_dir: cli.global.catalog_dir,
        data_dir: cli.global.data_dir,
    };
    let result = match cli.command {
        Command::Catalog(cmd) => cmd_catalog::run(&ctx, cmd),
        Command::Sbd(cmd) => cmd_sbd::run(&ctx, cmd),
        Command::Mynumber(cmd) => cmd_mynumber::run(cmd),
        Command::Scan(args) => cmd_scan::run(&ctx, args),
        Command::Internal(args::InternalCmd::PdfText) => pdf_worker::child_main(),
        Command::Audit(cmd) => cmd_audit::run(&ctx, cmd),
        Command::Serve(args) => cmd_serve::serve(&ctx, args),
        Command::User(cmd) => cmd_serve::user(&ctx, cmd),
        Command::Backup { out } => cmd_serve::backup(&ctx, &out),
        Command::Wlan(args::WlanCmd::Audit(a)) => cmd_wlan::audit(a),
        Command::Assess(cmd) => cmd_assess::run(&ctx, cmd),
        Command::Corp(cmd) => cmd_corp::run(&ctx, cmd),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("mamori: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
