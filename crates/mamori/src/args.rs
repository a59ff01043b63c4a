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
    /// Where mamori keeps its data (scan key, scan state, audit log).
    /// Default: $XDG_DATA_HOME/mamori or ~/.local/share/mamori.
    #[arg(long, global = true, env = "MAMORI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
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
    /// My Number (個人番号) and corporate number (法人番号) check digits.
    #[command(subcommand)]
    Mynumber(MynumberCmd),
    /// Find 特定個人情報: scan files and folders for My Numbers (masked reports).
    Scan(ScanArgs),
    /// The audit log of actions taken with mamori.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Run the web application (default http://127.0.0.1:8080).
    Serve(ServeArgs),
    /// Manage web-application accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Write a consistent copy of the application database (safe while the server runs).
    Backup {
        /// Where to write the copy (must not exist).
        #[arg(value_name = "FILE")]
        out: PathBuf,
    },
    /// Wireless LAN: audit access logs against the registers of terminals, staff,
    /// administrators and devices.
    #[command(subcommand)]
    Wlan(WlanCmd),
    /// Compliance assessments against the WLAN requirement catalogs: results, evidence,
    /// remediation, review and sign-off, reports.
    #[command(subcommand)]
    Assess(AssessCmd),
    /// Corporate numbers (法人番号): a local copy of the NTA's published data — import,
    /// search, show, and check published lists.
    #[command(subcommand)]
    Corp(CorpCmd),
    /// Internal helpers run by mamori itself (isolated PDF text extraction).
    #[command(subcommand, hide = true)]
    Internal(InternalCmd),
}

