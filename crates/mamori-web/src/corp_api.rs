//! The 法人番号 Web-API, NTA-compatible (`/4/num`, `/4/diff`, `/4/name`: the parameters,
//! response types, 2,000-row 分割 and `NNN,message` errors of Web-API v4), and the JSON API
//! (`/api/v1/corp/search`, `/api/v1/corp/{number}`).
//!
//! The NTA's application `id` is a mamori API token here (the bearer tokens of `/api/v1`) of
//! an active user whose role has the View permission; anything else is 404, as the NTA
//! answers an invalid id. A token found valid is remembered as on the JSON API
//! ([`crate::auth::TokenCache`]): a client's burst of requests costs one database look-up.
//!
//! Error codes (400, body `NNN,message` whatever the `type`, in Shift_JIS when `type=01`
//! was asked for, else UTF-8): 040–043 法人番号, 070–071 応答形式, 100–112 the other
//! parameters, 180 too many results. The NTA's own texts are unpublished; the messages here
//! are ours.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use mamori_corp::{
    COLUMNS, CorpNumber, CorpNumberError, Corporation, Envelope, Kind, Mode, Sort, parse_line,
};
use mamori_model::{FieldError, Permission};
use serde_json::{Value, json};

use crate::corp::{self, AnswerKey, CorpData, CorpStatus, DIVIDE_ROWS, Filter, Format};
use crate::{AppState, Identity, i18n};

/// More matches than this are refused with error 180 (100 分割).
pub const MAX_RESULTS: usize = 100 * DIVIDE_ROWS;

/// Query parameters in order (the first value of a repeated key wins in [`get`]).
type Params = Vec<(String, String)>;

fn params(q: Option<&str>) -> Params {
    q.and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

fn get<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

/// 404 as the NTA answers an unknown application id.
fn invalid_id() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
        "Not Found",
    )
        .into_response()
}

/// Whether `id` is an API token of an active user allowed to view.
async fn authorized(st: &AppState, id: Option<&str>) -> Result<bool, Response> {
    let Some(id) = id
        .map(str::trim)
        .filter(|i| !i.is_empty() && i.len() <= 256)
    else {
        return Ok(false);
    };
    let hash = crate::auth::sha256_hex(id.as_bytes());
    let now = st.now();
    let can_view = |u: &mamori_store::app::User| !u.disabled && u.role.can(Permission::View);
    if let Some(u) = st.api_tokens.get(&hash, now, crate::auth::API_TOKEN_TTL) {
        return Ok(can_view(&u));
    }
    let generation = st.api_tokens.generation();
    let user = st.db.user_by_api_token(&hash).await.map_err(|e| {
        tracing::error!(error = %e, "token look-up failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "500,内部エラーが発生しました。",
        )
            .into_response()
    })?;
    let ok = user.as_ref().is_some_and(can_view);
    if let Some(u) = user {
        st.api_tokens.put(hash, u, now, generation);
    }
    Ok(ok)
}

/// An error of the Web-API: HTTP 400, body `NNN,message`.
struct NtaError {
    code: &'static str,
    message: String,
}

fn err(code: &'static str, message: impl Into<String>) -> NtaError {
    NtaError {
        code,
        message: message.into(),
    }
}

impl NtaError {
    fn response(&self, sjis: bool) -> Response {
        let text = format!("{},{}\r\n", self.code, self.message);
        let (body, ct) = if sjis {
            let mut b = Vec::with_capacity(text.len());
            mamori_corp::csv::encode_shift_jis(&text, &mut b);
            (b, "text/csv;charset=Shift_JIS")
        } else {
            (text.into_bytes(), "text/csv;charset=UTF-8")
        };
        (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, ct)], body).into_response()
    }
}

fn nta_response(fmt: Format, body: std::io::Result<impl Into<Bytes>>) -> Response {
    match body {
        Ok(b) => {
            let mut r = (StatusCode::OK, b.into()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(fmt.content_type()),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot write a Web-API response");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "500,内部エラーが発生しました。",
            )
                .into_response()
        }
    }
}

