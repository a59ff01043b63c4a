//! End-to-end: a real headless Chromium (Debian's `chromium` + `chromium-driver`, installed by
//! `.ci/run`) drives the application from the first administrator's setup to an issued Word
//! document and the audit trail that records it. Screenshots of the key pages are kept in
//! `$MAMORI_E2E_ARTIFACTS` (default: `<target>/tmp/e2e-screenshots`).
//!
//! Outside CI a machine without Chromium skips with a notice; under `CI` their absence fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod webdriver;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mamori_catalog::CatalogSet;
use mamori_store::app::AppDb;
use mamori_web::{AppState, router};
use webdriver::{Driver, Session};

fn artefacts() -> PathBuf {
    let dir = std::env::var_os("MAMORI_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start_app(dir: &Path) -> (String, AppDb) {
    let db = AppDb::open(&dir.join("mamori.sqlite")).await.unwrap();
    let t: jiff::Timestamp = "2026-11-23T01:00:00Z".parse().unwrap();
    let evidence =
        mamori_store::evidence_store::EvidenceStore::open(&dir.join("evidence")).unwrap();
    let state = AppState::new(
        db.clone(),
        CatalogSet::builtin().unwrap(),
        Arc::new(move || t),
        evidence,
    );
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
    (format!("http://{addr}"), db)
}

/// Waits for a finished download (no `.crdownload` partial) and returns its path.
async fn downloaded(dir: &Path, ext: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = std::fs::read_dir(dir).unwrap().flatten().find(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case(ext))
        });
        if let Some(e) = done {
            return e.path();
        }
        assert!(Instant::now() < deadline, "no .{ext} download in {dir:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_login_system_sbd_override_docx_and_audit_trail_in_chromium() {
    let Some((driver_bin, browser)) = webdriver::tools() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium and chromium-driver are required in CI: .ci/run installs them"
        );
        eprintln!("note: chromium/chromedriver not installed; skipping the browser test");
        return;
    };
    let shots = artefacts();
    let work = tempfile::tempdir().unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let (base, db) = start_app(work.path()).await;
    let token = mamori_web::issue_setup_token(&db)
        .await
        .unwrap()
        .expect("no administrator yet");

    let driver = Driver::start(&driver_bin).await;
    let b = Session::new(&driver, &browser, &downloads).await;
    let shot = |name: &str| shots.join(format!("{name}.png"));

    // 1. First-administrator setup, with a mistake first: the error is inline, in Japanese.
    b.goto(&format!("{base}/setup?token={token}")).await;
    b.screenshot(&shot("01-setup")).await;
    b.fill("#username", "kanri").await;
    b.fill("#display_name", "情報政策課 管理者").await;
    b.fill("#password", "correct horse battery").await;
    b.fill("#password_confirm", "something else").await;
    b.click("button[type=submit]").await;
    assert!(
        b.text("#password_confirm-error").await.contains("一致"),
        "the confirmation mismatch is explained in Japanese"
    );
    let confirm = b.find("#password_confirm").await;
    assert_eq!(
        b.attribute(&confirm, "aria-invalid").await.as_deref(),
        Some("true")
    );
    b.fill("#password", "correct horse battery").await;
    b.fill("#password_confirm", "correct horse battery").await;
    b.click("button[type=submit]").await;
    b.wait_for_url("/login?done=setup_complete").await;

    // 2. Log in. The user name field has the focus, Tab moves to the password.
    assert_eq!(b.focused_id().await, "username");
    b.tab().await;
    assert_eq!(b.focused_id().await, "password");
    b.screenshot(&shot("02-login")).await;
    b.fill("#username", "kanri").await;
    b.fill("#password", "correct horse battery").await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_text("h1", "ダッシュボード").await;
    assert_eq!(b.current_url().await, format!("{base}/"));
    b.screenshot(&shot("03-dashboard")).await;

    // 3. A department, then a system: the empty form comes back with inline errors first.
    b.goto(&format!("{base}/settings")).await;
    b.fill("#department", "総務部").await;
    b.click("form[action='/settings/departments'] button").await;
    b.wait_for_url("/settings?done=department_added").await;
    b.goto(&format!("{base}/systems/new")).await;
    b.click("form[action='/systems'] button[type=submit]").await;
    assert_eq!(b.text("#name-error").await, "入力してください。");
    b.screenshot(&shot("04-system-form-errors")).await;
    b.fill("#name", "住民情報システム").await;
    b.click("#department_id option:nth-child(2)").await;
    b.click("input[name=segment][value=lgwan]").await;
    b.fill("#overview", "住民記録と証明書交付を扱う。").await;
    b.click("form[action='/systems'] button[type=submit]").await;
    let url = b.wait_for_url("?done=created").await;
    let id: i64 = url
        .strip_prefix(&format!("{base}/systems/"))
        .and_then(|r| r.strip_suffix("?done=created"))
        .unwrap_or_else(|| panic!("created system page, got {url}"))
        .parse()
        .unwrap();
    assert_eq!(b.text("h1").await, "住民情報システム");
    b.screenshot(&shot("05-system")).await;

    // The register filters as one types (htmx under the strict CSP), and the address follows.
    b.goto(&format!("{base}/systems")).await;
    b.fill("#q", "該当なしの名前").await;
    b.wait_for_text("#results", "該当する情報システムはありません。")
        .await;
    b.wait_for_url("/systems?q=%E8%A9%B2%E5%BD%93%E3%81%AA%E3%81%97%E3%81%AE%E5%90%8D%E5%89%8D&")
        .await;
    b.fill("#q", "住民").await;
    b.wait_for_text("#results table", "住民情報システム").await;
    b.screenshot(&shot("05b-systems-filtered")).await;

    // 4. The SBD wizard: six conditions with reasons.
    b.goto(&format!("{base}/systems/{id}/sbd")).await;
    for (q, yes) in [
        ("A", true),
        ("B", true),
        ("C", false),
        ("D", true),
        ("E", false),
        ("F", false),
    ] {
        let v = if yes { "yes" } else { "no" };
        b.click(&format!("input[name=answer_{q}][value={v}]")).await;
        b.fill(&format!("#reason_{q}"), &format!("条件{q}の確認結果"))
            .await;
    }
    b.screenshot(&shot("06-sbd-questions")).await;
    b.click("form[action$='/sbd'] button[type=submit]").await;
    b.wait_for_url(&format!("/systems/{id}/sbd/levels?done=answers_saved"))
        .await;
    b.screenshot(&shot("07-sbd-levels")).await;

    // 5. Override one level: refused without a justification, accepted with one.
    let recommended = b
        .text("#level_AT-1-1 option:checked")
        .await
        .trim_end_matches(" ★")
        .to_owned();
    let others = b.find_all("#level_AT-1-1 option:not(:checked)").await;
    let other = others.last().expect("another level to choose").clone();
    let chosen = b.element_text(&other).await;
    b.click_element(&other).await;
    b.click("form[action$='/sbd/levels'] button[type=submit]")
        .await;
    assert!(
        b.text(".error-summary")
            .await
            .starts_with("入力内容に誤りがあります"),
        "an error summary"
    );
    let errors = b.find_all("td .error").await;
    assert_eq!(errors.len(), 1, "one inline error, on AT-1-1");
    assert!(b.element_text(&errors[0]).await.contains("理由"));
    b.screenshot(&shot("08-sbd-override-refused")).await;
    b.fill(
        "#justification_AT-1-1",
        "庁内認証基盤の更改に合わせて水準を見直すため",
    )
    .await;
    b.click("form[action$='/sbd/levels'] button[type=submit]")
        .await;
    b.wait_for_url(&format!("/systems/{id}/sbd/preview?done=levels_saved"))
        .await;
    let preview = b.text("article.spec").await;
    assert!(preview.contains("庁内認証基盤の更改に合わせて水準を見直すため"));
    assert!(
        preview.contains("令和8年11月23日"),
        "和暦 date on the preview"
    );
    assert!(
        preview.contains(&chosen),
        "the chosen level {chosen} is shown"
    );
    assert_ne!(chosen, recommended);
    b.screenshot(&shot("09-sbd-preview")).await;

    // 6. Issue and download the Word document.
    b.click("#format option[value=docx]").await;
    b.click("#download").await;
    let docx = downloaded(&downloads, "docx").await;
    let name = docx.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("_SBD_20261123_ja.docx"), "{name}");
    let bytes = std::fs::read(&docx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("a Word document body")
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("住民情報システム"));
    assert!(xml.contains("庁内認証基盤の更改に合わせて水準を見直すため"));
    // The stored copy is the downloaded one, byte for byte.
    let sha = mamori_web::auth::sha256_hex(&bytes);
    let docs = db.documents(id).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].sha256, sha);

    // 7. The audit trail shows every step and an intact chain.
    b.goto(&format!("{base}/audit")).await;
    assert!(
        b.text("#chain-status")
            .await
            .starts_with("ハッシュチェーンは完全です")
    );
    let table = b.text("table.list").await;
    for action in [
        "user.create",
        "session.login",
        "department.create",
        "system.create",
        "sbd.update",
        "document.generate",
    ] {
        assert!(table.contains(action), "{action} in the audit trail");
    }
    assert!(table.contains("kanri"));
    b.screenshot(&shot("10-audit")).await;

    // 8. The English toggle keeps the page and translates it.
    b.click("a[hreflang=en]").await;
    // The address is /audit before and after: wait for the English page itself.
    b.wait_for_text("h1", "Audit trail").await;
    b.wait_for_url("/audit").await;
    assert!(
        b.text("#chain-status")
            .await
            .starts_with("The hash chain is intact")
    );
    b.screenshot(&shot("11-audit-en")).await;

    // 9. The demo assessment of the マイナンバー利用事務系 wireless LAN: header, the safety-measure
    // map (inline SVG) and a requirement's panel loaded by htmx.
    let aid = mamori_web::load_demo_assessment(&db, "2026-11-23T10:00:00+09:00")
        .await
        .unwrap();
    b.goto(&format!("{base}/lang/ja?next=/assessments/{aid}"))
        .await;
    b.wait_for_text("h1", "マイナンバー利用事務系 無線LAN")
        .await;
    assert!(b.text("#overall").await.contains("不適合"));
    let map = b.find_all("#safety-map svg").await;
    assert_eq!(map.len(), 1, "the safety-measure map is on the page");
    assert!(
        !b.find_all("#safety-map svg a").await.is_empty(),
        "measures link to their lists"
    );
    b.screenshot(&shot("12-assessment-map")).await;
    b.click("#r-MN-21 td a").await;
    b.wait_for_text("#panel", "のぞき見防止").await;
    assert_eq!(
        b.current_url().await,
        format!("{base}/assessments/{aid}"),
        "htmx, no navigation"
    );
    b.screenshot(&shot("13-assessment-panel")).await;

    b.quit().await;
    drop(driver);
    for f in std::fs::read_dir(&shots).unwrap().flatten() {
        assert!(std::fs::metadata(f.path()).unwrap().len() > 1000);
    }
    eprintln!("screenshots: {}", shots.display());
}
