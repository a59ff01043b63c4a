//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mamori",
    version,
    about = "mamori (守り): security governance for Japanese public-sector information systems",
    long_about = "mamori (守り): security governance for Japanese public-sector information systems.\n\nStart with `mamori sbd questions`, then `mamori sbd recommend --yes A,F` or\n`mamori sbd spec examples/gyosei-joho-teikyo.toml --format md`."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Language of the output: ja (default) or en.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "ja",
        env = "MAMORI_LANG"
    )]
    pub lang: LangArg,
    /// A directory of catalog files (*.toml) that extend or replace the built-in catalogs.
    #[arg(long, global = true, env = "MAMORI_CATALOG_DIR", value_name = "DIR")]
    pub catalog_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Control catalogs: list, show and check them.
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Security-by-Design requirement formulation (NISC SBD manual).
    #[command(subcommand)]
    Sbd(SbdCmd),
}

#[derive(Debug, Subcommand)]
pub enum CatalogCmd {
    /// List the catalogs in force and their items.
    List {
        /// Only this catalog.
        #[arg(long)]
        catalog: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show one item (e.g. AT-1-1), judgment condition (e.g. A) or catalog (e.g. sbd).
    Show {
        id: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Validate the catalogs in force (built-in plus --catalog-dir); exit 1 on any problem.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum SbdCmd {
    /// The six judgment conditions with guidance for answering them.
    Questions {
        #[arg(long)]
        json: bool,
    },
    /// Recommended level per requirement for the conditions answered yes.
    Recommend {
        /// Conditions answered yes, comma-separated (e.g. A,F); all others are no.
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        yes: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the security chapter of a procurement specification from a profile (TOML).
    Spec {
        /// The system profile: answers, reasons, overrides (see examples/).
        profile: PathBuf,
        /// md, json, docx or xlsx (default: from the output file's extension, else md).
        #[arg(long, short)]
        format: Option<String>,
        /// Output file; `-` or absent writes md/json to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Document date (YYYY-MM-DD); default today in Japan.
        #[arg(long)]
        date: Option<String>,
    },
}
