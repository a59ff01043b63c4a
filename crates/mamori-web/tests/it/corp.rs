//! The 法人番号 routes: the NTA-compatible Web-API (/4/num, /4/diff, /4/name), the JSON API,
//! the pages and the downloads, over a registry built in code.

use jiff::civil::date;
use mamori_corp::{CloseCause, CorpNumber, Corporation, Kind, Process, Registry};
use mamori_model::Role;
use mamori_web::auth;
use mamori_web::corp::{CorpData, CorpStatus};
use reqwest::StatusCode;

use super::{App, PASSWORD, actor, start_with, start_with_status, user_with_session};

/// 12-digit bases of the named corporations.
pub const A: u64 = 10_001_000_001;
const B: u64 = 120_001_000_002;
const C: u64 = 10_003_000_003;
const D: u64 = 10_001_000_004;
const G: u64 = 400_002_000_005;
const F: u64 = 10_001_000_006;
const GONE: u64 = 10_001_000_007;
/// First of the 2,100 ミドリ商店 corporations.
const MIDORI: u64 = 501_000_000_000;

pub fn number(base: u64) -> String {
    CorpNumber::from_base(base).unwrap().as_str().to_owned()
}

fn row(base: u64, name: &str, kind: Kind, pref: (u8, &str), city: (u16, &str)) -> Corporation {
    let mut c = Corporation::new(CorpNumber::from_base(base).unwrap());
    c.correct = Some(false);
    c.update_date = Some(date(2015, 10, 5));
    c.change_date = Some(date(2015, 10, 5));
    c.assignment_date = Some(date(2015, 10, 5));
    c.name = name.into();
    c.kind = Some(kind);
    c.prefecture_code = Some(pref.0);
    c.prefecture_name = pref.1.into();
    c.city_code = Some(city.0);
    c.city_name = city.1.into();
    c.street_number = "１丁目１番１号".into();
    c.post_code = "1000001".into();
    c.latest = Some(true);
    c.hihyoji = Some(false);
    c
}

const TOKYO: (u8, &str) = (13, "東京都");
const CHIYODA: (u16, &str) = (101, "千代田区");

fn rows(midori: usize) -> Vec<Corporation> {
    let mut v = Vec::new();
    // A: renamed on 2026-06-02 (アオバ物産 → 株式会社アオバ商事), with an English name.
    let mut a0 = row(A, "アオバ物産株式会社", Kind::StockCompany, TOKYO, CHIYODA);
    a0.latest = Some(false);
    a0.furigana = "アオバブッサン".into();
    let mut a1 = row(A, "株式会社アオバ商事", Kind::StockCompany, TOKYO, CHIYODA);
    a1.process = Process::NameChange;
    a1.update_date = Some(date(2026, 6, 2));
    a1.change_date = Some(date(2026, 5, 28));
    a1.furigana = "アオバショウジ".into();
    a1.en_name = "Aoba Trading Co., Ltd.".into();
    v.extend([a0, a1]);
    v.push(row(
        B,
        "アオバ運輸株式会社",
        Kind::StockCompany,
        (27, "大阪府"),
        (127, "大阪市北区"),
    ));
    v.push(row(
        C,
        "緑アオバ合同会社",
        Kind::LimitedLiabilityCompany,
        TOKYO,
        (104, "中央区"),
    ));
    let mut d = row(D, "アオバ建設株式会社", Kind::StockCompany, TOKYO, CHIYODA);
    d.process = Process::Closed;
    d.close_date = Some(date(2020, 1, 10));
    d.close_cause = Some(CloseCause::Liquidated);
    v.push(d);
    v.push(row(
        G,
        "アオバ町",
        Kind::LocalGovernment,
        (4, "宮城県"),
        (301, "アオバ町"),
    ));
    let mut f = row(F, "株式会社新葉", Kind::StockCompany, TOKYO, CHIYODA);
    f.update_date = Some(date(2026, 6, 3));
    f.assignment_date = Some(date(2026, 6, 3));
    v.push(f);
    for i in 0..midori {
        v.push(row(
            MIDORI + i as u64,
            &format!("ミドリ商店{i:04}"),
            Kind::Other,
            (1, "北海道"),
            (101, "札幌市中央区"),
        ));
    }
    v
}

fn data(midori: usize) -> CorpData {
    let mut reg = Registry::from_rows(rows(midori));
    // A deletion recorded by the difference file of 2026-06-04.
    let mut gone = Corporation::new(CorpNumber::from_base(GONE).unwrap());
    gone.process = Process::Deleted;
    let mut line = String::new();
    mamori_corp::render_line(&gone, &mut Default::default(), &mut line);
    reg.set_deleted(vec![(20260604, line.into())]);
    CorpData::build(reg, "2026-11-23T01:00:00Z".parse().unwrap())
}

/// The small copy every test application starts with.
pub fn small_data() -> CorpData {
    data(3)
}

/// An application with the 2,100 ミドリ商店 and a viewer's API token `tok_viewer`.
async fn app() -> (App, String) {
    let app = start_with(None, data(2100)).await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (uid, session) = user_with_session(&app, &hash, "etsuran", Role::Viewer).await;
    app.db
        .create_api_token(uid, "nta", &auth::sha256_hex(b"tok_viewer"), &actor())
        .await
        .unwrap();
    (app, session)
}

