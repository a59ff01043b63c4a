//! The web application over real HTTP on a free port, with a temporary database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use mamori_catalog::CatalogSet;
use mamori_model::{Permission, Role};
use mamori_store::app::{Actor, AppDb, NewUser};
use mamori_web::auth::{self, Access, ROUTES};
use mamori_web::{AppState, SESSION_COOKIE, router};
use reqwest::{Method, StatusCode, redirect};

mod assess;
mod corp;

struct App {
    base: String,
    db: AppDb,
    _dir: tempfile::TempDir,
}

fn fixed_clock() -> mamori_web::Clock {
    let t: jiff::Timestamp = "2026-11-23T01:00:00Z".parse().unwrap();
    Arc::new(move || t)
}

async fn start() -> App {
    start_with_upload_limit(None).await
}

/// The evidence files of an [`App`] live in `<dir>/evidence`.
async fn start_with_upload_limit(limit: Option<u64>) -> App {
    start_with(limit, corp::small_data()).await
}

/// An application with the given 法人番号 copy.
async fn start_with(limit: Option<u64>, corp: mamori_web::corp::CorpData) -> App {
    start_with_status(limit, mamori_web::corp::CorpStatus::Ready(Arc::new(corp))).await
}

async fn start_with_status(limit: Option<u64>, corp: mamori_web::corp::CorpStatus) -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = AppDb::open(&dir.path().join("mamori.sqlite"))
        .await
        .unwrap();
    let evidence =
        mamori_store::evidence_store::EvidenceStore::open(&dir.path().join("evidence")).unwrap();
    let mut state = AppState::new(
        db.clone(),
        CatalogSet::builtin().unwrap(),
        fixed_clock(),
        evidence,
    );
    if let Some(l) = limit {
        state.upload_limit = l;
    }
    state.corp.set(corp);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    App {
        base: format!("http://{addr}"),
        db,
        _dir: dir,
    }
}

/// A browser: keeps cookies, does not follow redirects.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
}

struct Got {
    status: StatusCode,
    location: String,
    body: String,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Browser {
    fn new(app: &App) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookies: HashMap::new(),
        }
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Got {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", c.join("; "));
        }
        if let Some(f) = form {
            req = req.form(f);
        }
        let res = req.send().await.unwrap();
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            assert!(
                v.contains("HttpOnly") && v.contains("SameSite=Strict"),
                "{v}"
            );
            let (kv, _) = v.split_once(';').unwrap();
            let (k, val) = kv.split_once('=').unwrap();
            if val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = res.bytes().await.unwrap().to_vec();
        Got {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            headers,
            bytes,
        }
    }

    async fn get(&mut self, path: &str) -> Got {
        self.send(Method::GET, path, None).await
    }

    /// Posts a form with the CSRF token found on `from`.
    async fn post(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Got {
        let page = self.get(from).await;
        let csrf = csrf_of(&page.body);
        let mut f: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        f.extend_from_slice(fields);
        self.send(Method::POST, path, Some(&f)).await
    }
}

fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[i..i + 64].to_owned()
}

fn actor() -> Actor {
    Actor {
        name: "test".into(),
        time: "2026-11-23T10:00:00+09:00".into(),
    }
}

const PASSWORD: &str = "correct horse battery staple";