fn format_of(p: &Params) -> Result<Format, NtaError> {
    match get(p, "type") {
        None | Some("") => Err(err("070", "応答形式（type）を指定してください。")),
        Some(t) => Format::from_type(t).ok_or_else(|| {
            err(
                "071",
                "応答形式（type）は 01（CSV・Shift_JIS）、02（CSV・Unicode）、12（XML・Unicode）のいずれかを指定してください。",
            )
        }),
    }
}

fn flag(
    p: &Params,
    k: &str,
    default: bool,
    code: &'static str,
    label: &str,
) -> Result<bool, NtaError> {
    match get(p, k) {
        None | Some("") => Ok(default),
        Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(err(
            code,
            format!("{label}（{k}）は 0 または 1 を指定してください。"),
        )),
    }
}

/// `address`: 2-digit prefecture code or 5-digit prefecture + city code.
fn address(p: &Params) -> Result<(Option<u8>, Option<u16>), NtaError> {
    let Some(a) = get(p, "address").filter(|a| !a.is_empty()) else {
        return Ok((None, None));
    };
    let e = || {
        err(
            "104",
            "所在地（address）は都道府県コード2桁（01〜47、99）または都道府県コードと市区町村コードの5桁で指定してください。",
        )
    };
    if !a.bytes().all(|b| b.is_ascii_digit()) || !(a.len() == 2 || a.len() == 5) {
        return Err(e());
    }
    let pref: u8 = a[..2].parse().map_err(|_| e())?;
    if !((1..=47).contains(&pref) || pref == 99) {
        return Err(e());
    }
    let city = if a.len() == 5 {
        Some(a[2..].parse::<u16>().map_err(|_| e())?)
    } else {
        None
    };
    Ok((Some(pref), city))
}

/// `kind`: request codes 01–04, comma-separated, at most 4.
fn kinds(p: &Params) -> Result<Vec<Kind>, NtaError> {
    let Some(k) = get(p, "kind").filter(|k| !k.is_empty()) else {
        return Ok(Vec::new());
    };
    let e = || {
        err(
            "105",
            "法人種別（kind）は 01（国の機関）、02（地方公共団体）、03（設立登記法人）、04（外国会社等・その他）をカンマ区切りで4件まで指定してください。",
        )
    };
    let codes: Vec<&str> = k.split(',').collect();
    if codes.len() > 4 {
        return Err(e());
    }
    let mut out = Vec::new();
    for c in codes {
        let add = kinds_of_code(c).ok_or_else(e)?;
        for k in add {
            if !out.contains(k) {
                out.push(*k);
            }
        }
    }
    Ok(out)
}

/// The 法人種別 that one Web-API `kind` code (01–04) stands for.
pub fn kinds_of_code(code: &str) -> Option<&'static [Kind]> {
    Some(match code {
        "01" => &[Kind::State],
        "02" => &[Kind::LocalGovernment],
        "03" => &[
            Kind::StockCompany,
            Kind::LimitedCompany,
            Kind::GeneralPartnership,
            Kind::LimitedPartnership,
            Kind::LimitedLiabilityCompany,
            Kind::OtherRegistered,
        ],
        "04" => &[Kind::Foreign, Kind::Other],
        _ => return None,
    })
}

fn divide(p: &Params) -> Result<usize, NtaError> {
    match get(p, "divide") {
        None | Some("") => Ok(1),
        Some(d) => d
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=99_999).contains(n) && d.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                err(
                    "110",
                    "分割番号（divide）は 1〜99999 の数字で指定してください。",
                )
            }),
    }
}

/// The envelope and the range of rows of one 分割.
fn page(total: usize, divide: usize, last_update: Date) -> Result<(Envelope, usize), NtaError> {
    let size = total.div_ceil(DIVIDE_ROWS).max(1);
    if divide > size {
        return Err(err(
            "110",
            format!("分割番号（divide）が分割数（{size}）を超えています。"),
        ));
    }
    Ok((
        Envelope {
            last_update_date: last_update,
            count: total as u64,
            divide_number: u32::try_from(divide).unwrap_or(u32::MAX),
            divide_size: u32::try_from(size).unwrap_or(u32::MAX),
        },
        (divide - 1) * DIVIDE_ROWS,
    ))
}

