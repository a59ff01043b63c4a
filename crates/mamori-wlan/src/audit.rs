//! The checks: records from every source are reconciled with the registers, findings are
//! accumulated per subject (memory grows with the registers and the distinct subjects found,
//! not with the log), and `finish` produces the report.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::mac::Mac;
use crate::parse::Format;
use crate::record::{Kind, Method, Record};
use crate::register::{Admin, Device, DeviceKind, Staff, Terminal, TerminalStatus};

/// `log_gap` findings listed per source.
const MAX_GAPS_LISTED: usize = 100;

/// Failures kept per source and subject for the `repeated_failures` check.
const MAX_FAILURES_KEPT: usize = 100_000;

/// How strict the checks are.
#[derive(Debug, Clone)]
pub struct Config {
    /// The review period `[from, to)`; records outside it are counted, not checked.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// `repeated_failures`: this many failures of one subject within `failure_window`.
    pub failure_threshold: usize,
    pub failure_window: SignedDuration,
    /// `log_gap`: a source silent for longer than this inside the period.
    pub max_gap: SignedDuration,
    /// Evidence references kept per finding (the total is always counted).
    pub evidence_cap: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            from: None,
            to: None,
            failure_threshold: 5,
            failure_window: SignedDuration::from_mins(10),
            max_gap: SignedDuration::from_hours(2),
            evidence_cap: 20,
        }
    }
}

/// The registers, as read by [`crate::register`].
#[derive(Debug, Clone, Default)]
pub struct Registers {
    pub terminals: Vec<Terminal>,
    pub staff: Vec<Staff>,
    pub admins: Vec<Admin>,
    pub devices: Vec<Device>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A client was admitted that is not in the terminal register.
    UnknownTerminal,
    /// A client was admitted whose terminal is registered as retired.
    RetiredTerminal,
    /// A client was admitted with another method than EAP-TLS.
    NonEapTls,
    /// An authenticator or controller not in the device register.
    UnknownNas,
    /// A terminal's user is not on the list of staff permitted to use the WLAN.
    UnpermittedUser,
    /// An administrative sign-in by an account not in the administrators list, or from
    /// another terminal than its maintenance terminal.
    UnauthorizedAdmin,
    /// Many failed authentications of one subject in a short time.
    RepeatedFailures,
    /// A source was silent longer than allowed inside the period: collection failed, so the
    /// period is not proven.
    LogGap,
    /// A registered, active terminal with no authentication in the period.
    NeverSeen,
}

impl FindingKind {
    pub fn key(self) -> &'static str {
        match self {
            FindingKind::UnknownTerminal => "unknown_terminal",
            FindingKind::RetiredTerminal => "retired_terminal",
            FindingKind::NonEapTls => "non_eap_tls",
            FindingKind::UnknownNas => "unknown_nas",
            FindingKind::UnpermittedUser => "unpermitted_user",
            FindingKind::UnauthorizedAdmin => "unauthorized_admin",
            FindingKind::RepeatedFailures => "repeated_failures",
            FindingKind::LogGap => "log_gap",
            FindingKind::NeverSeen => "never_seen",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            FindingKind::RepeatedFailures => Severity::Medium,
            FindingKind::NeverSeen => Severity::Info,
            _ => Severity::High,
        }
    }
}

/// Who or what a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Subject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<Mac>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_serial: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nas: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub path: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub subject: Subject,
    pub detail: String,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub count: u64,
    /// At most `evidence_cap` references; `evidence_total` counts them all.
    pub evidence: Vec<Evidence>,
    pub evidence_total: u64,
}

/// One `--log` argument: a file, or several (rotations) read as one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub format: Format,
    pub files: Vec<FileReport>,
    pub records: u64,
    pub malformed: u64,
    pub outside_period: u64,
    /// Records of SSIDs the device register does not list (another WLAN on the same
    /// equipment), not checked.
    pub other_ssid: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// The first malformed lines (capped), `path:line: reason`.
    pub malformed_examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub lines: u64,
}

/// A registered terminal and what the logs showed of it.
#[derive(Debug, Clone, Serialize)]
pub struct TerminalSeen {
    pub asset_id: String,
    pub macs: Vec<Mac>,
    pub status: TerminalStatus,
    pub assigned_to: String,
    pub admissions: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub period_from: Option<Timestamp>,
    pub period_to: Option<Timestamp>,
    pub records: u64,
    pub malformed: u64,
    pub findings: BTreeMap<Severity, u64>,
    pub terminals_registered: usize,
    pub terminals_active: usize,
    pub terminals_seen: usize,
    /// No finding of severity high: the period's access is proven to be registered terminals
    /// with EAP-TLS and designated administrators only.
    pub conclusion_ok: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub sources: Vec<SourceReport>,
    pub findings: Vec<Finding>,
    pub terminals: Vec<TerminalSeen>,
    pub summary: Summary,
}