#[derive(Debug, Subcommand)]
pub enum CorpCmd {
    /// Import NTA files in the order given: a 全件 file (zip, CSV Unicode or Shift_JIS, or
    /// XML; `*_all_*` in its name, or --full) replaces the local copy, 差分 files are applied
    /// on top. All or nothing: the local copy is replaced only when every file was read.
    Import {
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Treat the first file as a 全件 file whatever its name.
        #[arg(long)]
        full: bool,
        #[arg(long)]
        quiet: bool,
        #[arg(long)]
        json: bool,
    },
    /// Search by name (folded: 株式会社/(株)/㈱ before or after, widths, kana, 旧字体) or
    /// by フリガナ.
    Search {
        /// The name (or with --kana the reading); empty lists by the filters.
        #[arg(default_value = "")]
        name: String,
        /// prefix (default), partial or exact.
        #[arg(long, default_value = "prefix")]
        mode: String,
        /// Search the フリガナ (五十音 prefix).
        #[arg(long)]
        kana: bool,
        /// Prefecture code (01–47, 99).
        #[arg(long, value_name = "CODE")]
        pref: Option<u8>,
        /// City code (3 digits, with --pref).
        #[arg(long, value_name = "CODE")]
        city: Option<u16>,
        /// 法人種別 codes, comma-separated (e.g. 301,305).
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        kind: Vec<String>,
        /// Include closed corporations.
        #[arg(long)]
        closed: bool,
        /// Also match earlier names.
        #[arg(long)]
        past: bool,
        /// 法人番号指定年月日 from (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// 法人番号指定年月日 to (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// relevance (default), gojuon, region, assigned or number.
        #[arg(long, default_value = "relevance")]
        sort: String,
        #[arg(long, default_value_t = 1)]
        page: usize,
        #[arg(long, default_value_t = 20)]
        per_page: usize,
        #[arg(long)]
        json: bool,
    },
    /// Show corporations by number (several at once), with --history every recorded state.
    Show {
        #[arg(value_name = "NUMBER", required = true)]
        numbers: Vec<String>,
        #[arg(long)]
        history: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write the NTA download files again from the local copy: the 全件 file (current row of
    /// every corporation) or, with --from/--to, the 差分 of that period.
    Export {
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
        /// csv (default, Unicode), sjis (CSV Shift_JIS) or xml.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Start a 差分 file at this 更新年月日 (YYYY-MM-DD).
        #[arg(long, requires = "to")]
        from: Option<String>,
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// The 最終更新年月日 written in the XML header (default today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Check a published list (xlsx or csv with a header row): corporate numbers missing,
    /// malformed, failing the check digit, unknown, closed or not matching the name; propose
    /// the number where exactly one active corporation has the name. Exit 1 on any problem.
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The header of the name column (or its letter, e.g. B).
        #[arg(long, value_name = "COLUMN")]
        name_column: String,
        /// The header of the corporate-number column (or its letter).
        #[arg(long, value_name = "COLUMN")]
        number_column: Option<String>,
        /// Write an annotated copy (.xlsx or .csv).
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AssessCmd {
    /// List the assessments.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Start an assessment (a draft), or with --from a new version of an earlier one.
    New {
        /// The catalog to assess against (wlan-lgwan, wlan-mynumber).
        #[arg(long)]
        catalog: Option<String>,
        /// Assess a network segment: mynumber, lgwan, internet or other.
        #[arg(long, conflicts_with = "system")]
        segment: Option<String>,
        /// Assess a registered information system (its ID in the web application).
        #[arg(long)]
        system: Option<i64>,
        /// The assessment date (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// Flag evidence collected more than this many days before the assessment date.
        #[arg(long, value_name = "DAYS")]
        max_age: Option<u32>,
        /// Copy results, evidence references and remediation from this assessment.
        #[arg(long, value_name = "ID")]
        from: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Record the result of one requirement.
    Set {
        id: i64,
        /// Requirement ID, e.g. MN-04.
        item: String,
        /// compliant | partial | non_compliant | not_applicable | not_assessed (or 適合 …).
        result: String,
        /// Comment; required for not_applicable (the justification).
        #[arg(long, default_value = "")]
        comment: String,
        #[arg(long)]
        json: bool,
    },
    /// Evidence attached to requirements.
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// Set the remediation (action, owner, due date, status) of one requirement.
    Remediate {
        id: i64,
        item: String,
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value = "")]
        owner: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// open | in_progress | done.
        #[arg(long, default_value = "open")]
        status: String,
        /// Remove the remediation instead.
        #[arg(long, conflicts_with_all = ["action", "due"])]
        remove: bool,
    },
    /// Show the overall result and progress; with --to, move it through the workflow
    /// (draft → in_review → signed_off, or in_review → draft).
    Status {
        id: i64,
        /// in_review | draft | signed_off.
        #[arg(long)]
        to: Option<String>,
        /// The web-application account that signs off or returns (needs the sign-off role).
        #[arg(long, value_name = "USERNAME")]
        signer: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a report: .xlsx, .docx, .html or .json (by the file name).
    Report {
        id: i64,
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
        /// The date printed on the report (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCmd {
    /// Attach one evidence item: a file, a URL, a note, or an analyzer's record.
    Add {
        id: i64,
        item: String,
        #[arg(long, value_name = "FILE", group = "what")]
        file: Option<PathBuf>,
        #[arg(long, group = "what")]
        url: Option<String>,
        #[arg(long, value_name = "TEXT", group = "what")]
        note: Option<String>,
        /// A report written by a mamori analyzer: wlan-audit=REPORT.json (from
        /// `mamori wlan audit --report`) or scan=RESULT.json.
        #[arg(long, value_name = "ANALYZER=FILE", group = "what")]
        record: Option<String>,
        /// A short title (default: the file name, URL or first line of the note).
        #[arg(long)]
        title: Option<String>,
        /// When the evidence was collected (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write an evidence file out, after checking it against its stored SHA-256.
    Get {
        /// The evidence ID (see `mamori assess status ID --json`).
        evidence: i64,
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check every stored evidence file against its SHA-256; exit 1 on any mismatch.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum MynumberCmd {
    /// Validate numbers read from standard input, one per line; prints only masked forms.
    /// Exit 1 when any line is not a valid number.
    Check {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check that the hash chain of the audit log is intact; exit 1 and say where it breaks.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "MAMORI_ADDR")]
    pub addr: String,
    /// Fill an empty database with the fictional municipality サンプル市 (departments, users,
    /// systems, SBD profiles).
    #[arg(long)]
    pub demo: bool,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long)]
    pub log_json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    SecurityOfficer,
    Assessor,
    Auditor,
    Viewer,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create an account; prints a temporary password to change at first sign-in.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable an account (its sessions and API tokens end).
    Disable { username: String },
    /// Issue a new temporary password.
    ResetPassword { username: String },
}

#[derive(Debug, Subcommand)]
pub enum InternalCmd {
    /// Read a PDF on standard input, write its pages' text as JSON on standard output.
    PdfText,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, PartialOrd, Ord)]
pub enum MinConfidence {
    Low,
    Medium,
    High,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ScanArgs {
    #[command(subcommand)]
    pub action: Option<ScanAction>,
    /// Files and folders to scan.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print the whole result as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Write findings as JSON Lines (one finding per line) to FILE (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,
    /// Write an Excel report (summary by folder, files ranked, findings, files not scanned).
    #[arg(long, value_name = "FILE.xlsx")]
    pub report: Option<PathBuf>,
    /// Skip paths matching this glob (repeatable), e.g. `**/backup/**`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than this (bytes, or with K/M/G suffix).
    #[arg(long, default_value = "512M", value_name = "SIZE")]
    pub max_size: String,
    /// Follow symbolic links (off by default: a link can lead outside the share or loop).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Worker threads (default: the number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rescan every file, ignoring the state of earlier scans.
    #[arg(long)]
    pub full: bool,
    /// The incremental-scan state file (SQLite). Default: DATA_DIR/scan-state.sqlite.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Do not read or write scan state.
    #[arg(long, conflicts_with = "state")]
    pub no_state: bool,
    /// Retention rule `GLOB=YEARS` (repeatable): files matching GLOB older than YEARS are listed
    /// as past retention.
    #[arg(long, value_name = "GLOB=YEARS")]
    pub retention: Vec<String>,
    /// Report only findings at or above this confidence.
    #[arg(long, value_enum, default_value = "low")]
    pub min_confidence: MinConfidence,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum ScanAction {
    /// Move files with findings into a protected folder, keeping their relative paths and
    /// writing a manifest; each move is recorded in the audit log.
    Quarantine {
        /// Files to move (as listed by `mamori scan`).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The quarantine folder (created with owner-only permissions).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// The folder the relative paths are kept from (default: the current directory).
        #[arg(long, value_name = "DIR")]
        base: Option<PathBuf>,
    },
    /// Write a copy of a CSV/TSV/xlsx file with every My Number replaced by its masked form.
    Mask {
        #[arg(value_name = "FILE")]
        input: PathBuf,
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
    },
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

#[derive(Debug, Subcommand)]
pub enum WlanCmd {
    /// Check that only registered My Number terminals, with EAP-TLS, used the WLAN and only
    /// designated administrators signed in. Exit 0: no high finding; 1: high findings; 2: error.
    Audit(WlanAuditArgs),
}

#[derive(Debug, clap::Args)]
pub struct WlanAuditArgs {
    /// Terminal register (CSV or xlsx): asset_id, mac, cert_serial, cert_cn, segment,
    /// assigned_to, status (English or Japanese headers).
    #[arg(long, value_name = "FILE")]
    pub terminals: PathBuf,
    /// Staff register: staff_id, name, user_name, handles_mynumber, wlan_permitted.
    #[arg(long, value_name = "FILE")]
    pub staff: Option<PathBuf>,
    /// Administrators: user_name, name, maintenance_terminal.
    #[arg(long, value_name = "FILE")]
    pub admins: Option<PathBuf>,
    /// Network devices: kind (nas/controller/ap), name, ip, mac, ssids, segment.
    #[arg(long, value_name = "FILE")]
    pub devices: Option<PathBuf>,
    /// A log: `[FORMAT[@ZONE]:]PATH`, a file (.gz read transparently) or a directory of
    /// rotated files; `@ZONE` reads this source's local times in another zone (`cisco@UTC:…`). FORMAT: radius-log, detail, linelog, cisco, nps-ias, nps-odbc, nps-dts, meraki, aruba, table; recognised
    /// automatically when omitted. Repeat for each source.
    #[arg(long = "log", value_name = "[FORMAT[@ZONE]:]PATH", required = true)]
    pub logs: Vec<String>,
    /// For `table` sources: a TOML file naming the columns of an export mamori does not know
    /// (`time = "受信日時"`, `mac`, `user`, `result`, `nas`, `method`, `serial`, `cn`, and
    /// `accept = ["OK"]`, `reject = ["NG"]`).
    #[arg(long, value_name = "FILE.toml")]
    pub table_map: Option<PathBuf>,
    /// Start of the review period: a date (local midnight) or an RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// End of the review period: a date (through the end of that day) or an RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Time zone of local times in the logs.
    #[arg(long, default_value = "Asia/Tokyo", value_name = "ZONE")]
    pub tz: String,
    /// A source silent for longer than this inside the period is a `log_gap`.
    #[arg(long, default_value = "2h", value_name = "DURATION")]
    pub max_gap: String,
    /// `repeated_failures`: this many failures of one subject …
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub failures: usize,
    /// … within this time.
    #[arg(long, default_value = "10m", value_name = "DURATION")]
    pub failure_window: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report (無線LANアクセスログ確認結果) to FILE: .xlsx, .docx or .json.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The report's date (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}