/// The common prologue: the id, the data, the type.
async fn prologue(
    st: &AppState,
    q: Option<&str>,
) -> Result<(Params, std::sync::Arc<CorpData>), Response> {
    let p = params(q);
    if !authorized(st, get(&p, "id")).await? {
        return Err(invalid_id());
    }
    match st.corp.status() {
        CorpStatus::Ready(d) => Ok((p, d)),
        s => Err(corp::unavailable_text(&s)),
    }
}

fn sjis_asked(p: &Params) -> bool {
    get(p, "type") == Some("01")
}

/// `GET /4/num`: up to 10 numbers, current rows or (`history=1`) every row.
pub async fn num(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let (p, data) = match prologue(&st, q.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match num_inner(&p, &data) {
        Ok(r) => r,
        Err(e) => e.response(sjis_asked(&p)),
    }
}

fn num_inner(p: &Params, data: &CorpData) -> Result<Response, NtaError> {
    let fmt = format_of(p)?;
    let numbers = match get(p, "number") {
        None | Some("") => return Err(err("040", "法人番号（number）を指定してください。")),
        Some(n) => n,
    };
    let parts: Vec<&str> = numbers.split(',').collect();
    if parts.len() > 10 {
        return Err(err("043", "法人番号（number）は10件まで指定できます。"));
    }
    let mut wanted: Vec<CorpNumber> = Vec::with_capacity(parts.len());
    for n in parts {
        match CorpNumber::parse(n) {
            Ok(c) => {
                if !wanted.contains(&c) {
                    wanted.push(c);
                }
            }
            Err(CorpNumberError::Shape) => {
                return Err(err(
                    "041",
                    format!(
                        "法人番号（number）は13桁の数字で指定してください（{}）。",
                        short(n)
                    ),
                ));
            }
            Err(CorpNumberError::CheckDigit { .. }) => {
                return Err(err(
                    "042",
                    format!("法人番号のチェックデジットが正しくありません（{n}）。"),
                ));
            }
        }
    }
    let history = flag(p, "history", false, "106", "変更履歴要否")?;
    let mut lines: Vec<&str> = Vec::new();
    for n in &wanted {
        let Some(pos) = data.registry.position(n) else {
            continue;
        };
        if history {
            lines.extend(data.lines(pos).iter().map(AsRef::as_ref));
        } else if let Some(l) = data.latest_line(pos) {
            lines.push(l);
        }
    }
    let env = Envelope {
        last_update_date: data.last_update,
        count: lines.len() as u64,
        divide_number: 1,
        divide_size: 1,
    };
    Ok(nta_response(fmt, corp::write_lines(fmt, &env, &lines, 1)))
}

fn short(s: &str) -> String {
    s.chars().take(20).collect()
}

/// `GET /4/diff`: rows updated in a period of at most 50 days.
pub async fn diff(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let (p, data) = match prologue(&st, q.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match diff_inner(&p, &data) {
        Ok(r) => r,
        Err(e) => e.response(sjis_asked(&p)),
    }
}

/// The earliest `from` of a difference request.
pub const DIFF_FLOOR: Date = Date::constant(2015, 12, 1);

/// Checks a difference period (`from`, `to`, at most `max_days` days inclusive).
pub fn diff_period(
    from: Option<&str>,
    to: Option<&str>,
    max_days: Option<i32>,
) -> Result<(Date, Date), (&'static str, String)> {
    let (Some(f), Some(t)) = (from.filter(|s| !s.is_empty()), to.filter(|s| !s.is_empty())) else {
        return Err((
            "111",
            "取得期間の開始日（from）と終了日（to）を指定してください。".into(),
        ));
    };
    let (Some(f), Some(t)) = (corp::parse_date(f), corp::parse_date(t)) else {
        return Err((
            "111",
            "取得期間（from、to）は YYYY-MM-DD 形式の日付で指定してください。".into(),
        ));
    };
    if f < DIFF_FLOOR {
        return Err((
            "111",
            "取得期間の開始日（from）は 2015-12-01 以降の日付を指定してください。".into(),
        ));
    }
    if f > t {
        return Err((
            "111",
            "取得期間の開始日（from）は終了日（to）以前の日付を指定してください。".into(),
        ));
    }
    if let Some(max) = max_days {
        let days = (t - f).get_days() + 1;
        if days > max {
            return Err((
                "112",
                format!("取得期間は{max}日以内で指定してください（指定は{days}日間）。"),
            ));
        }
    }
    Ok((f, t))
}

fn diff_inner(p: &Params, data: &CorpData) -> Result<Response, NtaError> {
    let fmt = format_of(p)?;
    let (from, to) =
        diff_period(get(p, "from"), get(p, "to"), Some(50)).map_err(|(c, m)| err(c, m))?;
    let (prefecture, city) = address(p)?;
    let filter = Filter {
        prefecture,
        city,
        kinds: kinds(p)?,
        ..Filter::default()
    };
    let divide = divide(p)?;
    let rows: Vec<Corporation> = data
        .registry
        .changes(from, to)
        .into_iter()
        .filter(|c| CorpData::diff_keep(c, &filter))
        .collect();
    let (env, skip) = page(rows.len(), divide, data.last_update)?;
    let mut out = Vec::with_capacity(4096);
    let mut it = rows.into_iter().skip(skip).take(DIVIDE_ROWS);
    let res = corp::write_rows(fmt, Some(&env), &mut it, skip as u64 + 1, &mut out).map(|()| out);
    Ok(nta_response(fmt, res))
}

/// `GET /4/name`: name search (前方一致 / 部分一致; あいまい, 完全一致 or English).
pub async fn name(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let (p, data) = match prologue(&st, q.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match name_inner(&p, &data) {
        Ok(r) => r,
        Err(e) => e.response(sjis_asked(&p)),
    }
}

fn assignment(p: &Params, k: &str) -> Result<Option<u32>, NtaError> {
    match get(p, k) {
        None | Some("") => Ok(None),
        Some(s) => corp::parse_date(s)
            .filter(|d| *d >= Date::constant(2015, 10, 5))
            .map(|d| Some(corp::date_key(d)))
            .ok_or_else(|| {
                err(
                    "108",
                    format!("法人番号指定年月日（{k}）は YYYY-MM-DD 形式で 2015-10-05 以降の日付を指定してください。"),
                )
            }),
    }
}

fn name_inner(p: &Params, data: &CorpData) -> Result<Response, NtaError> {
    let fmt = format_of(p)?;
    let name = get(p, "name").map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(err("100", "商号又は名称（name）を指定してください。"));
    }
    let partial = match get(p, "mode") {
        None | Some("") | Some("1") => false,
        Some("2") => true,
        Some(_) => {
            return Err(err(
                "102",
                "検索方式（mode）は 1（前方一致）または 2（部分一致）を指定してください。",
            ));
        }
    };
    let target = match get(p, "target") {
        None | Some("") | Some("1") => 1,
        Some("2") => 2,
        Some("3") => 3,
        Some(_) => {
            return Err(err(
                "103",
                "検索対象（target）は 1（あいまい検索）、2（完全一致検索）、3（英語表記）のいずれかを指定してください。",
            ));
        }
    };
    let max_len = if target == 3 { 300 } else { 150 };
    if name.chars().count() > max_len {
        return Err(err(
            "101",
            format!("商号又は名称（name）は{max_len}文字以内で指定してください。"),
        ));
    }
    let (prefecture, city) = address(p)?;
    let filter = Filter {
        prefecture,
        city,
        kinds: kinds(p)?,
        include_past: flag(p, "change", false, "106", "変更履歴要否")?,
        include_closed: flag(p, "close", true, "107", "登記記録の閉鎖等要否")?,
        assigned_from: assignment(p, "from")?,
        assigned_to: assignment(p, "to")?,
    };
    if let (Some(f), Some(t)) = (filter.assigned_from, filter.assigned_to)
        && f > t
    {
        return Err(err(
            "109",
            "法人番号指定年月日の開始日（from）は終了日（to）以前の日付を指定してください。",
        ));
    }
    let divide = divide(p)?;
    // The same question of the same copy is answered from the cache (corp::AnswerCache).
    let key = AnswerKey::name_search(fmt, name, partial, target, &filter, divide);
    if let Some(body) = data.answers().get(&key) {
        return Ok(nta_response(fmt, Ok(body)));
    }
    let too_many = |n: usize| {
        err(
            "180",
            format!(
                "検索結果が{n}件あり、上限（{MAX_RESULTS}件）を超えています。条件を絞り込んでください。"
            ),
        )
    };
    let offset = (divide - 1) * DIVIDE_ROWS;
    let (total, corps): (usize, Vec<u32>) = match target {
        1 => {
            let q = mamori_corp::Query {
                name: name.to_owned(),
                mode: if partial { Mode::Partial } else { Mode::Prefix },
                prefecture: filter.prefecture,
                city: filter.city,
                kinds: filter.kinds.clone(),
                include_closed: filter.include_closed,
                include_past: filter.include_past,
                assigned_from: filter.assigned_from,
                assigned_to: filter.assigned_to,
                sort: Sort::Relevance,
                offset,
                limit: DIVIDE_ROWS,
                ..mamori_corp::Query::default()
            };
            let r = data.index.search(&q);
            if r.total > MAX_RESULTS {
                return Err(too_many(r.total));
            }
            (r.total, r.hits.iter().map(|h| h.corp).collect())
        }
        2 => {
            let all = exact_search(data, name, partial, &filter);
            if all.len() > MAX_RESULTS {
                return Err(too_many(all.len()));
            }
            (
                all.len(),
                all.into_iter().skip(offset).take(DIVIDE_ROWS).collect(),
            )
        }
        _ => {
            let all = data.english_search(name, partial, &filter);
            if all.len() > MAX_RESULTS {
                return Err(too_many(all.len()));
            }
            (
                all.len(),
                all.into_iter().skip(offset).take(DIVIDE_ROWS).collect(),
            )
        }
    };
    let (env, skip) = page(total, divide, data.last_update)?;
    let lines = data.latest_lines(&corps);
    let body = corp::write_lines(fmt, &env, &lines, skip as u64 + 1);
    if let Ok(b) = &body {
        data.answers().put(key, b.clone());
    }
    Ok(nta_response(fmt, body))
}

/// `target=2`: the name as typed, without folding (candidates from the folded index, then
/// checked against the registered names).
fn exact_search(data: &CorpData, name: &str, partial: bool, f: &Filter) -> Vec<u32> {
    let q = mamori_corp::Query {
        name: name.to_owned(),
        mode: if partial { Mode::Partial } else { Mode::Prefix },
        prefecture: f.prefecture,
        city: f.city,
        kinds: f.kinds.clone(),
        include_closed: f.include_closed,
        include_past: f.include_past,
        assigned_from: f.assigned_from,
        assigned_to: f.assigned_to,
        sort: Sort::Relevance,
        offset: 0,
        limit: usize::MAX / 2,
        ..mamori_corp::Query::default()
    };
    let hits = data.index.search(&q).hits;
    let matches = |line: &str| {
        corp::field(line, 6).is_some_and(|n| {
            if partial {
                n.contains(name)
            } else {
                n.starts_with(name)
            }
        })
    };
    hits.iter()
        .filter(|h| {
            let pos = h.corp as usize;
            if data.latest_line(pos).is_some_and(matches) {
                return true;
            }
            f.include_past && data.lines(pos).iter().any(|l| matches(l))
        })
        .map(|h| h.corp)
        .collect()
}

// ---- JSON API -----------------------------------------------------------------------------

/// A search as the page and the JSON API take it.
#[derive(Clone, Debug, Default)]
pub(crate) struct SearchForm {
    pub name: String,
    pub mode: Mode,
    pub furigana: bool,
    pub prefecture: Option<u8>,
    pub city: Option<u16>,
    pub kinds: Vec<Kind>,
    pub include_closed: bool,
    pub include_past: bool,
    pub assigned_from: Option<Date>,
    pub assigned_to: Option<Date>,
    pub sort: Sort,
    pub page: usize,
    pub per_page: usize,
    /// As sent, to show in the form again.
    pub raw_city: String,
    pub raw_from: String,
    pub raw_to: String,
}

pub(crate) fn mode_key(m: Mode) -> &'static str {
    match m {
        Mode::Prefix => "prefix",
        Mode::Partial => "partial",
        Mode::Exact => "exact",
    }
}

pub(crate) fn sort_key(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "relevance",
        Sort::Gojuon => "gojuon",
        Sort::Region => "region",
        Sort::Assigned => "assigned",
        Sort::Number => "number",
    }
}

