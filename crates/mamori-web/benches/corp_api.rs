//! Load benchmark of the 法人番号 Web-API and JSON API on loopback (not a timed test).
//!
//! ```sh
//! cargo run --release -p xtask -- corp-data target/corp 200000 --no-xml
//! cargo bench -p mamori-web --bench corp_api -- target/corp/00_zenkoku_history_20260529.csv \
//!     [--clients 32] [--seconds 10] [--only TEXT]
//! ```
//!
//! Reads the file into a [`Registry`] as `mamori serve` reads its copy, builds the index,
//! serves it from its own two-thread runtime (as `mamori serve` runs) with a viewer's API
//! token, then for each scenario runs `--clients` concurrent clients in a closed loop (each
//! sends its next request when the previous answer has been read in full) for `--seconds`
//! after a two-second warm-up, and prints requests/s and p50/p99/max latency as Markdown.
//! Queries come deterministically from the registry's own names (prefixes of 2–4 characters
//! of the name without its 法人格, 3 characters from inside a name) and numbers.
//!
//! Before serving, it builds the broad `/4/name` answers in process and prints where their
//! time goes (search with limit 2,000, gathering the 2,000 current rows, writing the body).
//! The answer cache (`corp::AnswerCache`) is off for every scenario but the two marked
//! "cache on": one whose queries all repeat (every answer served from the cache after the
//! warm-up) and one where half the queries come from a hot set of 100 and half were never
//! asked before (the hit rate during the measurement is printed). The last scenario is the
//! ceiling of the transport: the same clients fetching a fixed body of the mean size of the
//! prefix answers from a trivial axum handler (bench-only, its own listener on the server's
//! runtime), so no search and no body building at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use mamori_catalog::CatalogSet;
use mamori_corp::Envelope;
use mamori_model::Role;
use mamori_store::app::{Actor, AppDb, NewUser};
use mamori_web::corp::{self, ANSWER_CACHE_BYTES, CorpData, Format};
use mamori_web::{AppState, router, urlencode};

struct Args {
    file: String,
    clients: usize,
    seconds: u64,
    only: Option<String>,
    /// Rounds of the in-process tables (more for a profile of them).
    repeat: usize,
}

fn args() -> Args {
    let mut a = Args {
        file: String::new(),
        clients: 32,
        seconds: 10,
        only: None,
        repeat: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).expect("--clients N"),
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds N"),
            "--only" => a.only = it.next(),
            "--repeat" => a.repeat = it.next().and_then(|v| v.parse().ok()).expect("--repeat N"),
            "--bench" => {}
            f if !f.starts_with("--") => a.file = f.to_owned(),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(
        !a.file.is_empty(),
        "give a registry file: cargo run --release -p xtask -- corp-data target/corp 200000 --no-xml"
    );
    a
}

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

type PathFn = Arc<dyn Fn(&mut XorShift) -> String + Send + Sync>;

struct Measured {
    /// Cache hits and misses during the measured phase.
    cache: Option<(u64, u64)>,
    requests: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    bytes: usize,
}

