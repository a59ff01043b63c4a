//! The 法人番号 pages: search (results update as you type through htmx, and the form works as
//! a plain GET without JavaScript), a corporation with its full history, and downloads of the
//! local copy in the NTA layouts (全件 as CSV・Unicode, CSV・Shift_JIS and XML, and 差分 for
//! a period).

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use jiff::civil::Date;
use mamori_corp::{CorpNumber, Corporation, Envelope, Kind, Mode, Sort};
use mamori_model::FieldError;

use crate::corp::{self, CorpData, CorpStatus, Format, PREFECTURES};
use crate::corp_api::{self, SearchForm, mode_key, sort_key};
use crate::view::{Page, Res, render};
use crate::{AppState, Identity, i18n, urlencode};

const PER_PAGE: usize = 50;

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

/// `2026-06-01` → `2026-06-01（令和8年6月1日）`.
fn wareki(d: Option<Date>) -> String {
    d.map(mamori_export::date_with_wareki).unwrap_or_default()
}

fn plain(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn address(c: &Corporation) -> String {
    let domestic = format!("{}{}{}", c.prefecture_name, c.city_name, c.street_number);
    if domestic.is_empty() {
        c.address_outside.clone()
    } else {
        domestic
    }
}

/// Why the data cannot be shown: a page that says so (503 while loading or when unreadable,
/// 200 when nothing was imported yet: there is nothing wrong to retry).
#[derive(Template)]
#[template(path = "corp_unavailable.html")]
struct Unavailable {
    p: Page,
    message: &'static str,
}

fn unavailable(ident: &Identity, title: &'static str, s: &CorpStatus) -> Response {
    let (key, status) = match s {
        CorpStatus::Loading => ("corp.loading", StatusCode::SERVICE_UNAVAILABLE),
        CorpStatus::Failed(_) => ("corp.failed", StatusCode::SERVICE_UNAVAILABLE),
        _ => ("corp.absent", StatusCode::OK),
    };
    let p = Page::new(ident, title, "corp");
    let message = p.t(key);
    let mut r = render(&Unavailable { p, message });
    *r.status_mut() = status;
    if matches!(s, CorpStatus::Loading) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    r
}

// ---- search ---------------------------------------------------------------------------------

/// One result line.
struct HitView {
    number: String,
    name: String,
    furigana: String,
    kind: &'static str,
    address: String,
    assigned: String,
    closed: bool,
    close_date: String,
    past: bool,
}

impl HitView {
    fn of(c: &Corporation, past: bool) -> HitView {
        HitView {
            number: c.number.as_str().to_owned(),
            name: c.name.clone(),
            furigana: c.furigana.clone(),
            kind: c.kind.map_or("", Kind::name_ja),
            address: address(c),
            assigned: plain(c.assignment_date),
            closed: c.is_closed(),
            close_date: plain(c.close_date),
            past,
        }
    }
}

struct SearchView {
    form: SearchForm,
    errors: Vec<FieldError>,
    /// Whether any criterion was given (an empty form lists nothing).
    searched: bool,
    total: usize,
    hits: Vec<HitView>,
    last_update: String,
    corporations: usize,
}

impl SearchView {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.code)
    }

    fn pages(&self) -> usize {
        self.total.div_ceil(self.form.per_page).max(1)
    }

    fn first_shown(&self) -> usize {
        if self.hits.is_empty() {
            0
        } else {
            (self.form.page - 1) * self.form.per_page + 1
        }
    }

    fn last_shown(&self) -> usize {
        (self.first_shown() + self.hits.len()).saturating_sub(1)
    }

    fn page_numbers(&self) -> Vec<usize> {
        let last = self.pages();
        let cur = self.form.page;
        (1..=last)
            .filter(|n| *n == 1 || *n == last || n.abs_diff(cur) <= 2)
            .collect()
    }

    /// This search at another page.
    fn page_href(&self, page: &usize) -> String {
        let f = &self.form;
        let mut parts = vec![format!("name={}", urlencode(&f.name))];
        if f.mode != Mode::Prefix {
            parts.push(format!("mode={}", mode_key(f.mode)));
        }
        if f.furigana {
            parts.push("furigana=1".into());
        }
        if let Some(p) = f.prefecture {
            parts.push(format!("prefecture={p}"));
        }
        if !f.raw_city.is_empty() {
            parts.push(format!("city={}", urlencode(&f.raw_city)));
        }
        for k in &f.kinds {
            parts.push(format!("kind={}", k.code()));
        }
        if f.include_closed {
            parts.push("include_closed=1".into());
        }
        if f.include_past {
            parts.push("include_past=1".into());
        }
        if !f.raw_from.is_empty() {
            parts.push(format!("assigned_from={}", urlencode(&f.raw_from)));
        }
        if !f.raw_to.is_empty() {
            parts.push(format!("assigned_to={}", urlencode(&f.raw_to)));
        }
        if f.sort != Sort::Relevance {
            parts.push(format!("sort={}", sort_key(f.sort)));
        }
        if *page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("/corp?{}", parts.join("&"))
    }

    fn mode_is(&self, m: &str) -> bool {
        mode_key(self.form.mode) == m
    }

    fn sort_is(&self, s: &str) -> bool {
        sort_key(self.form.sort) == s
    }

    fn pref_is(&self, code: &usize) -> bool {
        self.form.prefecture.map(usize::from) == Some(*code)
    }

    fn kind_is(&self, k: &Kind) -> bool {
        self.form.kinds.contains(k)
    }

    fn prefectures(&self) -> Vec<(usize, &'static str)> {
        PREFECTURES
            .iter()
            .enumerate()
            .map(|(i, n)| (i + 1, *n))
            .collect()
    }

    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}

