//! Load benchmark for the web pages (not a timed test; results go to docs/benchmarks.md).
//!
//! ```sh
//! cargo bench -p mamori-web --bench load -- [--systems 2000] [--users 50] [--clients 50] [--seconds 10] [--only TEXT]
//! ```
//!
//! Builds a temporary database with `--systems` information systems (half of them with SBD
//! answers and an override) over 20 departments and `--users` accounts, serves it on loopback
//! from its own two-thread runtime, signs every client in as its own user through the login
//! form, then for each page runs `--clients` concurrent clients in a closed loop (each sends
//! its next request when the previous answer has been read in full) for `--seconds` after a
//! two-second warm-up, and prints p50/p99/max latency and requests/s as Markdown.
//!
//! Diagnostics: `MAMORI_BENCH_DB_TIMINGS=N` first times N sequential calls of each store
//! method behind the pages (`MAMORI_BENCH_ONLY_LIST=1` stops after the list);
//! `MAMORI_BENCH_DB_COPY=FILE` saves a copy of the seeded database for `EXPLAIN QUERY PLAN`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mamori_catalog::CatalogSet;
use mamori_model::{Role, SystemInput};
use mamori_store::app::{Actor, AppDb, NewUser, SbdAnswer, SbdOverride};
use mamori_web::{AppState, router};

#[derive(Clone)]
struct Args {
    systems: usize,
    users: usize,
    clients: usize,
    seconds: u64,
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        systems: 2000,
        users: 50,
        clients: 50,
        seconds: 10,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut num = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--systems" => a.systems = num(),
            "--users" => a.users = num(),
            "--clients" => a.clients = num(),
            "--seconds" => a.seconds = num() as u64,
            "--only" => a.only = it.next(),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// A small deterministic generator so runs are comparable.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEGMENTS: [&str; 4] = ["mynumber", "lgwan", "internet", "other"];
const STATUSES: [&str; 5] = [
    "planning",
    "procurement",
    "building",
    "operating",
    "retired",
];
const KINDS: [&str; 8] = [
    "住民記録",
    "税務",
    "福祉",
    "財務会計",
    "文書管理",
    "電子申請",
    "施設予約",
    "人事給与",
];

async fn seed(db: &AppDb, a: &Args) -> Vec<(String, String)> {
    let actor = Actor {
        name: "bench".into(),
        time: "2026-11-23T10:00:00+09:00".into(),
    };
    db.set_organisation("ベンチ市", &actor).await.unwrap();
    let mut depts = Vec::new();
    for i in 0..20 {
        depts.push(
            db.add_department(&format!("第{}部 {}課", i + 1, KINDS[i % 8]), &actor)
                .await
                .unwrap(),
        );
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for i in 0..a.systems {
        let seg = SEGMENTS[rng.below(4)];
        let input = SystemInput {
            name: format!("{}システム {:04}", KINDS[i % 8], i + 1),
            department_id: depts[rng.below(depts.len())].to_string(),
            segment: seg.into(),
            confidentiality: ["1", "2", "3"][rng.below(3)].into(),
            integrity: ["1", "2"][rng.below(2)].into(),
            availability: ["1", "2"][rng.below(2)].into(),
            external_access: (seg == "internet").then(|| "on".to_owned()),
            user_base: "staff".into(),
            status: STATUSES[rng.below(5)].into(),
            overview: "負荷試験用に生成した架空の情報システム。".repeat(3),
        };
        let id = db
            .create_system(&input.validate().unwrap(), &actor)
            .await
            .unwrap();
        if i % 2 == 0 {
            let answers = ["A", "B", "C", "D", "E", "F"]
                .iter()
                .map(|c| SbdAnswer {
                    condition_id: (*c).into(),
                    value: rng.below(2) == 0,
                    reason: format!("条件{c}の判断理由（生成）"),
                })
                .collect::<Vec<_>>();
            let overrides = [SbdOverride {
                requirement_id: "AT-1-1".into(),
                level: "high".into(),
                justification: "負荷試験用の変更理由".into(),
            }];
            db.save_sbd(id, &answers, &overrides, &actor).await.unwrap();
        }
    }
    // Argon2id makes each hash take tens of milliseconds: hash one password, share it.
    let password = "bench password 2026";
    let hash = mamori_web::auth::hash_password(password).unwrap();
    // Roles that may read every measured page, the audit trail included.
    let roles = [Role::SecurityOfficer, Role::Auditor];
    let mut users = Vec::new();
    for i in 0..a.users {
        let name = format!("user{i:02}");
        db.create_user(
            &NewUser {
                username: name.clone(),
                display_name: format!("利用者 {i}"),
                role: roles[i % roles.len()],
                department_id: Some(depts[i % depts.len()]),
                password_hash: hash.clone(),
                must_change_password: false,
            },
            &actor,
        )
        .await
        .unwrap();
        users.push((name, password.to_owned()));
    }
    users
}

fn cookie_of(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (kv, _) = v.split_once(';')?;
        let (k, val) = kv.split_once('=')?;
        (k == name && !val.is_empty()).then(|| val.to_owned())
    })
}