impl Report {
    pub fn highest(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).min()
    }
}

struct Acc {
    detail: String,
    first: Timestamp,
    last: Timestamp,
    count: u64,
    evidence: Vec<Evidence>,
    total: u64,
}

struct SourceState {
    report: SourceReport,
    /// Minutes (since the epoch) with at least one record: the gap check.
    minutes: BTreeSet<i64>,
}

/// Feeds records, source by source; `finish` gives the report.
pub struct Auditor {
    config: Config,
    reg: Registers,
    by_mac: HashMap<Mac, usize>,
    by_serial: HashMap<String, usize>,
    by_cn: HashMap<String, usize>,
    by_asset: HashMap<String, usize>,
    staff: HashMap<String, usize>,
    admins: HashMap<String, usize>,
    devices: HashSet<String>,
    ssids: HashSet<String>,
    /// Registered APs' MACs without the last 4 bits: an AP's BSSIDs (one per radio and SSID)
    /// are its base MAC plus a small offset.
    ap_radios: HashSet<[u8; 6]>,
    findings: BTreeMap<(FindingKind, Subject), Acc>,
    failures: HashMap<(usize, Subject), Vec<(Timestamp, Evidence)>>,
    seen: HashMap<usize, (u64, Timestamp, Timestamp)>,
    sources: Vec<SourceState>,
}