#[derive(Template)]
#[template(path = "corp_search.html")]
struct SearchPage {
    p: Page,
    v: SearchView,
}

#[derive(Template)]
#[template(path = "corp_results.html")]
struct ResultsFragment {
    p: Page,
    v: SearchView,
}

impl SearchPage {
    fn err(&self, field: &str) -> &'static str {
        self.v
            .error(field)
            .map_or("", |c| i18n::t(self.p.lang, &format!("error.{c}")))
    }
}

/// `GET /corp`: the search page, or only its results for htmx.
pub async fn search(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Res {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return Err(unavailable(&ident, "corp.title", &s)),
    };
    let (form, errors) = corp_api::parse_search(&q, (PER_PAGE, PER_PAGE));
    let searched = !form.name.is_empty()
        || form.prefecture.is_some()
        || !form.kinds.is_empty()
        || form.assigned_from.is_some()
        || form.assigned_to.is_some();
    let mut v = SearchView {
        form,
        errors,
        searched,
        total: 0,
        hits: Vec::new(),
        last_update: wareki(Some(data.last_update)),
        corporations: data.len(),
    };
    if searched && v.errors.is_empty() {
        let r = data.index.search(&v.form.query());
        v.total = r.total;
        v.hits = r
            .hits
            .iter()
            .filter_map(|h| {
                data.latest_row(h.corp as usize)
                    .map(|c| HitView::of(&c, h.past))
            })
            .collect();
    }
    let p = Page::new(&ident, "corp.title", "corp");
    let mut res = if is_htmx(&headers) {
        render(&ResultsFragment { p, v })
    } else {
        render(&SearchPage { p, v })
    };
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}

// ---- one corporation ------------------------------------------------------------------------

struct RowView {
    process: String,
    correct: bool,
    update_date: String,
    change_date: String,
    name: String,
    furigana: String,
    en_name: String,
    kind: String,
    address: String,
    post_code: String,
    en_address: String,
    close_date: String,
    close_cause: String,
    successor: String,
    change_cause: String,
    assigned: String,
    latest: bool,
    hidden: bool,
}

impl RowView {
    fn of(c: &Corporation) -> RowView {
        let en_address = [
            c.en_prefecture_name.as_str(),
            c.en_city_name.as_str(),
            c.en_address_outside.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
        RowView {
            process: c.process.to_string(),
            correct: c.is_correction(),
            update_date: wareki(c.update_date),
            change_date: wareki(c.change_date),
            name: c.name.clone(),
            furigana: c.furigana.clone(),
            en_name: c.en_name.clone(),
            kind: c.kind.map(|k| k.to_string()).unwrap_or_default(),
            address: address(c),
            // 1000001 → 100-0001.
            post_code: match (c.post_code.get(..3), c.post_code.get(3..)) {
                (Some(a), Some(b)) if c.post_code.len() == 7 => format!("{a}-{b}"),
                _ => c.post_code.clone(),
            },
            en_address,
            close_date: wareki(c.close_date),
            close_cause: c.close_cause.map(|k| k.to_string()).unwrap_or_default(),
            successor: c
                .successor
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            change_cause: c.change_cause.clone(),
            assigned: wareki(c.assignment_date),
            latest: c.is_latest(),
            hidden: c.is_hihyoji(),
        }
    }
}

#[derive(Template)]
#[template(path = "corp_detail.html")]
struct DetailPage {
    p: Page,
    number: String,
    current: RowView,
    history: Vec<RowView>,
    last_update: String,
}

/// `GET /corp/{number}`.
pub async fn detail(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(number): Path<String>,
) -> Res {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return Err(unavailable(&ident, "corp.detail_title", &s)),
    };
    let not_found = || crate::view::not_found(ident.lang, false);
    let n = CorpNumber::parse(number.trim()).map_err(|_| not_found())?;
    let pos = data.registry.position(&n).ok_or_else(not_found)?;
    let current = data.latest_row(pos).ok_or_else(not_found)?;
    let history: Vec<RowView> = data
        .lines(pos)
        .iter()
        .filter_map(|l| mamori_corp::parse_line(l))
        .map(|c| RowView::of(&c))
        .collect();
    Ok(render(&DetailPage {
        p: Page::new(&ident, "corp.detail_title", "corp"),
        number: n.as_str().to_owned(),
        current: RowView::of(&current),
        history,
        last_update: wareki(Some(data.last_update)),
    }))
}