/// Signs in through the login form as a browser would; returns the session cookie header.
async fn login(http: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let pre = cookie_of(&page, "mamori_pre").expect("pre-login cookie");
    let body = page.text().await.unwrap();
    let i = body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    let csrf = &body[i..i + 64];
    let res = http
        .post(format!("{base}/login"))
        .header("cookie", format!("mamori_pre={pre}"))
        .form(&[
            ("csrf", csrf),
            ("username", user),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "login of {user}");
    let session = cookie_of(&res, "mamori_session").expect("session cookie");
    format!("mamori_session={session}")
}

/// Produces the next request path for a client.
type PathFn = Arc<dyn Fn(&mut XorShift) -> String + Send + Sync>;

struct Measured {
    requests: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    bytes: usize,
}

/// Runs `clients` closed-loop clients against the paths `path(client, i)` produces.
async fn measure(
    http: &reqwest::Client,
    base: &str,
    sessions: &[String],
    seconds: u64,
    path: PathFn,
) -> Measured {
    let mut phases = Vec::new();
    for (warm, secs) in [(true, 2), (false, seconds)] {
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        let started = Instant::now();
        for (c, cookie) in sessions.iter().enumerate() {
            let (http, base, cookie, stop, path) = (
                http.clone(),
                base.to_owned(),
                cookie.clone(),
                stop.clone(),
                path.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut rng = XorShift(0x2545_f491_4f6c_dd1d ^ ((c as u64 + 1) * 0x9e37_79b9));
                let mut lat = Vec::with_capacity(4096);
                let mut bytes = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let p = path(&mut rng);
                    let t = Instant::now();
                    let res = http
                        .get(format!("{base}{p}"))
                        .header("cookie", &cookie)
                        .send()
                        .await
                        .unwrap();
                    let status = res.status();
                    let body = res.bytes().await.unwrap();
                    lat.push(t.elapsed());
                    assert_eq!(status, 200, "GET {p}");
                    bytes += body.len();
                }
                (lat, bytes)
            }));
        }
        tokio::time::sleep(Duration::from_secs(secs)).await;
        stop.store(true, Ordering::Relaxed);
        let mut lat = Vec::new();
        let mut bytes = 0;
        for t in tasks {
            let (l, b) = t.await.unwrap();
            lat.extend(l);
            bytes += b;
        }
        let elapsed = started.elapsed();
        if !warm {
            phases.push((lat, bytes, elapsed));
        }
    }
    let (mut lat, bytes, elapsed) = phases.pop().unwrap();
    lat.sort_unstable();
    let q = |f: f64| lat[((lat.len() as f64 * f) as usize).min(lat.len() - 1)];
    Measured {
        requests: lat.len(),
        elapsed,
        p50: q(0.50),
        p99: q(0.99),
        max: *lat.last().unwrap(),
        bytes: bytes / lat.len().max(1),
    }
}