async fn measure(
    http: &reqwest::Client,
    base: &str,
    clients: usize,
    seconds: u64,
    path: PathFn,
    data: Option<&CorpData>,
) -> Measured {
    let mut last = None;
    let mut before = (0, 0);
    for (warm, secs) in [(true, 2), (false, seconds)] {
        if !warm && let Some(d) = data {
            let s = d.answers().stats();
            before = (s.hits, s.misses);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (http, base, stop, path) =
                (http.clone(), base.to_owned(), stop.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                let mut rng = XorShift(0x2545_f491_4f6c_dd1d ^ ((c as u64 + 1) * 0x9e37_79b9));
                let mut lat = Vec::with_capacity(8192);
                let mut bytes = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let p = path(&mut rng);
                    let t = Instant::now();
                    let res = http.get(format!("{base}{p}")).send().await.unwrap();
                    let status = res.status();
                    let body = res.bytes().await.unwrap();
                    lat.push(t.elapsed());
                    assert_eq!(status, 200, "GET {p}: {}", String::from_utf8_lossy(&body));
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
        if !warm {
            last = Some((lat, bytes, started.elapsed()));
        }
    }
    let (mut lat, bytes, elapsed) = last.unwrap();
    let cache = data.map(|d| {
        let s = d.answers().stats();
        (s.hits - before.0, s.misses - before.1)
    });
    lat.sort_unstable();
    let q = |f: f64| lat[((lat.len() as f64 * f) as usize).min(lat.len() - 1)];
    Measured {
        cache,
        requests: lat.len(),
        elapsed,
        p50: q(0.50),
        p99: q(0.99),
        max: *lat.last().unwrap(),
        bytes: bytes / lat.len().max(1),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Builds the first divide of `/4/name?name=…&type=02` (and `type=01`) in process for each
/// name and prints the mean time of each step; returns the mean size of the UTF-8 answers.
/// Every other name gathers its rows in one pass, row by row (as the handler did before
/// `CorpData::latest_lines`), for comparison on different rows (the rows one variant
/// touched would be in cache for the other).
fn breakdown(data: &CorpData, names: &[String]) -> usize {
    // Per variant (0: `latest_lines`, 1: one pass): gather, write UTF-8, rows.
    let mut gather = [Duration::ZERO; 2];
    let mut utf8 = [Duration::ZERO; 2];
    let mut rows = [0usize; 2];
    let (mut search, mut sjis) = (Duration::ZERO, Duration::ZERO);
    let (mut bytes, mut sjis_bytes) = (0usize, 0usize);
    for (i, name) in names.iter().enumerate() {
        let v = i % 2;
        let q = mamori_corp::Query {
            name: name.clone(),
            include_closed: true,
            limit: corp::DIVIDE_ROWS,
            ..mamori_corp::Query::default()
        };
        let t0 = Instant::now();
        let r = data.index.search(&q);
        let t1 = Instant::now();
        let corps: Vec<u32> = r.hits.iter().map(|h| h.corp).collect();
        let lines = if v == 0 {
            data.latest_lines(&corps)
        } else {
            corps
                .iter()
                .filter_map(|c| data.latest_line(*c as usize))
                .collect()
        };
        let t2 = Instant::now();
        let env = Envelope {
            last_update_date: data.last_update,
            count: r.total as u64,
            divide_number: 1,
            divide_size: r.total.div_ceil(corp::DIVIDE_ROWS).max(1) as u32,
        };
        let b = corp::write_lines(Format::Csv, &env, &lines, 1).unwrap();
        let t3 = Instant::now();
        let s = corp::write_lines(Format::CsvSjis, &env, &lines, 1).unwrap();
        let t4 = Instant::now();
        search += t1 - t0;
        gather[v] += t2 - t1;
        utf8[v] += t3 - t2;
        sjis += t4 - t3;
        rows[v] += lines.len();
        bytes += b.len();
        sjis_bytes += s.len();
    }
    let n = names.len().max(1);
    let all_rows = (rows[0] + rows[1]).max(1);
    let us = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1e6 / n as f64);
    let per_row = |d: Duration, r: usize| format!("{:.0}", d.as_secs_f64() * 1e9 / r.max(1) as f64);
    println!(
        "In process, first divide of `/4/name` for {n} prefixes of 2–4 characters, mean per answer ({} rows, {} bytes UTF-8, {} bytes Shift_JIS), single thread:\n",
        all_rows / n,
        bytes / n,
        sjis_bytes / n
    );
    println!("| step | µs per answer | ns per row |");
    println!("|---|---|---|");
    println!(
        "| search (limit 2,000, relevance) | {} | {} |",
        us(search),
        per_row(search, all_rows)
    );
    for (v, label) in [
        (0, "in passes (`latest_lines`)"),
        (1, "in one pass, row by row"),
    ] {
        println!(
            "| gather the current rows {label} | | {} |",
            per_row(gather[v], rows[v])
        );
        println!(
            "| then write the body, CSV Unicode | | {} |",
            per_row(utf8[v], rows[v])
        );
    }
    let gathered = gather[0] + gather[1] + utf8[0] + utf8[1];
    println!(
        "| gather and write, CSV Unicode (both halves) | {} | {} |",
        us(gathered),
        per_row(gathered, all_rows)
    );
    println!(
        "| write the body, CSV Shift_JIS | {} | {} |",
        us(sjis),
        per_row(sjis, all_rows)
    );
    println!();
    bytes / n
}

/// The search step of the two filtered `/4/name` scenarios in process (first divide, as the
/// handler asks it), mean per query: prefixes with `close=0&kind=03`, and three-character
/// partial names within a prefecture.
fn filtered_searches(data: &CorpData, prefixes: &[String], partials: &[(String, u8)]) {
    let kind03 = mamori_web::corp_api::kinds_of_code("03")
        .unwrap_or_default()
        .to_vec();
    let time = |qs: Vec<mamori_corp::Query>| {
        let t = Instant::now();
        let mut hits = 0usize;
        for q in &qs {
            hits += data.index.search(q).hits.len();
        }
        let n = qs.len().max(1) as f64;
        (t.elapsed().as_secs_f64() * 1e6 / n, hits as f64 / n)
    };
    let base = mamori_corp::Query {
        limit: corp::DIVIDE_ROWS,
        ..mamori_corp::Query::default()
    };
    let (kind_us, kind_rows) = time(
        prefixes
            .iter()
            .map(|p| mamori_corp::Query {
                name: p.clone(),
                kinds: kind03.clone(),
                ..base.clone()
            })
            .collect(),
    );
    let (part_us, part_rows) = time(
        partials
            .iter()
            .take(500)
            .map(|(p, pref)| mamori_corp::Query {
                name: p.clone(),
                mode: mamori_corp::Mode::Partial,
                prefecture: Some(*pref),
                include_closed: true,
                ..base.clone()
            })
            .collect(),
    );
    println!("In process, the search step of the filtered `/4/name` scenarios, mean per query:\n");
    println!("| search | µs per query | rows in the first divide |");
    println!("|---|---|---|");
    println!("| prefix, close=0, kind=03 | {kind_us:.0} | {kind_rows:.0} |");
    println!("| partial (3 characters) in a prefecture | {part_us:.0} | {part_rows:.0} |");
    println!();
}

fn main() {
    let a = args();
    let t0 = Instant::now();
    let reg = mamori_web::corp::read_registry(std::path::Path::new(&a.file)).unwrap();
    let read = t0.elapsed();
    let now: jiff::Timestamp = "2026-11-23T01:00:00Z".parse().unwrap();
    let data = CorpData::build(reg, now);
    eprintln!(
        "{} corporations, {} rows: read in {:.1} s, indexed in {:.1} s",
        data.len(),
        data.registry.row_count(),
        read.as_secs_f64(),
        (t0.elapsed() - read).as_secs_f64()
    );
    // Queries from the registry's own names and numbers.
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut prefixes = Vec::new();
    let mut raw_prefixes = Vec::new();
    let mut partials = Vec::new();
    let mut raw_partials = Vec::new();
    let mut numbers = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..2000 {
        let pos = rng.below(data.len());
        let c = data.latest_row(pos).unwrap();
        numbers.push(c.number.as_str().to_owned());
        whole.push(urlencode(&c.name));
        let core: Vec<char> = mamori_corp::fold_name(&c.name).core.chars().collect();
        if core.len() >= 4 {
            let n = 2 + rng.below(3);
            let prefix: String = core[..n].iter().collect();
            prefixes.push(urlencode(&prefix));
            raw_prefixes.push(prefix);
            // Within the corporation's prefecture, as a user narrows a partial search (a
            // nationwide three-character substring can exceed the 200,000-result limit).
            if let Some(pref) = c.prefecture_code {
                let at = rng.below(core.len() - 2);
                let part: String = core[at..at + 3].iter().collect();
                partials.push(format!("{}&address={pref:02}", urlencode(&part)));
                raw_partials.push((part, pref));
            }
        }
    }
    let mut answer_bytes = 0;
    for _ in 0..a.repeat.max(1) {
        answer_bytes = breakdown(&data, &raw_prefixes[..raw_prefixes.len().min(500)]);
        filtered_searches(
            &data,
            &raw_prefixes[..raw_prefixes.len().min(500)],
            &raw_partials,
        );
    }
    let (numbers, prefixes, partials, whole) = (
        Arc::new(numbers),
        Arc::new(prefixes),
        Arc::new(partials),
        Arc::new(whole),
    );

    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("mamori.sqlite");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("server")
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let db = AppDb::open(&db_path).await.unwrap();
            let actor = Actor {
                name: "bench".into(),
                time: "2026-11-23T10:00:00+09:00".into(),
            };
            let uid = db
                .create_user(
                    &NewUser {
                        username: "viewer".into(),
                        display_name: "閲覧者".into(),
                        role: Role::Viewer,
                        department_id: None,
                        password_hash: "x".into(),
                        must_change_password: false,
                    },
                    &actor,
                )
                .await
                .unwrap();
            db.create_api_token(
                uid,
                "bench",
                &mamori_web::auth::sha256_hex(b"bench_token"),
                &actor,
            )
            .await
            .unwrap();
            let evidence = mamori_store::evidence_store::EvidenceStore::open(
                &db_path.with_file_name("evidence"),
            )
            .unwrap();
            let state = AppState::new(
                db,
                CatalogSet::builtin().unwrap(),
                Arc::new(move || now),
                evidence,
            );
            state.corp.set_ready(data);
            let mamori_web::corp::CorpStatus::Ready(data) = state.corp.status() else {
                unreachable!()
            };
            // The ceiling: a fixed body from a trivial handler, nothing else.
            let body = Bytes::from(vec![b'x'; answer_bytes]);
            let ceiling = axum::Router::new().route(
                "/ceiling",
                axum::routing::get(move || {
                    let b = body.clone();
                    async move { b }
                }),
            );
            let ceiling_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let ceiling_addr = ceiling_listener.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(ceiling_listener, ceiling).await.unwrap() });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx
                .send((listener.local_addr().unwrap(), ceiling_addr, data))
                .unwrap();
            axum::serve(
                listener,
                router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
    });
    let (addr, ceiling_addr, data) = addr_rx.recv().unwrap();
    let base = format!("http://{addr}");
    let ceiling_base = format!("http://{ceiling_addr}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(a.clients)
            .build()
            .unwrap();
        let id = "id=bench_token";
        let n1 = numbers.clone();
        let n10 = numbers.clone();
        let nx = numbers.clone();
        let (p1, p2, p3, p4) = (prefixes.clone(), prefixes.clone(), partials.clone(), prefixes.clone());
        let (p5, p6) = (prefixes.clone(), prefixes.clone());
        let scenarios: Vec<(&str, PathFn)> = vec![
            (
                "/4/num, 1 number, type=02",
                Arc::new(move |r: &mut XorShift| format!("/4/num?{id}&type=02&number={}", n1[r.below(n1.len())])),
            ),
            (
                "/4/num, 10 numbers, type=02",
                Arc::new(move |r: &mut XorShift| {
                    let ns: Vec<&str> = (0..10).map(|_| n10[r.below(n10.len())].as_str()).collect();
                    format!("/4/num?{id}&type=02&number={}", ns.join(","))
                }),
            ),
            (
                "/4/num, 1 number, history=1, type=12 (XML)",
                Arc::new(move |r: &mut XorShift| {
                    format!("/4/num?{id}&type=12&history=1&number={}", nx[r.below(nx.len())])
                }),
            ),
            (
                "/4/name, a whole registered name, type=02",
                Arc::new(move |r: &mut XorShift| format!("/4/name?{id}&type=02&name={}", whole[r.below(whole.len())])),
            ),
            (
                "/4/name, prefix of 2–4 characters, type=02 (first divide)",
                Arc::new(move |r: &mut XorShift| format!("/4/name?{id}&type=02&name={}", p1[r.below(p1.len())])),
            ),
            (
                "/4/name, prefix, type=01 (Shift_JIS), close=0, kind=03",
                Arc::new(move |r: &mut XorShift| {
                    format!("/4/name?{id}&type=01&close=0&kind=03&name={}", p2[r.below(p2.len())])
                }),
            ),
            (
                "/4/name, partial (3 characters) in a prefecture, mode=2, type=02",
                Arc::new(move |r: &mut XorShift| {
                    format!("/4/name?{id}&type=02&mode=2&name={}", p3[r.below(p3.len())])
                }),
            ),
            (
                "/4/name, prefix, type=02, cache on, 200 queries repeated",
                Arc::new(move |r: &mut XorShift| format!("/4/name?{id}&type=02&name={}", p5[r.below(200.min(p5.len()))])),
            ),
            (
                "/4/name, prefix, type=02, cache on, half of the queries new",
                // Half from a hot set of 100 prefixes, half never asked before (a prefix
                // with a `to=` date far ahead: a new question, the same rows).
                Arc::new(move |r: &mut XorShift| {
                    if r.below(2) == 0 {
                        format!("/4/name?{id}&type=02&name={}", p6[r.below(100.min(p6.len()))])
                    } else {
                        format!(
                            "/4/name?{id}&type=02&name={}&to={:04}-{:02}-{:02}",
                            p6[r.below(p6.len())],
                            2030 + r.below(70),
                            1 + r.below(12),
                            1 + r.below(28)
                        )
                    }
                }),
            ),
            (
                "ceiling: fixed body from a trivial axum handler",
                Arc::new(|_: &mut XorShift| "/ceiling".to_owned()),
            ),
            (
                "/api/v1/corp/search, prefix, 20 per page (JSON)",
                Arc::new(move |r: &mut XorShift| format!("/api/v1/corp/search?name={}", p4[r.below(p4.len())])),
            ),
        ];
        println!(
            "{} concurrent clients, {} s per scenario (after 2 s warm-up), loopback, server on 2 worker threads\n",
            a.clients, a.seconds
        );
        println!("| scenario | requests | req/s | p50 ms | p99 ms | max ms | bytes/response | cache hits |");
        println!("|---|---|---|---|---|---|---|---|");
        for (name, path) in scenarios {
            if a.only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
                continue;
            }
            // The JSON API takes the token as a bearer header.
            let http = if name.starts_with("/api/") {
                let mut h = reqwest::header::HeaderMap::new();
                h.insert("authorization", "Bearer bench_token".parse().unwrap());
                reqwest::Client::builder()
                    .pool_max_idle_per_host(a.clients)
                    .default_headers(h)
                    .build()
                    .unwrap()
            } else {
                http.clone()
            };
            // The answer cache is on only where the scenario says so, and starts empty.
            let cached = name.contains("cache on");
            data.answers().clear();
            data.answers().set_limit(if cached { ANSWER_CACHE_BYTES } else { 0 });
            let base = if name.starts_with("ceiling") {
                ceiling_base.as_str()
            } else {
                base.as_str()
            };
            let r = measure(&http, base, a.clients, a.seconds, path, cached.then_some(&*data)).await;
            let hits = r.cache.map_or("".to_owned(), |(h, m)| {
                format!("{:.0} %", 100.0 * h as f64 / (h + m).max(1) as f64)
            });
            println!(
                "| {name} | {} | {:.0} | {} | {} | {} | {} | {hits} |",
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