fn truthy(v: &str) -> bool {
    matches!(v, "1" | "true" | "on" | "yes")
}

/// Parses the search parameters (`per_page` default and maximum given by the caller).
pub(crate) fn parse_search(
    p: &[(String, String)],
    per_page: (usize, usize),
) -> (SearchForm, Vec<FieldError>) {
    let mut f = SearchForm {
        page: 1,
        per_page: per_page.0,
        ..SearchForm::default()
    };
    let mut errors = Vec::new();
    for (k, v) in p {
        let v = v.trim();
        match k.as_str() {
            "name" | "q" => f.name = v.chars().take(300).collect(),
            "mode" => match v {
                "" | "prefix" => f.mode = Mode::Prefix,
                "partial" => f.mode = Mode::Partial,
                "exact" => f.mode = Mode::Exact,
                _ => errors.push(FieldError::new("mode", "invalid_choice")),
            },
            "furigana" => f.furigana = truthy(v),
            "include_closed" => f.include_closed = truthy(v),
            "include_past" => f.include_past = truthy(v),
            "prefecture" if !v.is_empty() => match v.parse::<u8>() {
                Ok(n) if (1..=47).contains(&n) || n == 99 => f.prefecture = Some(n),
                _ => errors.push(FieldError::new("prefecture", "invalid_choice")),
            },
            "city" if !v.is_empty() => {
                f.raw_city = v.chars().take(10).collect();
                match v.parse::<u16>() {
                    Ok(n) if v.len() == 3 && n <= 999 => f.city = Some(n),
                    _ => errors.push(FieldError::new("city", "corp_city")),
                }
            }
            "kind" => {
                for c in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    match Kind::from_code(c) {
                        Some(k) if !f.kinds.contains(&k) => f.kinds.push(k),
                        Some(_) => {}
                        None => errors.push(FieldError::new("kind", "invalid_choice")),
                    }
                }
            }
            "assigned_from" | "assigned_to" if !v.is_empty() => {
                let d = corp::parse_date(v);
                if k == "assigned_from" {
                    f.raw_from = v.chars().take(10).collect();
                    f.assigned_from = d;
                } else {
                    f.raw_to = v.chars().take(10).collect();
                    f.assigned_to = d;
                }
                if d.is_none() {
                    errors.push(FieldError::new(k, "corp_date"));
                }
            }
            "sort" => match v {
                "" | "relevance" => f.sort = Sort::Relevance,
                "gojuon" => f.sort = Sort::Gojuon,
                "region" => f.sort = Sort::Region,
                "assigned" => f.sort = Sort::Assigned,
                "number" => f.sort = Sort::Number,
                _ => errors.push(FieldError::new("sort", "invalid_choice")),
            },
            "page" if !v.is_empty() => match v.parse::<usize>() {
                Ok(n) if (1..=100_000).contains(&n) => f.page = n,
                _ => errors.push(FieldError::new("page", "corp_range")),
            },
            "per_page" if !v.is_empty() => match v.parse::<usize>() {
                Ok(n) if (1..=per_page.1).contains(&n) => f.per_page = n,
                _ => errors.push(FieldError::new("per_page", "corp_range")),
            },
            _ => {}
        }
    }
    if f.city.is_some() && f.prefecture.is_none() {
        errors.push(FieldError::new("city", "corp_city_needs_prefecture"));
    }
    (f, errors)
}