struct Res {
    status: StatusCode,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Res {
    fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).unwrap()
    }
    fn lines(&self) -> Vec<String> {
        self.text().lines().map(str::to_owned).collect()
    }
}

async fn get(app: &App, path: &str, headers: &[(&str, &str)]) -> Res {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = http.get(format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let h = |k: &str| {
        res.headers()
            .get(k)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, content_type, disposition) =
        (res.status(), h("content-type"), h("content-disposition"));
    Res {
        status,
        content_type,
        disposition,
        bytes: res.bytes().await.unwrap().to_vec(),
    }
}

async fn nta(app: &App, path: &str) -> Res {
    let sep = if path.contains('?') { '&' } else { '?' };
    get(app, &format!("{path}{sep}id=tok_viewer"), &[]).await
}

fn enc(s: &str) -> String {
    mamori_web::urlencode(s)
}

/// The error code of a 400 answer.
fn code(r: &Res) -> String {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let t = r.text();
    let (code, msg) = t.split_once(',').unwrap();
    assert!(!msg.trim().is_empty());
    code.to_owned()
}

/// The numbers (column 2) of the rows of a CSV answer, envelope excluded.
fn numbers(r: &Res) -> Vec<String> {
    r.lines()
        .iter()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn num_answers_one_and_ten_numbers_with_history_and_checks_them() {
    let (app, _) = app().await;
    let a = number(A);
    let r = nta(&app, &format!("/4/num?number={a}&type=02")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "text/csv;charset=UTF-8");
    let lines = r.lines();
    // lastUpdateDate is the newest 更新年月日 of the copy.
    assert_eq!(lines[0], "2026-06-03,1,1,1");
    assert_eq!(lines.len(), 2);
    assert!(
        lines[1].starts_with(&format!(
            "1,{a},11,0,2026-06-02,2026-05-28,\"株式会社アオバ商事\""
        )),
        "{}",
        lines[1]
    );
    assert!(r.text().ends_with("\r\n"));

    // Ten numbers (one unknown, one repeated): rows in the order asked, unknown left out.
    let mut ten: Vec<String> = (0..8).map(|i| number(MIDORI + i)).collect();
    ten.push(number(9_999_999_999));
    ten.push(number(MIDORI));
    let r = nta(&app, &format!("/4/num?number={}&type=02", ten.join(","))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.lines()[0], "2026-06-03,8,1,1");
    assert_eq!(numbers(&r), ten[..8].to_vec());
    let seqs: Vec<String> = r.lines()[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(seqs, ["1", "2", "3", "4", "5", "6", "7", "8"]);

    // history=1: every row, oldest first.
    let r = nta(&app, &format!("/4/num?number={a}&type=02&history=1")).await;
    let lines = r.lines();
    assert_eq!(lines[0], "2026-06-03,2,1,1");
    assert!(lines[1].contains("アオバ物産株式会社") && lines[1].starts_with("1,"));
    assert!(lines[2].contains("株式会社アオバ商事") && lines[2].starts_with("2,"));

    // Errors: check digit, shape, count, type, history.
    let mut bad = a.clone().into_bytes();
    bad[0] = if bad[0] == b'9' { b'1' } else { bad[0] + 1 };
    let bad = String::from_utf8(bad).unwrap();
    assert_eq!(
        code(&nta(&app, &format!("/4/num?number={bad}&type=02")).await),
        "042"
    );
    assert_eq!(code(&nta(&app, "/4/num?number=123&type=02").await), "041");
    assert_eq!(code(&nta(&app, "/4/num?type=02").await), "040");
    let eleven: Vec<String> = (0..11).map(|i| number(MIDORI + i)).collect();
    let r = nta(&app, &format!("/4/num?number={}&type=02", eleven.join(","))).await;
    assert_eq!(code(&r), "043");
    assert_eq!(code(&nta(&app, &format!("/4/num?number={a}")).await), "070");
    assert_eq!(
        code(&nta(&app, &format!("/4/num?number={a}&type=03")).await),
        "071"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/num?number={a}&type=02&history=2")).await),
        "106"
    );
    // Errors are CSV whatever the type; for type=01 in Shift_JIS.
    let r = nta(&app, &format!("/4/num?number={bad}&type=01")).await;
    assert_eq!(r.content_type, "text/csv;charset=Shift_JIS");
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&r.bytes);
    assert!(!had_errors && text.starts_with("042,法人番号"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn num_speaks_shift_jis_and_xml() {
    let (app, _) = app().await;
    let a = number(A);
    let r = nta(&app, &format!("/4/num?number={a}&type=01")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "text/csv;charset=Shift_JIS");
    assert!(std::str::from_utf8(&r.bytes).is_err(), "not UTF-8");
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&r.bytes);
    assert!(!had_errors);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("2026-06-03,1,1,1"));
    assert!(lines.next().unwrap().contains("\"株式会社アオバ商事\""));

    let r = nta(&app, &format!("/4/num?number={a}&type=12&history=1")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.content_type.starts_with("application/xml"),
        "{}",
        r.content_type
    );
    let xml = r.text();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<corporations>") && xml.trim_end().ends_with("</corporations>"));
    assert!(xml.contains("<lastUpdateDate>2026-06-03</lastUpdateDate>"));
    assert!(xml.contains("<count>2</count>"));
    assert!(xml.contains("<name>株式会社アオバ商事</name>"));
    assert!(xml.contains("<enName>Aoba Trading Co., Ltd.</enName>"));
    assert_eq!(xml.matches("<corporation>").count(), 2);
    let parsed = mamori_corp::read_xml(xml.as_bytes()).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(parsed.rows[1].sequence_number, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_searches_by_prefix_or_part_with_filters_and_pages_by_2000() {
    let (app, _) = app().await;
    let aoba = enc("アオバ");
    let names = |r: &Res| -> Vec<String> {
        r.lines()
            .iter()
            .skip(1)
            .map(|l| l.split(',').nth(6).unwrap().trim_matches('"').to_owned())
            .collect()
    };
    let r = nta(&app, &format!("/4/name?name={aoba}&type=02")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let prefix = names(&r);
    assert!(
        prefix.contains(&"株式会社アオバ商事".to_owned()),
        "{prefix:?}"
    );
    assert!(prefix.contains(&"アオバ運輸株式会社".to_owned()));
    assert!(
        prefix.contains(&"アオバ建設株式会社".to_owned()),
        "closed included by default"
    );
    assert!(!prefix.contains(&"緑アオバ合同会社".to_owned()));
    assert_eq!(r.lines()[0], format!("2026-06-03,{},1,1", prefix.len()));

    let r = nta(&app, &format!("/4/name?name={aoba}&type=02&mode=2")).await;
    let partial = names(&r);
    assert!(partial.contains(&"緑アオバ合同会社".to_owned()));
    assert_eq!(partial.len(), prefix.len() + 1);

    let r = nta(&app, &format!("/4/name?name={aoba}&type=02&close=0")).await;
    assert!(!names(&r).contains(&"アオバ建設株式会社".to_owned()));
    assert_eq!(names(&r).len(), prefix.len() - 1);

    // kind=03 (設立登記法人) leaves out the town; kind=02 is only the town.
    let r = nta(&app, &format!("/4/name?name={aoba}&type=02&kind=03")).await;
    assert!(!names(&r).contains(&"アオバ町".to_owned()));
    assert!(names(&r).contains(&"アオバ運輸株式会社".to_owned()));
    let r = nta(&app, &format!("/4/name?name={aoba}&type=02&kind=02")).await;
    assert_eq!(names(&r), ["アオバ町"]);

    // address=13 (東京都), address=27127 (大阪市北区).
    let r = nta(&app, &format!("/4/name?name={aoba}&type=02&address=13")).await;
    let tokyo = names(&r);
    assert!(tokyo.contains(&"株式会社アオバ商事".to_owned()));
    assert!(
        !tokyo.contains(&"アオバ運輸株式会社".to_owned())
            && !tokyo.contains(&"アオバ町".to_owned())
    );
    let r = nta(&app, &format!("/4/name?name={aoba}&type=02&address=27127")).await;
    assert_eq!(names(&r), ["アオバ運輸株式会社"]);

    // change=1 also finds former names; from/to filter the assignment date.
    let r = nta(&app, &format!("/4/name?name={}&type=02", enc("アオバ物産"))).await;
    assert!(names(&r).is_empty());
    let r = nta(
        &app,
        &format!("/4/name?name={}&type=02&change=1", enc("アオバ物産")),
    )
    .await;
    assert_eq!(
        names(&r),
        ["株式会社アオバ商事"],
        "the current row of the corporation"
    );
    let r = nta(
        &app,
        &format!("/4/name?name={}&type=02&from=2026-06-01", enc("新葉")),
    )
    .await;
    assert_eq!(names(&r), ["株式会社新葉"]);
    let r = nta(
        &app,
        &format!("/4/name?name={}&type=02&to=2026-06-01", enc("新葉")),
    )
    .await;
    assert!(names(&r).is_empty());

    // target=2 is the name as typed; target=3 the English name, case-insensitively.
    let r = nta(
        &app,
        &format!("/4/name?name={}&type=02&target=2", enc("株式会社アオバ")),
    )
    .await;
    assert_eq!(names(&r), ["株式会社アオバ商事"]);
    let r = nta(&app, "/4/name?name=aoba%20TRAD&type=02&target=3").await;
    assert_eq!(names(&r), ["株式会社アオバ商事"]);
    let r = nta(&app, "/4/name?name=trading&type=02&target=3").await;
    assert!(names(&r).is_empty(), "prefix by default");
    let r = nta(&app, "/4/name?name=trading&type=02&target=3&mode=2").await;
    assert_eq!(names(&r), ["株式会社アオバ商事"]);

    // 2,100 matches: two divides of 2,000 and 100 rows, numbered on.
    let midori = enc("ミドリ");
    let r = nta(&app, &format!("/4/name?name={midori}&type=02")).await;
    let lines = r.lines();
    assert_eq!(lines[0], "2026-06-03,2100,1,2");
    assert_eq!(lines.len(), 2001);
    assert!(lines[2000].starts_with("2000,"));
    let first: Vec<String> = numbers(&r);
    let r = nta(&app, &format!("/4/name?name={midori}&type=02&divide=2")).await;
    let lines = r.lines();
    assert_eq!(lines[0], "2026-06-03,2100,2,2");
    assert_eq!(lines.len(), 101);
    assert!(lines[1].starts_with("2001,") && lines[100].starts_with("2100,"));
    let mut all = first;
    all.extend(numbers(&r));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 2100, "the divides do not overlap");
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={midori}&type=02&divide=3")).await),
        "110"
    );

    // Parameter errors.
    assert_eq!(code(&nta(&app, "/4/name?type=02").await), "100");
    let long = enc(&"ア".repeat(151));
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={long}&type=02")).await),
        "101"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={aoba}&type=02&mode=3")).await),
        "102"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={aoba}&type=02&target=4")).await),
        "103"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={aoba}&type=02&address=48")).await),
        "104"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={aoba}&type=02&address=131")).await),
        "104"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={aoba}&type=02&kind=05")).await),
        "105"
    );
    assert_eq!(
        code(&nta(&app, &format!("/4/name?name={aoba}&type=02&close=x")).await),
        "107"
    );
    assert_eq!(
        code(
            &nta(
                &app,
                &format!("/4/name?name={aoba}&type=02&from=2015-01-01")
            )
            .await
        ),
        "108"
    );
    assert_eq!(
        code(
            &nta(
                &app,
                &format!("/4/name?name={aoba}&type=02&from=2026-01-02&to=2026-01-01")
            )
            .await
        ),
        "109"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_lists_a_period_of_at_most_50_days() {
    let (app, _) = app().await;
    let r = nta(&app, "/4/diff?from=2026-06-01&to=2026-06-05&type=02").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let lines = r.lines();
    assert_eq!(lines[0], "2026-06-03,3,1,1");
    // Update-date order: A's rename (06-02), F's creation (06-03), the deletion (06-04).
    assert_eq!(numbers(&r), [number(A), number(F), number(GONE)]);
    assert!(lines[1].starts_with("1,") && lines[1].contains(",11,"));
    assert!(lines[3].starts_with(&format!("3,{},99,", number(GONE))));
    // Filters: address and kind leave out the deletion (it has neither).
    let r = nta(
        &app,
        "/4/diff?from=2026-06-01&to=2026-06-05&type=02&address=13&kind=03",
    )
    .await;
    assert_eq!(numbers(&r), [number(A), number(F)]);
    let r = nta(&app, "/4/diff?from=2026-06-03&to=2026-06-03&type=02").await;
    assert_eq!(numbers(&r), [number(F)]);
    // 50 days inclusive is the most.
    let r = nta(&app, "/4/diff?from=2026-04-17&to=2026-06-05&type=02").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        code(&nta(&app, "/4/diff?from=2026-04-16&to=2026-06-05&type=02").await),
        "112"
    );
    assert_eq!(
        code(&nta(&app, "/4/diff?from=2015-11-30&to=2015-12-05&type=02").await),
        "111"
    );
    assert_eq!(
        code(&nta(&app, "/4/diff?from=2026-06-05&to=2026-06-01&type=02").await),
        "111"
    );
    assert_eq!(
        code(&nta(&app, "/4/diff?from=20260601&to=2026-06-05&type=02").await),
        "111"
    );
    assert_eq!(code(&nta(&app, "/4/diff?type=02").await), "111");
    let xml = nta(&app, "/4/diff?from=2026-06-01&to=2026-06-05&type=12")
        .await
        .text();
    assert!(xml.contains("<count>3</count>") && xml.contains("<process>99</process>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_api_wants_a_valid_token_of_an_active_viewer() {
    let (app, _) = app().await;
    let a = number(A);
    for path in [
        format!("/4/num?number={a}&type=02"),
        format!("/4/num?number={a}&type=02&id="),
        format!("/4/num?number={a}&type=02&id=wrong"),
        "/4/name?name=x&type=02&id=wrong".to_owned(),
        "/4/diff?from=2026-06-01&to=2026-06-05&type=02&id=wrong".to_owned(),
    ] {
        let r = get(&app, &path, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    // The id is checked before anything else: a bad request with a bad id is still 404.
    assert_eq!(
        get(&app, "/4/num?type=99&id=wrong", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // A disabled user's token no longer works.
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (uid, _) = user_with_session(&app, &hash, "taishoku", Role::Viewer).await;
    app.db
        .create_api_token(uid, "nta", &auth::sha256_hex(b"tok_gone"), &actor())
        .await
        .unwrap();
    app.db.set_user_disabled(uid, true, &actor()).await.unwrap();
    let r = get(&app, &format!("/4/num?number={a}&type=02&id=tok_gone"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The bearer header is not the NTA's way: still 404 without `id`.
    let r = get(
        &app,
        &format!("/4/num?number={a}&type=02"),
        &[("authorization", "Bearer tok_viewer")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_found_valid_are_forgotten_when_an_administrator_disables_their_user() {
    let (app, _) = app().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (uid, _) = user_with_session(&app, &hash, "haiyaku", Role::Viewer).await;
    app.db
        .create_api_token(uid, "batch", &auth::sha256_hex(b"tok_batch"), &actor())
        .await
        .unwrap();
    let json = format!("/api/v1/corp/search?name={}", enc("アオバ"));
    let bearer = [("authorization", "Bearer tok_batch")];
    let num = format!("/4/num?number={}&type=02&id=tok_batch", number(A));
    // Both APIs answer, and remember the token.
    assert_eq!(get(&app, &json, &bearer).await.status, StatusCode::OK);
    assert_eq!(get(&app, &num, &[]).await.status, StatusCode::OK);
    // Disabled behind the application's back (as the command line does): the remembered
    // token still answers until it expires.
    app.db.set_user_disabled(uid, true, &actor()).await.unwrap();
    assert_eq!(get(&app, &json, &bearer).await.status, StatusCode::OK);
    // Disabled by an administrator in the application: refused at once on both APIs.
    app.db
        .set_user_disabled(uid, false, &actor())
        .await
        .unwrap();
    let mut admin = super::Browser::new(&app);
    let (_, session) = user_with_session(&app, &hash, "kanrisha", Role::Admin).await;
    admin
        .cookies
        .insert(mamori_web::SESSION_COOKIE.into(), session);
    let r = admin
        .post("/users", &format!("/users/{uid}/disable"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        get(&app, &json, &bearer).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&app, &num, &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_api_searches_and_shows_history() {
    let (app, _) = app().await;
    let bearer = [("authorization", "Bearer tok_viewer")];
    let r = get(
        &app,
        &format!(
            "/api/v1/corp/search?name={}&per_page=2&include_closed=true",
            enc("アオバ")
        ),
        &bearer,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(v["total"], 4, "{v}");
    assert_eq!(v["per_page"], 2);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert!(v["items"][0]["corporateNumber"].as_str().unwrap().len() == 13);
    assert_eq!(v["last_update_date"], "2026-06-03");
    let r = get(
        &app,
        &format!(
            "/api/v1/corp/search?name={}&include_past=1",
            enc("アオバ物産")
        ),
        &bearer,
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["name"], "株式会社アオバ商事");
    assert_eq!(v["items"][0]["matchedPastName"], true);
    // Filters and sort by kana.
    let r = get(
        &app,
        "/api/v1/corp/search?prefecture=13&kind=301&sort=gojuon&include_closed=1",
        &bearer,
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["株式会社アオバ商事", "アオバ建設株式会社", "株式会社新葉"]
    );
    let r = get(
        &app,
        "/api/v1/corp/search?name=x&mode=fuzzy&assigned_from=2026/01/01",
        &bearer,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["mode", "assigned_from"]);

    let r = get(&app, &format!("/api/v1/corp/{}", number(A)), &bearer).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(v["current"]["name"], "株式会社アオバ商事");
    assert_eq!(v["current"]["processName"], "商号又は名称の変更");
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    assert_eq!(v["history"][0]["name"], "アオバ物産株式会社");
    assert_eq!(v["history"][0]["latest"], "0");
    let r = get(
        &app,
        &format!("/api/v1/corp/{}", number(9_999_999_999)),
        &bearer,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = get(&app, "/api/v1/corp/1234567890123", &bearer).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Every corporate-number API route is documented.
    let doc: serde_json::Value =
        serde_json::from_slice(&get(&app, "/api/v1/openapi.json", &[]).await.bytes).unwrap();
    for (_, path, _) in mamori_web::auth::ROUTES {
        if path.starts_with("/4/") || path.starts_with("/api/v1/corp") {
            assert!(
                doc["paths"][path]["get"].is_object(),
                "{path} in openapi.json"
            );
        }
    }
    // No token: 401.
    let r = get(&app, &format!("/api/v1/corp/{}", number(A)), &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = get(&app, "/api/v1/corp/search?name=x", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_search_as_you_type_and_show_history_to_viewers_only() {
    let (app, session) = app().await;
    let cookie = format!("mamori_session={session}");
    let me = [("cookie", cookie.as_str())];
    let path = format!("/corp?name={}", enc("アオバ"));
    let r = get(&app, &path, &me).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("<html") && html.contains("hx-trigger=\"keyup changed delay:250ms\""));
    assert!(html.contains("株式会社アオバ商事") && html.contains("アオバ運輸株式会社"));
    assert!(
        !html.contains("アオバ建設株式会社"),
        "closed are left out unless asked"
    );
    assert!(html.contains(&format!("href=\"/corp/{}\"", number(A))));
    assert!(html.contains("<a href=\"/corp\" aria-current=\"page\">法人番号</a>"));
    assert!(
        html.contains("<option value=\"1\">北海道</option>")
            && html.contains("<option value=\"47\">沖縄県</option>")
    );
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "CSP: no inline script or style"
    );
    // The same request from htmx: only the results.
    let r = get(
        &app,
        &path,
        &[("cookie", cookie.as_str()), ("hx-request", "true")],
    )
    .await;
    let frag = r.text();
    assert!(
        frag.trim_start().starts_with("<div id=\"results\""),
        "{frag}"
    );
    assert!(!frag.contains("<html") && !frag.contains("<form"));
    assert!(frag.contains("株式会社アオバ商事"));
    assert!(frag.contains("該当件数: 3"), "{frag}");
    // Paging: 2,100 ミドリ, 50 a page.
    let r = get(
        &app,
        &format!("/corp?name={}&page=3&sort=gojuon", enc("ミドリ")),
        &[("cookie", cookie.as_str()), ("hx-request", "true")],
    )
    .await;
    let frag = r.text();
    assert!(frag.contains("該当件数: 2100（101–150）"), "{frag}");
    assert!(frag.contains("ミドリ商店0100") && !frag.contains("ミドリ商店0150"));
    assert!(frag.contains("page=4"));
    // Closed and former names when asked.
    let r = get(
        &app,
        &format!(
            "/corp?name={}&include_closed=1&include_past=1",
            enc("アオバ")
        ),
        &me,
    )
    .await;
    assert!(r.text().contains("アオバ建設株式会社"));
    // Detail with the history, 処理区分 names and 和暦.
    let r = get(&app, &format!("/corp/{}", number(A)), &me).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("11 商号又は名称の変更") && html.contains("01 新規"));
    assert!(html.contains("アオバ物産株式会社"));
    assert!(html.contains("2026-06-02（令和8年6月2日）"), "{html}");
    assert!(html.contains("Aoba Trading Co., Ltd."));
    assert!(html.contains("〒100-0001 東京都千代田区"));
    assert_eq!(
        get(&app, "/corp/1234567890123", &me).await.status,
        StatusCode::NOT_FOUND
    );
    // Anonymous: to the login page.
    let r = get(&app, &path, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = get(&app, &format!("/corp/{}", number(A)), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_regenerate_the_full_file_and_differences() {
    let (app, session) = app().await;
    let cookie = format!("mamori_session={session}");
    let me = [("cookie", cookie.as_str())];
    let r = get(&app, "/corp/downloads", &me).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("00_zenkoku_all_20260603.csv"));
    let r = get(&app, "/corp/downloads/full?format=csv", &me).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.disposition.contains("00_zenkoku_all_20260603.csv"),
        "{}",
        r.disposition
    );
    let lines = r.lines();
    assert_eq!(
        lines.len(),
        2106,
        "one current row per corporation, no envelope"
    );
    assert!(lines[0].starts_with("1,"));
    assert!(lines.iter().any(|l| l.contains("株式会社アオバ商事")));
    assert!(!lines.iter().any(|l| l.contains("アオバ物産株式会社")));
    let (reg, diags) = Registry::read(&r.bytes[..]).unwrap();
    assert!(diags.is_empty());
    assert_eq!(reg.len(), 2106);
    let r = get(&app, "/corp/downloads/full?format=sjis", &me).await;
    assert!(r.disposition.contains("00_zenkoku_all_20260603_sjis.csv"));
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&r.bytes);
    assert!(!bad && text.contains("株式会社アオバ商事"));
    let r = get(&app, "/corp/downloads/full?format=xml", &me).await;
    assert!(r.disposition.contains(".xml"));
    let x = mamori_corp::read_xml(&r.bytes[..]).unwrap();
    assert_eq!(x.rows.len(), 2106);
    assert_eq!(x.envelope.unwrap().count, 2106);
    let r = get(
        &app,
        "/corp/downloads/diff?from=2026-06-01&to=2026-06-05&format=csv",
        &me,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.disposition.contains("diff_20260601_20260605.csv"));
    let nums: Vec<String> = r
        .lines()
        .iter()
        .map(|l| l.split(',').nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(nums, [number(A), number(F), number(GONE)]);
    let r = get(
        &app,
        "/corp/downloads/diff?from=2026-06-05&to=2026-06-01&format=csv",
        &me,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("class=\"error\""));
    assert_eq!(
        get(&app, "/corp/downloads/full?format=csv", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_loading_the_routes_say_so() {
    let app = start_with_status(None, CorpStatus::Loading).await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (uid, session) = user_with_session(&app, &hash, "etsuran", Role::Viewer).await;
    app.db
        .create_api_token(uid, "nta", &auth::sha256_hex(b"tok_viewer"), &actor())
        .await
        .unwrap();
    let cookie = format!("mamori_session={session}");
    let r = get(&app, "/corp?name=x", &[("cookie", cookie.as_str())]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("読み込み中"));
    let r = nta(&app, "/4/name?name=x&type=02").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let r = get(
        &app,
        "/api/v1/corp/search?name=x",
        &[("authorization", "Bearer tok_viewer")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    // Nothing imported: the page explains how to get the data.
    let app = start_with_status(None, CorpStatus::Absent).await;
    let (_, session) = user_with_session(&app, &hash, "etsuran", Role::Viewer).await;
    let r = get(
        &app,
        "/corp",
        &[("cookie", format!("mamori_session={session}").as_str())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("mamori corp import"));
}

#[test]
fn the_demo_copy_loads() {
    let reg = mamori_web::corp::demo_registry().unwrap();
    assert!(reg.len() >= 2000);
    let data = CorpData::build(reg, "2026-11-23T01:00:00Z".parse().unwrap());
    assert_eq!(data.last_update, date(2026, 6, 5));
    assert!(
        !data
            .registry
            .changes(date(2026, 6, 1), date(2026, 6, 5))
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_loads_the_copy_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let db = mamori_store::app::AppDb::open(&dir.path().join("mamori.sqlite"))
        .await
        .unwrap();
    let evidence =
        mamori_store::evidence_store::EvidenceStore::open(&dir.path().join("evidence")).unwrap();
    let state = mamori_web::AppState::new(
        db,
        mamori_catalog::CatalogSet::builtin().unwrap(),
        super::fixed_clock(),
        evidence,
    );
    let file = dir.path().join("corp").join("registry.csv");
    mamori_web::corp::spawn_load(&state, file.clone());
    assert!(matches!(state.corp.status(), CorpStatus::Absent));
    // --demo writes the demo copy (once), which then loads.
    assert!(mamori_web::corp::install_demo(&file).unwrap());
    assert!(!mamori_web::corp::install_demo(&file).unwrap());
    assert!(file.with_file_name("deleted.tsv").exists());
    let state2 = state.clone();
    mamori_web::corp::spawn_load(&state2, file.clone());
    let mut ready = None;
    for _ in 0..200 {
        if let CorpStatus::Ready(d) = state2.corp.status() {
            ready = Some(d);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let d = ready.expect("loaded within 5 s");
    assert_eq!(d.len(), 2012);
    assert_eq!(d.last_update, date(2026, 6, 5));
    // The deletions recorded next to it are part of the differences.
    let changes = d.registry.changes(date(2026, 6, 1), date(2026, 6, 5));
    assert_eq!(
        changes
            .iter()
            .filter(|c| c.process == Process::Deleted)
            .count(),
        3
    );
}

/// An application whose state the test keeps (to replace the copy as a reload does), with a
/// viewer's API token `tok_viewer`.
async fn served(corp: CorpData) -> (mamori_web::AppState, App) {
    let dir = tempfile::tempdir().unwrap();
    let db = mamori_store::app::AppDb::open(&dir.path().join("mamori.sqlite"))
        .await
        .unwrap();
    let evidence =
        mamori_store::evidence_store::EvidenceStore::open(&dir.path().join("evidence")).unwrap();
    let state = mamori_web::AppState::new(
        db.clone(),
        mamori_catalog::CatalogSet::builtin().unwrap(),
        super::fixed_clock(),
        evidence,
    );
    state.corp.set_ready(corp);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = mamori_web::router(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let app = App {
        base: format!("http://{addr}"),
        db,
        _dir: dir,
    };
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (uid, _) = user_with_session(&app, &hash, "etsuran", Role::Viewer).await;
    app.db
        .create_api_token(uid, "nta", &auth::sha256_hex(b"tok_viewer"), &actor())
        .await
        .unwrap();
    (state, app)
}

fn ready(state: &mamori_web::AppState) -> std::sync::Arc<CorpData> {
    match state.corp.status() {
        CorpStatus::Ready(d) => d,
        _ => panic!("the copy is ready"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_answers_come_from_the_cache_only_for_the_same_question() {
    let (cached, app) = served(data(2100)).await;
    // The same copy without a cache answers every question afresh: the reference.
    let (plain, reference) = served(data(2100)).await;
    ready(&plain).answers().set_limit(0);
    let (aoba, midori) = (enc("アオバ"), enc("ミドリ"));
    let mut questions = Vec::new();
    for name in [&aoba, &midori, &enc(" アオバ "), &enc("アオバ物産")] {
        for extra in [
            "",
            "&type=01",
            "&type=12",
            "&mode=2",
            "&mode=1",
            "&target=2",
            "&close=0",
            "&close=1",
            "&change=1",
            "&change=1&close=0",
            "&address=13",
            "&address=01",
            "&address=27127",
            "&address=13101",
            "&kind=02",
            "&kind=03",
            "&kind=01,03",
            "&kind=03,01",
            "&kind=04",
            "&from=2026-06-01",
            "&to=2026-06-01",
            "&from=2015-10-05&to=2026-06-03",
            "&divide=2",
            "&divide=3",
            "&type=01&divide=2",
        ] {
            let t = if extra.contains("type=") {
                ""
            } else {
                "&type=02"
            };
            questions.push(format!("/4/name?name={name}{t}{extra}"));
        }
    }
    questions.push("/4/name?name=aoba&type=02&target=3".to_owned());
    questions.push("/4/name?name=trading&type=02&target=3&mode=2".to_owned());
    questions.push("/4/name?name=trading&type=02&target=3".to_owned());
    // Each question twice in a row, then all of them again in the other order: every answer
    // is the reference's, byte for byte, whatever was asked before.
    let order: Vec<&String> = questions
        .iter()
        .flat_map(|q| [q, q])
        .chain(questions.iter().rev())
        .collect();
    for q in order {
        let (a, b) = (nta(&app, q).await, nta(&reference, q).await);
        assert_eq!(a.status, b.status, "{q}");
        assert_eq!(a.content_type, b.content_type, "{q}");
        assert!(a.bytes == b.bytes, "{q}: {} != {}", a.text(), b.text());
    }
    let stats = ready(&cached).answers().stats();
    assert!(stats.entries > 50 && stats.hits >= 100, "{stats:?}");
    assert!(stats.bytes <= stats.limit);
    assert_eq!(ready(&plain).answers().stats().entries, 0);
    // The 2,100 ミドリ商店 answer pages as before, from the cache too.
    let r = nta(&app, &format!("/4/name?name={midori}&type=02&divide=2")).await;
    assert_eq!(r.lines()[0], "2026-06-03,2100,2,2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_copy_starts_with_an_empty_cache() {
    let (state, app) = served(data(2100)).await;
    let q = format!("/4/name?name={}&type=02", enc("ミドリ"));
    let first = nta(&app, &q).await;
    assert_eq!(first.lines()[0], "2026-06-03,2100,1,2");
    assert_eq!(nta(&app, &q).await.bytes, first.bytes);
    let old = ready(&state);
    assert_eq!(old.answers().stats().hits, 1);
    // An import makes the application load the copy again (corp::spawn_load): the new copy
    // is set ready the same way, here with 5 ミドリ商店 instead of 2,100.
    state.corp.set_ready(data(5));
    let r = nta(&app, &q).await;
    assert_eq!(r.lines()[0], "2026-06-03,5,1,1", "{}", r.text());
    assert_eq!(r.lines().len(), 6);
    let new = ready(&state);
    assert_eq!(
        (new.answers().stats().hits, new.answers().stats().misses),
        (0, 1)
    );
    assert_eq!(nta(&app, &q).await.bytes, r.bytes);
    assert_eq!(new.answers().stats().hits, 1);
    // The old copy's answers go with it (nothing of it is served any more).
    assert_eq!(old.answers().stats().hits, 1);
}

/// The server loads the index `mamori corp import` saved next to the copy when it belongs to
/// that very `registry.csv`, and builds it otherwise; either way the answers are the same.
#[test]
fn a_copy_loads_with_its_saved_index_only_when_the_index_is_its_own() {
    use mamori_corp::{Index, Mode, Query, TextEncoding, registry_stamp, write_stored};
    use mamori_web::corp::{IndexSource, read_copy};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.csv");
    let reg = mamori_web::corp::demo_registry().unwrap();
    std::fs::write(
        &path,
        reg.write_csv(Vec::new(), TextEncoding::Utf8, false)
            .unwrap(),
    )
    .unwrap();
    let now: jiff::Timestamp = "2026-11-23T01:00:00Z".parse().unwrap();
    let stamp = || {
        let m = std::fs::metadata(&path).unwrap();
        let ns = m
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        registry_stamp(m.len(), ns)
    };
    let save = |stamp: &str| {
        let bytes = write_stored(
            Vec::new(),
            &Index::build(&reg),
            &reg.corporation_offsets(),
            stamp,
        )
        .unwrap();
        std::fs::write(dir.path().join("index.bin"), bytes).unwrap();
    };
    let (built, source) = read_copy(&path, now).unwrap();
    assert_eq!(source, IndexSource::Built, "no index.bin yet");
    save(&stamp());
    let (saved, source) = read_copy(&path, now).unwrap();
    assert_eq!(source, IndexSource::Saved);
    for (name, mode) in [
        ("サクラ", Mode::Prefix),
        ("商事", Mode::Partial),
        ("株式会社", Mode::Prefix),
    ] {
        let q = Query {
            name: name.into(),
            mode,
            include_closed: true,
            limit: 50,
            ..Query::default()
        };
        let a = built.index.search(&q);
        assert!(a.total > 0, "{name}: the demo copy has matches");
        assert_eq!(saved.index.search(&q), a, "{name}");
    }
    // An index saved for another state of the file is not used.
    save("registry.csv size=1 modified=2");
    assert_eq!(read_copy(&path, now).unwrap().1, IndexSource::Built);
    // Nor a damaged one.
    save(&stamp());
    let ix = dir.path().join("index.bin");
    let bytes = std::fs::read(&ix).unwrap();
    std::fs::write(&ix, &bytes[..bytes.len() / 3]).unwrap();
    assert_eq!(read_copy(&path, now).unwrap().1, IndexSource::Built);
}

/// The current lines the answers are written from (a copy laid out in name order) are the
/// registry's current rows, for every corporation: renamed ones (whose earlier name is a
/// past document), closed ones, and one named by its 法人格 alone.
#[test]
fn every_answer_line_is_the_registrys_current_row() {
    let mut v = rows(40);
    // Only a 法人格.
    v.push(row(
        10_001_000_008,
        "株式会社",
        Kind::StockCompany,
        TOKYO,
        CHIYODA,
    ));
    let reg = Registry::from_rows(v);
    let data = CorpData::build(reg, "2026-11-23T01:00:00Z".parse().unwrap());
    let mut positions: Vec<u32> = (0..data.len() as u32).collect();
    positions.reverse();
    positions.push(data.len() as u32); // out of range: left out
    let lines = data.latest_lines(&positions);
    assert_eq!(lines.len(), data.len());
    let mut renamed = false;
    for (pos, line) in (0..data.len()).rev().zip(&lines) {
        let (n, rows) = data.registry.corporation_rows(pos).unwrap();
        let current = data.registry.latest(&n).unwrap();
        renamed |= rows.len() > 1;
        assert_eq!(data.latest_line(pos), Some(*line), "{pos}");
        assert_eq!(mamori_corp::parse_line(line).unwrap(), current, "{pos}");
        assert!(rows.iter().any(|r| &**r == *line), "{pos}");
    }
    assert!(renamed, "the data has a corporation with history");
    assert!(
        lines.iter().any(|l| l.contains(",\"株式会社\",")),
        "the row named by its 法人格 alone"
    );
    assert_eq!(data.latest_line(data.len()), None);
}