// ---- downloads ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "corp_downloads.html")]
struct DownloadsPage {
    p: Page,
    last_update: String,
    base: String,
    corporations: usize,
    rows: usize,
    from: String,
    to: String,
    format: String,
    error: String,
}

fn ymd(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

fn downloads_page(
    ident: &Identity,
    data: &CorpData,
    from: String,
    to: String,
    format: String,
    error: String,
) -> Response {
    render(&DownloadsPage {
        p: Page::new(ident, "corp.downloads_title", "corp"),
        last_update: wareki(Some(data.last_update)),
        base: format!("00_zenkoku_all_{}", ymd(data.last_update)),
        corporations: data.len(),
        rows: data.registry.row_count(),
        from,
        to,
        format,
        error,
    })
}

/// `GET /corp/downloads`.
pub async fn downloads(State(st): State<AppState>, Extension(ident): Extension<Identity>) -> Res {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return Err(unavailable(&ident, "corp.downloads_title", &s)),
    };
    let to = data.last_update;
    let from = to.checked_sub(jiff::Span::new().days(6)).unwrap_or(to);
    Ok(downloads_page(
        &ident,
        &data,
        from.to_string(),
        to.to_string(),
        "csv".into(),
        String::new(),
    ))
}

fn format_of(s: Option<&str>) -> Option<(Format, &'static str)> {
    match s.unwrap_or("csv") {
        "csv" => Some((Format::Csv, ".csv")),
        "sjis" => Some((Format::CsvSjis, "_sjis.csv")),
        "xml" => Some((Format::Xml, ".xml")),
        _ => None,
    }
}

fn content_type(f: Format) -> &'static str {
    f.content_type()
}

fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

/// `GET /corp/downloads/full?format=csv|sjis|xml`: the 全件 file regenerated from the copy
/// (the current row of every corporation, 一連番号 from 1), streamed.
pub async fn download_full(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<Vec<(String, String)>>,
) -> Res {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return Err(unavailable(&ident, "corp.downloads_title", &s)),
    };
    let Some((fmt, ext)) = format_of(param(&q, "format")) else {
        return Err(crate::view::not_found(ident.lang, false));
    };
    let name = format!("00_zenkoku_all_{}{ext}", ymd(data.last_update));
    tracing::info!(user = %ident.username(), file = %name, "法人番号 full download");
    Ok(corp::stream_download(
        &name,
        content_type(fmt),
        move |out| corp::write_full(&data, fmt, out),
    ))
}

/// `GET /corp/downloads/diff?from&to&format`: the 差分 of a period (rows whose 更新年月日 is
/// in it, and the 99 削除 recorded for it).
pub async fn download_diff(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<Vec<(String, String)>>,
) -> Res {
    let data = match st.corp.status() {
        CorpStatus::Ready(d) => d,
        s => return Err(unavailable(&ident, "corp.downloads_title", &s)),
    };
    let from_s = param(&q, "from").unwrap_or_default().trim().to_owned();
    let to_s = param(&q, "to").unwrap_or_default().trim().to_owned();
    let fmt_s = param(&q, "format").unwrap_or("csv").to_owned();
    let bad = |msg: String| {
        let mut r = downloads_page(
            &ident,
            &data,
            from_s.chars().take(10).collect(),
            to_s.chars().take(10).collect(),
            fmt_s.chars().take(4).collect(),
            msg,
        );
        *r.status_mut() = StatusCode::BAD_REQUEST;
        r
    };
    let Some((fmt, ext)) = format_of(Some(&fmt_s)) else {
        return Err(bad(i18n::t(ident.lang, "error.invalid_choice").to_owned()));
    };
    let (from, to) = corp_api::diff_period(Some(&from_s), Some(&to_s), None)
        .map_err(|_| bad(i18n::t(ident.lang, "corp.diff_invalid").to_owned()))?;
    let name = if from == to {
        format!("diff_{}{ext}", ymd(from))
    } else {
        format!("diff_{}_{}{ext}", ymd(from), ymd(to))
    };
    Ok(corp::stream_download(
        &name,
        content_type(fmt),
        move |out| {
            let rows = data.registry.changes(from, to);
            let env = Envelope {
                last_update_date: data.last_update,
                count: rows.len() as u64,
                divide_number: 1,
                divide_size: 1,
            };
            // Download files carry no envelope line (the XML keeps its envelope elements).
            let env = (fmt == Format::Xml).then_some(env);
            corp::write_rows(fmt, env.as_ref(), &mut rows.into_iter(), 1, out)
        },
    ))
}