impl SearchForm {
    pub(crate) fn query(&self) -> mamori_corp::Query {
        mamori_corp::Query {
            name: self.name.clone(),
            furigana: self.furigana,
            mode: self.mode,
            prefecture: self.prefecture,
            city: self.city,
            kinds: self.kinds.clone(),
            include_closed: self.include_closed,
            include_past: self.include_past,
            assigned_from: self.assigned_from.map(corp::date_key),
            assigned_to: self.assigned_to.map(corp::date_key),
            sort: self.sort,
            offset: (self.page - 1).saturating_mul(self.per_page),
            limit: self.per_page,
        }
    }
}

fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn api_invalid(lang: i18n::Lang, fields: &[FieldError]) -> Response {
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| json!({"field": f.field, "code": f.code, "message": i18n::t(lang, &format!("error.{}", f.code))}))
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"error": {"code": "validation_failed",
                    "message": i18n::t(lang, "error_page.invalid"), "fields": fields}})),
    )
        .into_response()
}

fn api_unavailable(lang: i18n::Lang, s: &CorpStatus) -> Response {
    let key = if matches!(s, CorpStatus::Loading) {
        "corp_loading"
    } else {
        "corp_absent"
    };
    let mut r = api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        key,
        i18n::t(lang, &format!("error_page.{key}")),
    );
    if matches!(s, CorpStatus::Loading) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    r
}