/// A MAC without its last 4 bits (the BSSID offset of an AP's radios).
fn radio_prefix(m: Mac) -> [u8; 6] {
    let mut b = m.0;
    b[5] &= 0xF0;
    b
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

impl Auditor {
    pub fn new(config: Config, reg: Registers) -> Auditor {
        let mut a = Auditor {
            config,
            by_mac: HashMap::new(),
            by_serial: HashMap::new(),
            by_cn: HashMap::new(),
            by_asset: HashMap::new(),
            staff: HashMap::new(),
            admins: HashMap::new(),
            devices: HashSet::new(),
            ssids: HashSet::new(),
            ap_radios: HashSet::new(),
            findings: BTreeMap::new(),
            failures: HashMap::new(),
            seen: HashMap::new(),
            sources: Vec::new(),
            reg: Registers::default(),
        };
        for (i, t) in reg.terminals.iter().enumerate() {
            for m in &t.macs {
                a.by_mac.insert(*m, i);
            }
            if let Some(s) = &t.cert_serial {
                a.by_serial.insert(s.clone(), i);
            }
            if let Some(c) = &t.cert_cn {
                a.by_cn.insert(lower(c), i);
            }
            a.by_asset.insert(lower(&t.asset_id), i);
        }
        for (i, s) in reg.staff.iter().enumerate() {
            a.staff.insert(lower(&s.user_name), i);
        }
        for (i, ad) in reg.admins.iter().enumerate() {
            a.admins.insert(lower(&ad.user_name), i);
        }
        for d in &reg.devices {
            for k in [&d.name, &d.ip] {
                if !k.is_empty() {
                    a.devices.insert(lower(k));
                }
            }
            if let Some(m) = d.mac {
                a.devices.insert(lower(&m.to_string()));
            }
            a.ssids.extend(d.ssids.iter().cloned());
            if d.kind == DeviceKind::Ap
                && let Some(m) = d.mac
            {
                a.ap_radios.insert(radio_prefix(m));
            }
        }
        a.reg = reg;
        a
    }

    /// Starts a source; returns its index for [`Auditor::record`].
    pub fn source(&mut self, name: &str, format: Format) -> usize {
        self.sources.push(SourceState {
            report: SourceReport {
                name: name.to_owned(),
                format,
                files: Vec::new(),
                records: 0,
                malformed: 0,
                outside_period: 0,
                other_ssid: 0,
                first: None,
                last: None,
                malformed_examples: Vec::new(),
            },
            minutes: BTreeSet::new(),
        });
        self.sources.len() - 1
    }

    pub fn file_done(&mut self, source: usize, file: FileReport) {
        if let Some(s) = self.sources.get_mut(source) {
            s.report.files.push(file);
        }
    }

    pub fn malformed(&mut self, source: usize, path: &str, line: u64, reason: &str) {
        if let Some(s) = self.sources.get_mut(source) {
            s.report.malformed += 1;
            if s.report.malformed_examples.len() < 20 {
                s.report
                    .malformed_examples
                    .push(format!("{path}:{line}: {reason}"));
            }
        }
    }

    fn add(
        &mut self,
        kind: FindingKind,
        subject: Subject,
        detail: String,
        at: Timestamp,
        ev: Evidence,
    ) {
        let cap = self.config.evidence_cap;
        let acc = self.findings.entry((kind, subject)).or_insert_with(|| Acc {
            detail,
            first: at,
            last: at,
            count: 0,
            evidence: Vec::new(),
            total: 0,
        });
        acc.count += 1;
        acc.total += 1;
        acc.first = acc.first.min(at);
        acc.last = acc.last.max(at);
        if acc.evidence.len() < cap {
            acc.evidence.push(ev);
        }
    }

    /// The registered terminal a record identifies: by MAC, certificate serial, certificate
    /// CN, or a machine account `host/NAME` naming its asset id or CN.
    fn terminal_of(&self, r: &Record) -> Option<usize> {
        // A logged MAC decides: a name the client claims (its EAP identity) must not make an
        // unregistered MAC pass.
        if let Some(m) = r.mac {
            return self.by_mac.get(&m).copied();
        }
        r.cert_serial
            .as_ref()
            .and_then(|s| self.by_serial.get(s))
            .or_else(|| r.cert_cn.as_ref().and_then(|c| self.by_cn.get(&lower(c))))
            .or_else(|| {
                let host = r.user.as_deref()?.strip_prefix("host/")?;
                let host = lower(host);
                self.by_cn
                    .get(&host)
                    .or_else(|| self.by_asset.get(&host))
                    .or_else(|| self.by_asset.get(host.split('.').next().unwrap_or("")))
            })
            .copied()
    }

    pub fn record(&mut self, source: usize, path: &str, line: u64, r: &Record) {
        let Some(src) = self.sources.get_mut(source) else {
            return;
        };
        let in_period = self.config.from.is_none_or(|f| r.time >= f)
            && self.config.to.is_none_or(|t| r.time < t);
        if !in_period {
            src.report.outside_period += 1;
            return;
        }
        // Clients of another WLAN on a shared controller are not this audit's subject: when
        // the device register names the SSIDs, other SSIDs are counted apart.
        if let Some(ssid) = &r.ssid
            && !self.ssids.is_empty()
            && !self.ssids.contains(ssid.as_str())
        {
            src.report.other_ssid += 1;
            return;
        }
        src.report.records += 1;
        src.report.first = Some(src.report.first.map_or(r.time, |f| f.min(r.time)));
        src.report.last = Some(src.report.last.map_or(r.time, |l| l.max(r.time)));
        let minute = r.time.as_second().div_euclid(60);
        if src.minutes.last() != Some(&minute) {
            src.minutes.insert(minute);
        }
        let ev = || Evidence {
            path: path.to_owned(),
            line,
        };

        // The authenticator must be a registered device.
        if let Some(nas) = &r.nas
            && !self.reg.devices.is_empty()
            && !self.devices.contains(nas.as_str())
            && !self.devices.contains(&lower(nas))
        {
            self.add(
                FindingKind::UnknownNas,
                Subject {
                    nas: Some(nas.clone()),
                    ..Subject::default()
                },
                format!("{nas} is not in the device register"),
                r.time,
                ev(),
            );
        }

        // The AP (Called-Station-Id) must be a registered AP when the register lists AP MACs.
        if let Some(ap) = r.ap
            && !self.ap_radios.is_empty()
            && !self.ap_radios.contains(&radio_prefix(ap))
        {
            self.add(
                FindingKind::UnknownNas,
                Subject {
                    nas: Some(format!("AP {ap}")),
                    ..Subject::default()
                },
                format!("AP {ap} is not in the device register"),
                r.time,
                ev(),
            );
        }

        match r.kind {
            k if k.admits_client() => self.admitted(r, path, line),
            Kind::Reject | Kind::ClientAuthFailure | Kind::AdminLoginFailure => {
                let key = match (r.mac, &r.user) {
                    (Some(m), _) => Subject {
                        mac: Some(m),
                        ..Subject::default()
                    },
                    (None, Some(u)) => Subject {
                        user: Some(u.clone()),
                        ..Subject::default()
                    },
                    (None, None) => return,
                };
                // Kept per source (one attempt may be logged by the RADIUS server and the
                // controller) and judged in time order at the end, whatever order files came in.
                let list = self.failures.entry((source, key)).or_default();
                if list.len() < MAX_FAILURES_KEPT {
                    list.push((r.time, ev()));
                }
            }
            Kind::AdminLogin => self.admin(r, ev()),
            _ => {}
        }
    }

    fn admitted(&mut self, r: &Record, path: &str, line: u64) {
        let ev = || Evidence {
            path: path.to_owned(),
            line,
        };
        // One device is one subject whichever source saw it: its MAC when logged, else its
        // certificate serial, else the user name.
        let subject = match (r.mac, &r.cert_serial) {
            (Some(mac), _) => Subject {
                mac: Some(mac),
                ..Subject::default()
            },
            (None, Some(serial)) => Subject {
                cert_serial: Some(serial.clone()),
                ..Subject::default()
            },
            (None, None) => Subject {
                user: r.user.clone(),
                ..Subject::default()
            },
        };

        match self.terminal_of(r) {
            None => {
                let identity = [
                    r.user.as_deref().map(|u| format!("user {u}")),
                    r.cert_serial
                        .as_deref()
                        .map(|s| format!("certificate serial {s}")),
                    r.cert_cn.as_deref().map(|c| format!("CN {c}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                self.add(
                    FindingKind::UnknownTerminal,
                    subject.clone(),
                    if identity.is_empty() {
                        "admitted, but not in the terminal register".into()
                    } else {
                        format!("admitted, but not in the terminal register ({identity})")
                    },
                    r.time,
                    ev(),
                );
            }
            Some(i) => {
                let e = self.seen.entry(i).or_insert((0, r.time, r.time));
                e.0 += 1;
                e.1 = e.1.min(r.time);
                e.2 = e.2.max(r.time);
                let t = &self.reg.terminals[i];
                let retired = t.status == TerminalStatus::Retired;
                if retired {
                    let asset = t.asset_id.clone();
                    self.add(
                        FindingKind::RetiredTerminal,
                        Subject {
                            asset_id: Some(asset.clone()),
                            ..subject.clone()
                        },
                        format!("{asset} is registered as retired"),
                        r.time,
                        ev(),
                    );
                }
                let t = &self.reg.terminals[i];
                // The person using the terminal: a personal User-Name, else the terminal's
                // assigned user.
                if !self.reg.staff.is_empty() {
                    // A personal User-Name (a UPN `suzuki@city…` counts by its local part),
                    // else the terminal's assigned user. Machine accounts and anonymous outer
                    // identities say nothing about the person.
                    let personal = r.user.as_deref().filter(|u| {
                        !u.is_empty()
                            && !u.starts_with("host/")
                            && !lower(u).starts_with("anonymous")
                    });
                    let person = personal.unwrap_or(&t.assigned_to).to_owned();
                    let asset = t.asset_id.clone();
                    let local_part = person.split('@').next().unwrap_or(&person);
                    let ok = [person.as_str(), local_part].iter().any(|p| {
                        self.staff
                            .get(&lower(p))
                            .is_some_and(|s| self.reg.staff[*s].wlan_permitted)
                    });
                    if !ok && !person.is_empty() {
                        self.add(
                            FindingKind::UnpermittedUser,
                            Subject {
                                user: Some(person.clone()),
                                asset_id: Some(asset),
                                ..Subject::default()
                            },
                            format!("{person} is not permitted to use the WLAN"),
                            r.time,
                            ev(),
                        );
                    }
                }
            }
        }
        if let Some(m) = &r.method
            && *m != Method::EapTls
        {
            self.add(
                FindingKind::NonEapTls,
                Subject {
                    method: Some(m.name().to_owned()),
                    ..subject
                },
                format!("admitted with {} instead of EAP-TLS", m.name()),
                r.time,
                ev(),
            );
        }
    }

    fn admin(&mut self, r: &Record, ev: Evidence) {
        let Some(user) = r.user.clone() else {
            return;
        };
        let subject = Subject {
            user: Some(user.clone()),
            from: r.from.clone(),
            nas: r.nas.clone(),
            ..Subject::default()
        };
        if self.reg.admins.is_empty() {
            return;
        }
        match self.admins.get(&lower(&user)).map(|i| &self.reg.admins[*i]) {
            None => self.add(
                FindingKind::UnauthorizedAdmin,
                subject,
                format!("{user} is not a designated administrator"),
                r.time,
                ev,
            ),
            Some(a) => {
                let terminal = a.maintenance_terminal.clone();
                let from = r.from.clone().unwrap_or_default();
                if !terminal.is_empty() && !from.is_empty() && lower(&terminal) != lower(&from) {
                    self.add(
                        FindingKind::UnauthorizedAdmin,
                        subject,
                        format!("{user} signed in from {from}, not from its maintenance terminal {terminal}"),
                        r.time,
                        ev,
                    );
                }
            }
        }
    }

    /// An unregistered device the RADIUS server knew only by its certificate (no MAC in that
    /// log) and an unregistered MAC a controller admitted within two minutes of it are one
    /// device: the certificate finding is folded into the MAC finding.
    fn correlate_unknown(&mut self) {
        let window = SignedDuration::from_mins(2);
        let by_cert: Vec<Subject> = self
            .findings
            .keys()
            .filter(|(k, s)| {
                *k == FindingKind::UnknownTerminal && s.mac.is_none() && s.cert_serial.is_some()
            })
            .map(|(_, s)| s.clone())
            .collect();
        for cert in by_cert {
            let Some(at) = self
                .findings
                .get(&(FindingKind::UnknownTerminal, cert.clone()))
                .map(|a| a.first)
            else {
                continue;
            };
            // The MAC must come from another log than the certificate (a controller's).
            let cert_paths: HashSet<String> = self
                .findings
                .get(&(FindingKind::UnknownTerminal, cert.clone()))
                .map(|a| a.evidence.iter().map(|e| e.path.clone()).collect())
                .unwrap_or_default();
            let best = self
                .findings
                .iter()
                .filter(|((k, s), a)| {
                    *k == FindingKind::UnknownTerminal
                        && s.mac.is_some()
                        && s.cert_serial.is_none()
                        && a.evidence.iter().all(|e| !cert_paths.contains(&e.path))
                })
                .map(|((_, s), a)| (a.first.duration_since(at).abs(), s.clone()))
                .filter(|(d, _)| *d <= window)
                .min();
            let Some((_, mac_subject)) = best else {
                continue;
            };
            let (Some(c), Some(mut m)) = (
                self.findings
                    .remove(&(FindingKind::UnknownTerminal, cert.clone())),
                self.findings
                    .remove(&(FindingKind::UnknownTerminal, mac_subject.clone())),
            ) else {
                continue;
            };
            m.count += c.count;
            m.total += c.total;
            m.first = m.first.min(c.first);
            m.last = m.last.max(c.last);
            let room = self.config.evidence_cap.saturating_sub(m.evidence.len());
            m.evidence.extend(c.evidence.into_iter().take(room));
            m.detail = format!(
                "{}; the certificate seen at the same time: {}",
                m.detail, c.detail
            );
            let merged = Subject {
                cert_serial: cert.cert_serial,
                ..mac_subject
            };
            self.findings
                .insert((FindingKind::UnknownTerminal, merged), m);
        }
    }

    /// `repeated_failures`: `failure_threshold` failures of one subject in one source within
    /// `failure_window`.
    fn judge_failures(&mut self) {
        let window = self.config.failure_window;
        let threshold = self.config.failure_threshold.max(1);
        let failures = std::mem::take(&mut self.failures);
        let mut keys: Vec<_> = failures.keys().cloned().collect();
        keys.sort();
        for key in keys {
            let Some(mut list) = failures.get(&key).cloned() else {
                continue;
            };
            list.sort_by_key(|(t, _)| *t);
            let mut start = 0;
            for end in 0..list.len() {
                while list[end].0.duration_since(list[start].0) > window {
                    start += 1;
                }
                if end + 1 - start >= threshold {
                    let (t, ev) = list[end].clone();
                    self.add(
                        FindingKind::RepeatedFailures,
                        key.1.clone(),
                        format!(
                            "{threshold} or more failures within {} minutes",
                            window.as_mins()
                        ),
                        t,
                        ev,
                    );
                }
            }
        }
    }

    pub fn finish(mut self) -> Report {
        // Gaps: inside the period (or the span the source covers when no period is given).
        let max_gap_mins = self.config.max_gap.as_mins();
        let mut gap_findings = Vec::new();
        for s in &self.sources {
            let start = self
                .config
                .from
                .map(|f| f.as_second().div_euclid(60))
                .or_else(|| s.minutes.first().copied());
            let end = self
                .config
                .to
                .map(|t| t.as_second().div_euclid(60))
                .or_else(|| s.minutes.last().copied());
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            let mut prev = start;
            let mut gaps = Vec::new();
            for m in s.minutes.iter().copied().chain(std::iter::once(end)) {
                if m - prev > max_gap_mins {
                    gaps.push((prev, m));
                }
                prev = prev.max(m);
            }
            // One finding per gap, so the report says which hours are not proven; a source
            // with very many gaps lists the first 100 and one more finding for the rest.
            let total = gaps.len();
            for (n, (a, b)) in gaps.into_iter().enumerate() {
                let (Ok(from), Ok(to)) = (
                    Timestamp::from_second(a * 60),
                    Timestamp::from_second(b * 60),
                ) else {
                    continue;
                };
                if n == MAX_GAPS_LISTED {
                    gap_findings.push(Finding {
                        kind: FindingKind::LogGap,
                        severity: FindingKind::LogGap.severity(),
                        subject: Subject {
                            source: Some(s.report.name.clone()),
                            ..Subject::default()
                        },
                        detail: format!("{} more gaps not listed", total - MAX_GAPS_LISTED),
                        first_seen: Some(from),
                        last_seen: None,
                        count: (total - MAX_GAPS_LISTED) as u64,
                        evidence: Vec::new(),
                        evidence_total: 0,
                    });
                    break;
                }
                gap_findings.push(Finding {
                    kind: FindingKind::LogGap,
                    severity: FindingKind::LogGap.severity(),
                    subject: Subject {
                        source: Some(s.report.name.clone()),
                        ..Subject::default()
                    },
                    detail: format!("{} minutes without records (allowed {max_gap_mins})", b - a),
                    first_seen: Some(from),
                    last_seen: Some(to),
                    count: 1,
                    evidence: Vec::new(),
                    evidence_total: 0,
                });
            }
        }
        self.correlate_unknown();
        self.judge_failures();
        // Registered, active terminals never seen.
        for (i, t) in self.reg.terminals.iter().enumerate() {
            if t.status == TerminalStatus::Active && !self.seen.contains_key(&i) {
                self.findings.insert(
                    (
                        FindingKind::NeverSeen,
                        Subject {
                            asset_id: Some(t.asset_id.clone()),
                            mac: t.macs.first().copied(),
                            ..Subject::default()
                        },
                    ),
                    Acc {
                        detail: "no authentication in the period".into(),
                        first: Timestamp::UNIX_EPOCH,
                        last: Timestamp::UNIX_EPOCH,
                        count: 0,
                        evidence: Vec::new(),
                        total: 0,
                    },
                );
            }
        }
        let mut findings: Vec<Finding> = self
            .findings
            .into_iter()
            .map(|((kind, subject), acc)| Finding {
                kind,
                severity: kind.severity(),
                subject,
                detail: acc.detail,
                first_seen: (acc.count > 0).then_some(acc.first),
                last_seen: (acc.count > 0).then_some(acc.last),
                count: acc.count,
                evidence: acc.evidence,
                evidence_total: acc.total,
            })
            .collect();
        findings.extend(gap_findings);
        findings.sort_by(|a, b| {
            (a.severity, a.kind, a.first_seen, &a.subject).cmp(&(
                b.severity,
                b.kind,
                b.first_seen,
                &b.subject,
            ))
        });
        let terminals: Vec<TerminalSeen> = self
            .reg
            .terminals
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let s = self.seen.get(&i);
                TerminalSeen {
                    asset_id: t.asset_id.clone(),
                    macs: t.macs.clone(),
                    status: t.status,
                    assigned_to: t.assigned_to.clone(),
                    admissions: s.map_or(0, |s| s.0),
                    first_seen: s.map(|s| s.1),
                    last_seen: s.map(|s| s.2),
                }
            })
            .collect();
        let sources: Vec<SourceReport> = self.sources.into_iter().map(|s| s.report).collect();
        let mut by_sev = BTreeMap::new();
        for f in &findings {
            *by_sev.entry(f.severity).or_insert(0u64) += 1;
        }
        let summary = Summary {
            period_from: self.config.from,
            period_to: self.config.to,
            records: sources.iter().map(|s| s.records).sum(),
            malformed: sources.iter().map(|s| s.malformed).sum(),
            conclusion_ok: !by_sev.contains_key(&Severity::High),
            findings: by_sev,
            terminals_registered: terminals.len(),
            terminals_active: terminals
                .iter()
                .filter(|t| t.status == TerminalStatus::Active)
                .count(),
            terminals_seen: terminals.iter().filter(|t| t.admissions > 0).count(),
        };
        Report {
            sources,
            findings,
            terminals,
            summary,
        }
    }
}