/// Sequential timings of the store calls behind the pages (set MAMORI_BENCH_DB_TIMINGS=1).
async fn db_timings(db: &AppDb) {
    if let Some(copy) = std::env::var_os("MAMORI_BENCH_DB_COPY") {
        db.backup(std::path::Path::new(&copy)).await.unwrap();
    }
    use mamori_store::app::{SystemQuery, SystemSort};
    let n: u32 = std::env::var("MAMORI_BENCH_DB_TIMINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let q = SystemQuery {
        per_page: 50,
        page: 1,
        ..SystemQuery::default()
    };
    let q2 = SystemQuery {
        sort: SystemSort::Department,
        page: 7,
        per_page: 50,
        ..SystemQuery::default()
    };
    let q3 = SystemQuery {
        text: "税務".into(),
        per_page: 50,
        page: 1,
        ..SystemQuery::default()
    };
    macro_rules! time {
        ($name:expr, $e:expr) => {{
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box($e.await.unwrap());
            }
            eprintln!(
                "{:>40}: {:>7.1} µs",
                $name,
                t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
            );
        }};
    }
    time!("audit_page 1 row", db.audit_page(None, 1, 1));
    time!("audit_page 50 rows", db.audit_page(None, 1, 50));
    time!("audit_page 200 rows", db.audit_page(None, 1, 200));
    let memo = tokio::sync::Mutex::default();
    let now: jiff::Timestamp = "2026-11-23T01:00:00Z".parse().unwrap();
    time!(
        "whole audit chain verified",
        mamori_web::chain::check(db, &memo, now, true)
    );
    time!("list_systems page 1 by name", db.list_systems(&q));
    let q1 = SystemQuery {
        per_page: 1,
        ..q.clone()
    };
    time!("list_systems 1 row", db.list_systems(&q1));
    if std::env::var_os("MAMORI_BENCH_ONLY_LIST").is_some() {
        return;
    }
    time!("list_systems page 7 by department", db.list_systems(&q2));
    time!("list_systems text 税務", db.list_systems(&q3));
    time!("departments", db.departments());
    time!("system", db.system(17));
    time!("sbd_state", db.sbd_state(17));
    time!("session (missing)", db.session("00", 0));
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("mamori.sqlite");

    // The server: its own runtime with two worker threads, as `mamori serve` runs.
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let server_db = db_path.clone();
    let seeded_args = a.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("server")
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let db = AppDb::open(&server_db).await.unwrap();
            let t0 = Instant::now();
            let users = seed(&db, &seeded_args).await;
            eprintln!(
                "seeded {} systems, {} users in {:.1} s",
                seeded_args.systems,
                users.len(),
                t0.elapsed().as_secs_f64()
            );
            if std::env::var_os("MAMORI_BENCH_DB_TIMINGS").is_some() {
                db_timings(&db).await;
            }
            let t: jiff::Timestamp = "2026-11-23T01:00:00Z".parse().unwrap();
            let evidence = mamori_store::evidence_store::EvidenceStore::open(
                &server_db.with_file_name("evidence"),
            )
            .unwrap();
            let state = AppState::new(
                db,
                CatalogSet::builtin().unwrap(),
                Arc::new(move || t),
                evidence,
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx
                .send((listener.local_addr().unwrap(), users))
                .unwrap();
            axum::serve(
                listener,
                router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
    });
    let (addr, users) = addr_rx.recv().unwrap();
    let base = format!("http://{addr}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(a.clients)
            .build()
            .unwrap();
        let mut sessions = Vec::new();
        for c in 0..a.clients {
            let (u, p) = &users[c % users.len()];
            sessions.push(login(&http, &base, u, p).await);
        }
        let n = a.systems;
        let pages: Vec<(&str, PathFn)> = vec![
            (
                "systems list, page 1 (50 rows)",
                Arc::new(|_: &mut XorShift| "/systems".to_owned()),
            ),
            (
                "systems list, random page / sort / segment filter",
                Arc::new(move |r: &mut XorShift| {
                    let sort = ["name", "department", "segment", "status", "updated"][r.below(5)];
                    let dir = ["asc", "desc"][r.below(2)];
                    if r.below(2) == 0 {
                        format!("/systems?page={}&sort={sort}&dir={dir}", 1 + r.below(n / 50))
                    } else {
                        let seg = SEGMENTS[r.below(4)];
                        format!("/systems?segment={seg}&sort={sort}&dir={dir}")
                    }
                }),
            ),
            (
                "systems list, keyword search (2,000 names and overviews)",
                Arc::new(|r: &mut XorShift| {
                    // 税務, 福祉, 電子申請, LGWAN (ASCII: the case-folding path), 架空 (every row).
                    let q = [
                        "%E7%A8%8E%E5%8B%99",
                        "%E7%A6%8F%E7%A5%89",
                        "%E9%9B%BB%E5%AD%90%E7%94%B3%E8%AB%8B",
                        "lgwan",
                        "%E6%9E%B6%E7%A9%BA",
                    ][r.below(5)];
                    format!("/systems?q={q}")
                }),
            ),
            (
                "system detail",
                Arc::new(move |r: &mut XorShift| format!("/systems/{}", 1 + r.below(n))),
            ),
            (
                "SBD wizard step 1 (six conditions)",
                Arc::new(move |r: &mut XorShift| format!("/systems/{}/sbd", 1 + r.below(n))),
            ),
            (
                "SBD wizard step 2 (24-row level table)",
                Arc::new(move |r: &mut XorShift| {
                    // Odd ids have answers (every other system was seeded with them).
                    format!("/systems/{}/sbd/levels", 1 + 2 * r.below(n / 2))
                }),
            ),
            (
                "SBD wizard step 3 (specification preview)",
                Arc::new(move |r: &mut XorShift| {
                    format!("/systems/{}/sbd/preview", 1 + 2 * r.below(n / 2))
                }),
            ),
            (
                "audit trail, page 1 (chain checked incrementally)",
                Arc::new(|_: &mut XorShift| "/audit".to_owned()),
            ),
        ];
        println!(
            "{} systems, {} users, {} concurrent clients, {} s per page (after 2 s warm-up), loopback\n",
            a.systems, a.users, a.clients, a.seconds
        );
        println!("| page | requests | req/s | p50 ms | p99 ms | max ms | bytes/page |");
        println!("|---|---|---|---|---|---|---|");
        for (name, path) in pages {
            if a.only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
                continue;
            }
            let r = measure(&http, &base, &sessions, a.seconds, path).await;
            println!(
                "| {name} | {} | {:.0} | {} | {} | {} | {} |",
                r.requests,
                r.requests as f64 / r.elapsed.as_secs_f64(),
                ms(r.p50),
                ms(r.p99),
                ms(r.max),
                r.bytes
            );
        }
    });
}