/// One corporation as the JSON API writes it: the NTA's columns (but the 一連番号) by their
/// JSON names, the names of its codes, `closed`, and in search results `matchedPastName`;
/// keys in alphabetical order. Serialized straight from the row: a search answer builds no
/// map per corporation (`api_show`, one corporation's history, goes through a `Value`).
pub(crate) struct CorpJson<'a> {
    pub c: &'a Corporation,
    /// Whether the search matched one of its earlier names (search results only).
    pub past: Option<bool>,
}

impl serde::Serialize for CorpJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        enum V<'b> {
            Text(&'b str),
            Name(Option<&'static str>),
            Flag(bool),
        }
        let c = self.c;
        let mut scratch = mamori_corp::record::Scratch::default();
        let fields = c.to_fields(&mut scratch);
        let mut entries: Vec<(&str, V<'_>)> = Vec::with_capacity(fields.len() + 4);
        for (i, v) in fields.iter().enumerate().skip(1) {
            if let Some((_, key)) = COLUMNS.get(i) {
                entries.push((key, V::Text(v)));
            }
        }
        entries.push(("processName", V::Name(Some(c.process.name_ja()))));
        entries.push(("kindName", V::Name(c.kind.map(|k| k.name_ja()))));
        entries.push((
            "closeCauseName",
            V::Name(c.close_cause.map(|k| k.name_ja())),
        ));
        entries.push(("closed", V::Flag(c.is_closed())));
        if let Some(p) = self.past {
            entries.push(("matchedPastName", V::Flag(p)));
        }
        entries.sort_by_key(|(k, _)| *k);
        let mut m = s.serialize_map(Some(entries.len()))?;
        for (k, v) in &entries {
            match v {
                V::Text(t) => m.serialize_entry(k, t)?,
                V::Name(n) => m.serialize_entry(k, n)?,
                V::Flag(f) => m.serialize_entry(k, f)?,
            }
        }
        m.end()
    }
}