/// Creates a user with `PASSWORD` and a browser session for them (token = user name × 4).
async fn user_with_session(app: &App, hash: &str, name: &str, role: Role) -> (i64, String) {
    let id = app
        .db
        .create_user(
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                department_id: None,
                password_hash: hash.into(),
                must_change_password: false,
            },
            &actor(),
        )
        .await
        .unwrap();
    let token = name.repeat(4);
    app.db
        .create_session(
            &auth::sha256_hex(token.as_bytes()),
            id,
            &format!("{:0>64}", name),
            i64::MAX / 2,
            &actor(),
        )
        .await
        .unwrap();
    (id, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_setup_then_a_system_through_the_sbd_wizard_to_an_issued_docx() {
    let app = start().await;
    app.db
        .set_setting("setup_token", Some(&auth::sha256_hex(b"tok")))
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    // Without the token the setup page does not exist.
    assert_eq!(
        b.get("/setup?token=wrong").await.status,
        StatusCode::NOT_FOUND
    );
    let bad = b
        .post(
            "/setup?token=tok",
            "/setup",
            &[
                ("token", "tok"),
                ("username", "Admin"),
                ("display_name", "管理 太郎"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("英小文字で始まる2〜32文字"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("パスワードは12文字以上にしてください。"));
    assert_eq!(
        app.db.user_count().await.unwrap(),
        0,
        "a failed request stores nothing"
    );
    let ok = b
        .post(
            "/setup?token=tok",
            "/setup",
            &[
                ("token", "tok"),
                ("username", "admin"),
                ("display_name", "管理 太郎"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (ok.status, ok.location.as_str()),
        (StatusCode::SEE_OTHER, "/login?done=setup_complete")
    );
    // The token is single-use.
    assert_eq!(
        b.get("/setup?token=tok").await.status,
        StatusCode::NOT_FOUND
    );

    let wrong = b
        .post(
            "/login",
            "/login",
            &[("username", "admin"), ("password", "nope nope nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let login = b
        .post(
            "/login",
            "/login",
            &[
                ("username", "admin"),
                ("password", PASSWORD),
                ("next", "/systems"),
            ],
        )
        .await;
    assert_eq!(
        (login.status, login.location.as_str()),
        (StatusCode::SEE_OTHER, "/systems")
    );
    assert!(b.cookies.contains_key("mamori_session"));
    let dash = b.get("/").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("ダッシュボード"));
    assert_eq!(dash.headers.get("x-frame-options").unwrap(), "DENY");

    let dept = b
        .post(
            "/settings",
            "/settings/departments",
            &[("name", "総務部 情報政策課")],
        )
        .await;
    assert_eq!(dept.status, StatusCode::SEE_OTHER);

    // Invalid input: inline errors, nothing stored.
    let bad = b
        .post(
            "/systems/new",
            "/systems",
            &[
                ("name", ""),
                ("department_id", "1"),
                ("segment", "mynumber"),
                ("confidentiality", "3"),
                ("integrity", "2"),
                ("availability", "2"),
                ("external_access", "on"),
                ("user_base", "staff"),
                ("status", "planning"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"name-error\">入力してください。"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("三層の対策"));
    assert_eq!(app.db.counts().await.unwrap().systems, 0);
    let created = b
        .post(
            "/systems/new",
            "/systems",
            &[
                ("name", "電子申請システム"),
                ("department_id", "1"),
                ("segment", "internet"),
                ("confidentiality", "2"),
                ("integrity", "2"),
                ("availability", "1"),
                ("external_access", "on"),
                ("user_base", "residents"),
                ("status", "planning"),
                ("overview", "オンライン申請"),
            ],
        )
        .await;
    assert_eq!(created.location, "/systems/1?done=created");
    let list = b
        .get("/systems?q=%E7%94%B3%E8%AB%8B&segment=internet")
        .await;
    assert!(list.body.contains("電子申請システム"));
    assert!(
        b.get("/systems?segment=lgwan")
            .await
            .body
            .contains("該当する情報システムはありません。")
    );

    // Step 1: every condition needs an answer and a reason.
    let mut answers: Vec<(String, String)> = Vec::new();
    for (c, v) in [
        ("A", "yes"),
        ("B", "no"),
        ("C", "no"),
        ("D", "no"),
        ("E", "no"),
        ("F", "yes"),
    ] {
        answers.push((format!("answer_{c}"), v.into()));
        answers.push((format!("reason_{c}"), format!("{c}の理由")));
    }
    let missing: Vec<(&str, &str)> = answers
        .iter()
        .skip(2)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = b.post("/systems/1/sbd", "/systems/1/sbd", &missing).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("「該当する」か「該当しない」を選んでください。")
    );
    let all: Vec<(&str, &str)> = answers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = b.post("/systems/1/sbd", "/systems/1/sbd", &all).await;
    assert_eq!(r.location, "/systems/1/sbd/levels?done=answers_saved");

    // Step 2: an override without a justification is refused, with one it is kept.
    let levels = b.get("/systems/1/sbd/levels").await;
    assert_eq!(levels.status, StatusCode::OK);
    let i = levels.body.find("name=\"level_AU-1-1\"").unwrap();
    let sel = &levels.body[i..i + 600];
    let chosen = if sel.contains("value=\"high\" selected") {
        "middle"
    } else {
        "high"
    };
    let r = b
        .post(
            "/systems/1/sbd/levels",
            "/systems/1/sbd/levels",
            &[("level_AU-1-1", chosen)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("推奨と異なるレベルを選ぶ場合は、その理由を入力してください。")
    );
    let r = b
        .post(
            "/systems/1/sbd/levels",
            "/systems/1/sbd/levels",
            &[
                ("level_AU-1-1", chosen),
                ("justification_AU-1-1", "窓口での本人確認を強化"),
            ],
        )
        .await;
    assert_eq!(r.location, "/systems/1/sbd/preview?done=levels_saved");
    let st = app.db.sbd_state(1).await.unwrap();
    assert_eq!(
        st.overrides["AU-1-1"].justification,
        "窓口での本人確認を強化"
    );

    // Step 3: preview, then issue the docx.
    let preview = b.get("/systems/1/sbd/preview").await;
    assert!(preview.body.contains("令和8年"), "和暦 on the preview");
    let doc = b
        .post(
            "/systems/1/sbd/preview",
            "/systems/1/sbd/documents",
            &[("format", "docx"), ("lang", "ja")],
        )
        .await;
    assert_eq!(doc.location, "/documents/1");
    let file = b.get("/documents/1").await;
    assert_eq!(
        file.headers.get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(file.bytes.starts_with(b"PK"));
    let cd = file
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    assert_eq!(
        file.headers
            .get("x-content-sha256")
            .unwrap()
            .to_str()
            .unwrap(),
        auth::sha256_hex(&file.bytes)
    );

    // The audit trail shows it all and is intact.
    let audit = b.get("/audit").await;
    assert!(
        audit.body.contains("ハッシュチェーンは完全です"),
        "{}",
        audit.body
    );
    for action in [
        "user.create",
        "session.login_failed",
        "session.login",
        "system.create",
        "sbd.update",
        "document.generate",
    ] {
        assert!(
            audit.body.contains(&format!("<code>{action}</code>")),
            "{action}"
        );
    }
    let history = b.get("/systems/1/sbd/history").await;
    assert!(history.body.contains("窓口での本人確認を強化"));

    // English UI by toggle.
    let t = b.get("/lang/en?next=/systems").await;
    assert_eq!(t.location, "/systems");
    assert!(b.get("/systems").await.body.contains("Systems register"));

    let out = b.post("/", "/logout", &[]).await;
    assert_eq!(out.location, "/login?done=logged_out");
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);
}

fn concrete(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{item}", "LG-01")
        .replace("{eid}", id)
        .replace("{file}", "app.css")
        .replace("{lang}", "en")
        .replace("{number}", &corp::number(corp::A))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_checks_the_role() {
    let app = start().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let d = app.db.add_department("総務部", &actor()).await.unwrap();
    let sys = mamori_model::SystemInput {
        name: "財務会計".into(),
        department_id: d.to_string(),
        segment: "lgwan".into(),
        confidentiality: "2".into(),
        integrity: "2".into(),
        availability: "2".into(),
        external_access: None,
        user_base: "staff".into(),
        status: "operating".into(),
        overview: String::new(),
    }
    .validate()
    .unwrap();
    app.db.create_system(&sys, &actor()).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let mut checked = 0;
    for role in Role::ALL {
        let (uid, token) =
            user_with_session(&app, &hash, role.key().replace('_', "-").as_str(), *role).await;
        let api_token = format!("mamori_{}", role.key());
        app.db
            .create_api_token(uid, "t", &auth::sha256_hex(api_token.as_bytes()), &actor())
            .await
            .unwrap();
        let csrf = format!("{:0>64}", role.key().replace('_', "-"));
        for (method, path, access) in ROUTES {
            if *path == "/logout" {
                continue;
            }
            // Side-effect-free targets: changes go to a record that does not exist.
            let id = if method == Method::GET { "1" } else { "9999" };
            let url = format!("{}{}", app.base, concrete(path, id));
            let mut req = http.request(method.clone(), &url);
            if path.starts_with("/api/") {
                req = req.bearer_auth(&api_token);
                if method != Method::GET {
                    req = req.json(&serde_json::json!({}));
                }
            } else {
                req = req.header("cookie", format!("mamori_session={token}"));
                if method != Method::GET {
                    req = req.form(&[("csrf", csrf.as_str())]);
                }
            }
            let status = req.send().await.unwrap().status();
            let allowed = match access {
                Access::Public | Access::SignedIn => true,
                Access::Needs(p) => role.can(*p),
            };
            if allowed {
                assert_ne!(status, StatusCode::FORBIDDEN, "{role} {method} {path}");
                assert!(
                    !status.is_server_error(),
                    "{role} {method} {path}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} {method} {path}");
            }
            checked += 1;
        }
    }
    assert!(checked > 150);
    // Without credentials: pages send to the login, the API answers 401.
    for (method, path, access) in ROUTES {
        if *access == Access::Public {
            continue;
        }
        let url = format!("{}{}", app.base, concrete(path, "1"));
        let status = http
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap()
            .status();
        let expect = if path.starts_with("/api/") {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(status, expect, "anonymous {method} {path}");
    }
    // The auditor reads the audit trail; the viewer does not.
    assert!(Role::Auditor.can(Permission::ViewAudit) && !Role::Viewer.can(Permission::ViewAudit));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = start().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (_, token) = user_with_session(&app, &hash, "admin", Role::Admin).await;
    let http = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    for csrf in [None, Some("0".repeat(64)), Some(String::new())] {
        let mut form = vec![("name", "総務部".to_owned())];
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        let res = http
            .post(format!("{}/settings/departments", app.base))
            .header("cookie", format!("mamori_session={token}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(res.text().await.unwrap().contains("不正な送信"));
    }
    assert!(app.db.departments().await.unwrap().is_empty());
    // A login form posted without the pre-login cookie is refused as well.
    let res = http
        .post(format!("{}/login", app.base))
        .form(&[("csrf", "x"), ("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failed_logins_lock_the_account_for_a_while() {
    let app = start().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    user_with_session(&app, &hash, "sato", Role::Viewer).await;
    let mut b = Browser::new(&app);
    for _ in 0..auth::MAX_FAILURES {
        let r = b
            .post(
                "/login",
                "/login",
                &[("username", "sato"), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = b
        .post(
            "/login",
            "/login",
            &[("username", "sato"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("15分後"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_validates_with_field_errors_and_detects_stale_updates() {
    let app = start().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (uid, _) = user_with_session(&app, &hash, "assessor", Role::Assessor).await;
    app.db
        .create_api_token(uid, "ci", &auth::sha256_hex(b"mamori_tok"), &actor())
        .await
        .unwrap();
    let d = app.db.add_department("市民部", &actor()).await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let r = http.get(url("/api/v1/systems")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");

    let r = http
        .post(url("/api/v1/systems"))
        .bearer_auth("mamori_tok")
        .json(&serde_json::json!({"name": "", "department_id": d, "segment": "dmz"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<(String, String)> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(fields.contains(&("name".into(), "required".into())));
    assert!(fields.contains(&("segment".into(), "invalid_choice".into())));
    assert_eq!(app.db.counts().await.unwrap().systems, 0);

    let good = serde_json::json!({"name": "住民記録", "department_id": d, "segment": "mynumber",
        "confidentiality": "3", "integrity": "2", "availability": "2", "user_base": "staff",
        "status": "operating"});
    let r = http
        .post(url("/api/v1/systems"))
        .bearer_auth("mamori_tok")
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (created["id"].as_i64(), created["version"].as_i64()),
        (Some(1), Some(1))
    );

    let mut upd = good.clone();
    upd["status"] = "retired".into();
    upd["version"] = 1.into();
    let r = http
        .put(url("/api/v1/systems/1"))
        .bearer_auth("mamori_tok")
        .json(&upd)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http
        .put(url("/api/v1/systems/1"))
        .bearer_auth("mamori_tok")
        .json(&upd)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // SBD over the API: an override without a justification is a field error.
    let answers: serde_json::Value = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .map(|c| {
            (
                c.to_string(),
                serde_json::json!({"value": *c == "A", "reason": "理由"}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    let r = http
        .put(url("/api/v1/systems/1/sbd"))
        .bearer_auth("mamori_tok")
        .json(&serde_json::json!({"answers": answers, "overrides": {"AU-1-1": {"level": "omit"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["fields"][0]["field"],
        "overrides.AU-1-1.justification"
    );
    let r = http
        .put(url("/api/v1/systems/1/sbd"))
        .bearer_auth("mamori_tok")
        .json(&serde_json::json!({"answers": answers}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["complete"], true);
    assert_eq!(body["decisions"].as_array().unwrap().len(), 24);

    let r = http.get(url("/api/v1/openapi.json")).send().await.unwrap();
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(
        doc["paths"]["/api/v1/systems/{id}/sbd"].is_object(),
        "{doc}"
    );
    assert!(mamori_audit::verify(&app.db.audit_all().await.unwrap()).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_municipality_loads_with_working_sbd_profiles() {
    let app = start().await;
    let users = mamori_web::load_demo(&app.db, "2026-11-23T10:00:00+09:00")
        .await
        .unwrap();
    assert_eq!(users.len(), 4);
    let c = app.db.counts().await.unwrap();
    assert_eq!((c.systems, c.with_sbd), (8, 2));
    assert_eq!(c.by_segment.len(), 4);
    let cat = CatalogSet::builtin().unwrap();
    let sbd = cat.get(mamori_sbd::SBD_CATALOG).unwrap();
    for id in [6, 7] {
        let rec = app.db.system(id).await.unwrap().unwrap();
        let st = app.db.sbd_state(id).await.unwrap();
        let p = mamori_web::api::profile_for_tests(&rec, &st);
        assert!(mamori_sbd::decide(sbd, &p).is_ok(), "demo system {id}");
    }
    // A second load is refused.
    assert!(mamori_web::load_demo(&app.db, "t").await.is_err());
}

/// Someone with write access to the database file edits the audit log behind the application.
async fn tamper(app: &App, sql: &str) {
    use sqlx::Connection;
    let path = app._dir.path().join("mamori.sqlite");
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_finds_edits_incrementally_and_on_a_whole_chain_check() {
    let app = start().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (_, token) = user_with_session(&app, &hash, "kansa", Role::Auditor).await;
    let mut b = Browser::new(&app);
    b.cookies.insert(SESSION_COOKIE.into(), token);
    for i in 0..5 {
        app.db
            .add_department(&format!("部{i}"), &actor())
            .await
            .unwrap();
    }
    let page = b.get("/audit").await;
    assert!(
        page.body.contains("ハッシュチェーンは完全です（7 件）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("全件の検証: 2026-11-23T10:00:00+09:00"));

    // New entries are verified as they are shown.
    app.db.add_department("部5", &actor()).await.unwrap();
    assert!(b.get("/audit").await.body.contains("（8 件）"));

    // An edit of an older entry (triggers dropped first) is found by the whole-chain check,
    // which the page runs on request (and every 10 minutes).
    tamper(
        &app,
        "DROP TRIGGER audit_log_no_update; \
         UPDATE audit_log SET detail = 'name: 改ざん' WHERE seq = 3;",
    )
    .await;
    let full = b.get("/audit?verify=full").await;
    assert!(
        full.body.contains("ハッシュチェーンが壊れています"),
        "{}",
        full.body
    );
    assert!(full.body.contains("最初に検証できなかった位置 3"));
    // It stays reported on the following views.
    assert!(
        b.get("/audit")
            .await
            .body
            .contains("ハッシュチェーンが壊れています")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_notices_when_the_last_verified_entry_changes() {
    let app = start().await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let (_, token) = user_with_session(&app, &hash, "kansa", Role::Auditor).await;
    let mut b = Browser::new(&app);
    b.cookies.insert(SESSION_COOKIE.into(), token);
    app.db.add_department("部", &actor()).await.unwrap();
    assert!(b.get("/audit").await.body.contains("（3 件）"));
    // The last entry is removed: no whole check needed to see it.
    tamper(
        &app,
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;",
    )
    .await;
    let page = b.get("/audit").await;
    // The chain that is left verifies, but it is shorter than the one verified before.
    assert!(
        page.body.contains("ハッシュチェーンが壊れています"),
        "{}",
        page.body
    );
    assert!(page.body.contains("最初に検証できなかった位置 3"));
    assert!(page.body.contains("entries removed from the end"));
}