/// The answer of `GET /api/v1/corp/search` (fields in alphabetical order).
#[derive(serde::Serialize)]
struct SearchAnswer<'a> {
    items: Vec<CorpJson<'a>>,
    last_update_date: String,
    page: usize,
    per_page: usize,
    total: usize,
}

/// `GET /api/v1/corp/search`.
pub async fn api_search(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(p): Query<Vec<(String, String)>>,
) -> Response {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return api_unavailable(ident.lang, &s),
    };
    let (form, errors) = parse_search(&p, (20, 100));
    if !errors.is_empty() {
        return api_invalid(ident.lang, &errors);
    }
    let r = data.index.search(&form.query());
    let rows: Vec<(Corporation, bool)> = r
        .hits
        .iter()
        .filter_map(|h| Some((data.latest_row(h.corp as usize)?, h.past)))
        .collect();
    Json(SearchAnswer {
        items: rows
            .iter()
            .map(|(c, past)| CorpJson {
                c,
                past: Some(*past),
            })
            .collect(),
        last_update_date: data.last_update.to_string(),
        page: form.page,
        per_page: form.per_page,
        total: r.total,
    })
    .into_response()
}

/// `GET /api/v1/corp/{number}`.
pub async fn api_show(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(number): Path<String>,
) -> Response {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return api_unavailable(ident.lang, &s),
    };
    let n = match CorpNumber::parse(number.trim()) {
        Ok(n) => n,
        Err(e) => {
            let code = match e {
                CorpNumberError::Shape => "corp_number_format",
                CorpNumberError::CheckDigit { .. } => "corp_check_digit",
            };
            return api_invalid(ident.lang, &[FieldError::new("number", code)]);
        }
    };
    let Some(pos) = data.registry.position(&n) else {
        return api_error(StatusCode::NOT_FOUND, "not_found", "no such corporation");
    };
    let history: Vec<Corporation> = data
        .lines(pos)
        .iter()
        .filter_map(|l| parse_line(l))
        .collect();
    let history: Vec<CorpJson<'_>> = history.iter().map(|c| CorpJson { c, past: None }).collect();
    let current = data.latest_row(pos);
    Json(json!({
        "corporateNumber": n.as_str(),
        "current": current.as_ref().map(|c| CorpJson { c, past: None }),
        "history": history,
        "last_update_date": data.last_update.to_string(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map the JSON API built before [`CorpJson`] (one `String` per field).
    fn as_map(c: &Corporation, past: Option<bool>) -> Value {
        let mut scratch = mamori_corp::record::Scratch::default();
        let fields = c.to_fields(&mut scratch);
        let mut m = serde_json::Map::new();
        for (i, v) in fields.iter().enumerate().skip(1) {
            m.insert(COLUMNS[i].1.to_owned(), Value::String((*v).to_owned()));
        }
        m.insert("processName".into(), json!(c.process.name_ja()));
        m.insert("kindName".into(), json!(c.kind.map(|k| k.name_ja())));
        m.insert(
            "closeCauseName".into(),
            json!(c.close_cause.map(|k| k.name_ja())),
        );
        m.insert("closed".into(), json!(c.is_closed()));
        if let Some(p) = past {
            m.insert("matchedPastName".into(), json!(p));
        }
        Value::Object(m)
    }

    #[test]
    fn a_corporation_serializes_to_the_same_text_as_its_map() {
        let line = r#"1,2000012010002,12,0,2024-04-01,2024-03-25,"株式会社アオバ・""テスト""",,301,"東京都","千代田区","丸の内１丁目",,13,101,1000005,,,2024-03-31,01,,,2015-10-05,0,"AOBA Co.,Ltd.","Tokyo",,,"アオバ",0"#;
        let c = parse_line(line).expect("a row");
        for past in [None, Some(true), Some(false)] {
            let ours = serde_json::to_string(&CorpJson { c: &c, past }).unwrap();
            assert_eq!(ours, as_map(&c, past).to_string());
        }
        let v: Value =
            serde_json::from_str(&serde_json::to_string(&CorpJson { c: &c, past: None }).unwrap())
                .unwrap();
        assert_eq!(v["name"], "株式会社アオバ・\"テスト\"", "{v}");
        assert_eq!(v["closed"], true);
    }
}
