//! Compliance assessments through the browser routes: results, evidence files (stored by hash,
//! re-hashed on download), validation, roles, the review/sign-off workflow and copy-forward.

use mamori_assess::{Outcome, State};
use mamori_store::evidence_store::sha256_hex;

use super::*;

/// A signed-in browser for a new user of `role`.
async fn signed_in(app: &App, hash: &str, name: &str, role: Role) -> Browser {
    let (_, token) = user_with_session(app, hash, name, role).await;
    let mut b = Browser::new(app);
    b.cookies.insert(SESSION_COOKIE.into(), token);
    b
}

impl Browser {
    /// Posts `multipart/form-data` (the CSRF token first, as the page's form sends it).
    async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Got {
        let boundary = "----mamori-test-boundary-7d1f";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", cookies.join("; "))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            // The server may answer early and close while a large body is still being sent.
            Err(e) => panic!("upload to {path} failed: {e}"),
        };
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
}

fn csrf_for(name: &str) -> String {
    format!("{:0>64}", name)
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {text}\n%%EOF\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_with_evidence_through_review_sign_off_and_a_new_version() {
    let app = start_with_upload_limit(Some(64 * 1024)).await;
    let hash = auth::hash_password(PASSWORD).unwrap();
    let mut assessor = signed_in(&app, &hash, "suzuki", Role::Assessor).await;
    let mut officer = signed_in(&app, &hash, "tanaka", Role::SecurityOfficer).await;
    let mut viewer = signed_in(&app, &hash, "ito", Role::Viewer).await;
    let mut auditor = signed_in(&app, &hash, "takahashi", Role::Auditor).await;

    // The list offers the assessable catalogs only; a bad form comes back with field errors.
    let list = assessor.get("/assessments").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("value=\"wlan-lgwan\""));
    assert!(list.body.contains("value=\"wlan-mynumber\""));
    assert!(!list.body.contains("value=\"sbd\""));
    assert!(!list.body.contains("value=\"ppc-safety\""));
    let bad = assessor
        .post(
            "/assessments",
            "/assessments",
            &[
                ("title", ""),
                ("catalog", "sbd"),
                ("target", "segment:lgwan"),
                ("date", "2026-13-01"),
                ("max_age", "365"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"title-error\""));
    assert!(bad.body.contains("id=\"catalog-error\""));
    assert!(bad.body.contains("id=\"date-error\""));
    assert!(app.db.assessments().await.unwrap().is_empty());

    let created = assessor
        .post(
            "/assessments",
            "/assessments",
            &[
                ("title", "LGWAN接続系 無線LAN 評価"),
                ("catalog", "wlan-lgwan"),
                ("target", "segment:lgwan"),
                ("date", "2026-11-20"),
                ("max_age", "365"),
                ("copy_from", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id: i64 = created
        .location
        .strip_prefix("/assessments/")
        .and_then(|r| r.strip_suffix("?done=created"))
        .unwrap()
        .parse()
        .unwrap();
    let page = assessor.get(&format!("/assessments/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("令和8年11月20日"), "和暦 date");
    assert!(page.body.contains("id=\"overall\""));
    assert!(page.body.contains("id=\"r-LG-01\""));
    assert!(page.body.contains("必須"));

    // A result through the form.
    let item = format!("/assessments/{id}/items/LG-01");
    let saved = assessor
        .post(
            &item,
            &format!("{item}/result"),
            &[("outcome", "compliant"), ("comment", "WPA3-Enterprise")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let a = app.db.assessment(id).await.unwrap().unwrap();
    assert_eq!(a.outcome("LG-01"), Outcome::Compliant);
    // The panel without JavaScript is a whole page; with htmx, only the panel.
    let plain = assessor.get(&item).await;
    assert!(plain.body.contains("<html") && plain.body.contains("WPA3-Enterprise"));
    let partial = assessor
        .http
        .get(format!("{}{item}", assessor.base))
        .header(
            "cookie",
            format!("{SESSION_COOKIE}={}", assessor.cookies[SESSION_COOKIE]),
        )
        .header("hx-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!partial.contains("<html") && partial.contains("panel-title"));

    // An evidence file: stored by hash, downloaded byte for byte with safe headers.
    let csrf = csrf_for("suzuki");
    let bytes = pdf("WLAN 設定確認書");
    let up = assessor
        .upload(
            &format!("{item}/upload"),
            &[
                ("csrf", &csrf),
                ("title", "AP設定の確認"),
                ("note", "2026年11月 点検"),
            ],
            ("無線LAN設定確認書.pdf", &bytes),
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let a = app.db.assessment(id).await.unwrap().unwrap();
    let ev = &a.result("LG-01").evidence[0];
    let file = ev.file.as_ref().unwrap();
    assert_eq!(file.sha256, sha256_hex(&bytes));
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.size, bytes.len() as u64);
    assert_eq!(ev.title, "AP設定の確認");
    let url = format!("/assessments/{id}/evidence/{}", ev.id);
    let got = auditor.get(&url).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.bytes, bytes);
    assert_eq!(sha256_hex(&got.bytes), file.sha256);
    let h = |k: &str| got.headers.get(k).unwrap().to_str().unwrap().to_owned();
    assert_eq!(h("content-type"), "application/pdf");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert!(h("content-security-policy").starts_with("sandbox"));
    let cd = h("content-disposition");
    assert!(cd.starts_with("attachment; filename=\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E7%84%A1%E7%B7%9A"),
        "RFC 5987 name: {cd}"
    );
    // The viewer neither downloads evidence nor records results.
    assert_eq!(viewer.get(&url).await.status, StatusCode::FORBIDDEN);
    let refused = viewer
        .post(
            &format!("/assessments/{id}"),
            &format!("/assessments/{id}/items/LG-02/result"),
            &[("outcome", "compliant"), ("comment", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let viewer_upload = viewer
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf_for("ito"))],
            ("x.pdf", &pdf("x")),
        )
        .await;
    assert_eq!(viewer_upload.status, StatusCode::FORBIDDEN);
    // The viewer sees the list but not the download link.
    let viewer_item = viewer.get(&item).await;
    assert_eq!(viewer_item.status, StatusCode::OK);
    assert!(!viewer_item.body.contains(&url));

    // Refused input changes nothing and says why.
    let before = app.db.assessment(id).await.unwrap().unwrap();
    let big = vec![b'a'; 64 * 1024 + 1];
    let too_large = assessor
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf)],
            ("big.txt", &big),
        )
        .await;
    assert_eq!(too_large.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_large.body.contains("大きすぎます（上限 64 KB）"),
        "{}",
        too_large.body
    );
    let far_too_large = vec![b'a'; 400 * 1024];
    let refused = assessor
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf)],
            ("big.txt", &far_too_large),
        )
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused.body.contains("大きすぎます"));
    let empty = assessor
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf)],
            ("empty.pdf", b""),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("ファイルが空です"));
    let wrong_type = assessor
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf)],
            ("report.pdf", b"MZ\x90\x00 not a pdf"),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_type.body.contains("受け付けられません"));
    let exe = assessor
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf)],
            ("tool.exe", b"MZ\x90\x00"),
        )
        .await;
    assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_csrf = assessor
        .upload(&format!("{item}/upload"), &[], ("a.pdf", &pdf("a")))
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let bad_outcome = assessor
        .post(
            &item,
            &format!("{item}/result"),
            &[("outcome", "maybe"), ("comment", "")],
        )
        .await;
    assert_eq!(bad_outcome.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_outcome.body.contains("id=\"outcome-error\""));
    let unjustified = assessor
        .post(
            &item,
            &format!("{item}/result"),
            &[("outcome", "not_applicable"), ("comment", "  ")],
        )
        .await;
    assert_eq!(unjustified.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unjustified.body.contains("理由をコメントに記入"));
    let unknown = assessor
        .post(
            &item,
            &format!("/assessments/{id}/items/XX-99/result"),
            &[("outcome", "compliant"), ("comment", "")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("要件はこのカタログにありません"));
    assert_eq!(
        assessor
            .get(&format!("/assessments/{id}/items/XX-99"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad_url = assessor
        .post(
            &item,
            &format!("{item}/evidence"),
            &[
                ("kind", "url"),
                ("title", ""),
                ("url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(bad_url.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_url.body.contains("id=\"ev_url-error\""));
    assert_eq!(app.db.assessment(id).await.unwrap().unwrap(), before);

    // A URL, a note, a remediation; a note removed again.
    for fields in [
        [
            ("kind", "url"),
            ("title", "設定手順書"),
            ("url", "https://portal.example.lg.jp/wlan"),
        ],
        [("kind", "note"), ("title", ""), ("note", "目視で確認した")],
    ] {
        let r = assessor
            .post(&item, &format!("{item}/evidence"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let rem = assessor
        .post(
            &item,
            &format!("{item}/remediation"),
            &[
                ("action", "証明書の失効確認を自動化"),
                ("owner", "情報政策課"),
                ("due", "2027-03-31"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(rem.status, StatusCode::SEE_OTHER, "{}", rem.body);
    let a = app.db.assessment(id).await.unwrap().unwrap();
    let r = a.result("LG-01");
    assert_eq!(r.evidence.len(), 3);
    assert_eq!(
        r.remediation.as_ref().unwrap().due.unwrap().to_string(),
        "2027-03-31"
    );
    let note_id = r.evidence[2].id;
    let removed = assessor
        .post(
            &item,
            &format!("/assessments/{id}/evidence/{note_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.db
            .assessment(id)
            .await
            .unwrap()
            .unwrap()
            .result("LG-01")
            .evidence
            .len(),
        2
    );

    // Tampering with the stored file: the download is refused (409) and audited.
    let sha = file.sha256.clone();
    let stored = app._dir.path().join("evidence").join(&sha[..2]).join(&sha);
    std::fs::write(&stored, pdf("改ざん後")).unwrap();
    let tampered = auditor.get(&url).await;
    assert_eq!(tampered.status, StatusCode::CONFLICT);
    assert!(tampered.body.contains("改変されています"));
    assert!(tampered.headers.get("content-disposition").is_none());
    std::fs::write(&stored, &bytes).unwrap();
    assert_eq!(auditor.get(&url).await.bytes, bytes);

    // Submitting with unassessed requirements is refused and says which.
    let submit = format!("/assessments/{id}/submit");
    let early = assessor
        .post(&format!("/assessments/{id}"), &submit, &[])
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(
        early.body.contains("未評価の要件が 12 件"),
        "{}",
        early.body
    );
    assert!(early.body.contains("LG-02"));
    assert_eq!(
        app.db.assessment(id).await.unwrap().unwrap().state,
        State::Draft
    );
    let cat = CatalogSet::builtin().unwrap();
    for i in &cat.get("wlan-lgwan").unwrap().items {
        if i.id != "LG-01" {
            app.db
                .set_result(id, &i.id, Outcome::Compliant, "確認済み", &actor())
                .await
                .unwrap();
        }
    }
    let page = assessor.get(&format!("/assessments/{id}")).await;
    assert!(page.body.contains("overall-compliant"));
    // The assessor submits but cannot sign off; the security officer can.
    let ok = assessor
        .post(&format!("/assessments/{id}"), &submit, &[])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let in_review = assessor
        .post(
            &item,
            &format!("{item}/result"),
            &[("outcome", "partial"), ("comment", "")],
        )
        .await;
    assert_eq!(in_review.status, StatusCode::CONFLICT);
    assert!(in_review.body.contains("レビュー中"));
    let sign = format!("/assessments/{id}/signoff");
    assert_eq!(
        assessor
            .post(&format!("/assessments/{id}"), &sign, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let signed = officer
        .post(
            &format!("/assessments/{id}"),
            &sign,
            &[("note", "確認した")],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let a = app.db.assessment(id).await.unwrap().unwrap();
    assert_eq!(a.state, State::SignedOff);
    assert_eq!(a.signed_by.as_deref(), Some("tanaka"));
    let page = officer.get(&format!("/assessments/{id}")).await;
    assert!(page.body.contains("承認者: tanaka"));
    assert!(page.body.contains("id=\"locked-note\""));
    assert!(!page.body.contains("/submit\""));

    // Signed off: every change is refused and nothing changes.
    let locked = assessor
        .post(
            &item,
            &format!("{item}/result"),
            &[("outcome", "non_compliant"), ("comment", "")],
        )
        .await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    assert!(locked.body.contains("承認済み"));
    let locked_upload = assessor
        .upload(
            &format!("{item}/upload"),
            &[("csrf", &csrf)],
            ("b.pdf", &pdf("b")),
        )
        .await;
    assert_eq!(locked_upload.status, StatusCode::CONFLICT);
    let back = officer
        .post(
            &format!("/assessments/{id}"),
            &format!("/assessments/{id}/return"),
            &[],
        )
        .await;
    assert_eq!(back.status, StatusCode::CONFLICT);
    assert_eq!(app.db.assessment(id).await.unwrap().unwrap(), a);

    // A new version carries results and evidence references forward.
    let copied = assessor
        .post(
            &format!("/assessments/{id}"),
            &format!("/assessments/{id}/copy"),
            &[],
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER);
    let v2: i64 = copied
        .location
        .strip_prefix("/assessments/")
        .and_then(|r| r.strip_suffix("?done=copied"))
        .unwrap()
        .parse()
        .unwrap();
    let b = app.db.assessment(v2).await.unwrap().unwrap();
    assert_eq!(
        (b.version_no, b.previous, b.state),
        (2, Some(id), State::Draft)
    );
    assert_eq!(b.results.len(), a.results.len());
    let carried = &b.result("LG-01").evidence;
    assert_eq!(carried.len(), 2);
    assert_eq!(carried[0].file.as_ref().unwrap().sha256, sha);
    assert_ne!(carried[0].id, a.result("LG-01").evidence[0].id);
    let got = auditor
        .get(&format!("/assessments/{v2}/evidence/{}", carried[0].id))
        .await;
    assert_eq!(got.bytes, bytes);
    // Evidence of one assessment is not reachable under another's address.
    assert_eq!(
        auditor
            .get(&format!("/assessments/{v2}/evidence/{}", ev.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = viewer.get("/assessments").await;
    assert!(list.body.contains("承認済み") && list.body.contains("作成中"));
    assert!(
        !list.body.contains("action=\"/assessments\""),
        "no create form for viewers"
    );

    // Every change is in the audit trail, whose chain is intact.
    let entries = app.db.audit_all().await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for want in [
        "assessment.create",
        "assessment.result",
        "assessment.evidence.add",
        "assessment.evidence.remove",
        "assessment.remediation",
        "assessment.state",
        "evidence.tampered",
    ] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    let tamper_entry = entries
        .iter()
        .find(|e| e.action == "evidence.tampered")
        .unwrap();
    assert_eq!(tamper_entry.actor, "takahashi");
    assert_eq!(tamper_entry.object, format!("assessment/{id}/LG-01"));
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "assessment.state")
            .count(),
        2
    );
    assert!(mamori_audit::verify(&entries).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_assessment_shows_the_safety_measure_map_and_its_reports() {
    let app = start().await;
    mamori_web::load_demo(&app.db, "2026-11-23T10:00:00+09:00")
        .await
        .unwrap();
    let all = app.db.assessments().await.unwrap();
    assert_eq!(all.len(), 1);
    let a = app.db.assessment(all[0].id).await.unwrap().unwrap();
    assert_eq!(a.catalog, mamori_web::DEMO_CATALOG);
    let cat = CatalogSet::builtin().unwrap();
    let c = cat.get(mamori_web::DEMO_CATALOG).unwrap();
    for id in a.results.keys() {
        assert!(c.item(id).is_some(), "demo result for unknown {id}");
    }
    let kinds: Vec<_> = a
        .results
        .values()
        .flat_map(|r| r.evidence.iter().map(|e| e.kind.key()))
        .collect();
    assert!(kinds.contains(&"note") && kinds.contains(&"url"));
    assert_eq!(
        a.results
            .values()
            .filter(|r| r.remediation.is_some())
            .count(),
        1
    );
    let ev = mamori_assess::evaluate(c, &a);
    for o in [
        Outcome::Compliant,
        Outcome::Partial,
        Outcome::NonCompliant,
        Outcome::NotApplicable,
        Outcome::NotAssessed,
    ] {
        assert!(ev.tally.count(o) > 0, "demo has {o:?}");
    }

    let hash = auth::hash_password(PASSWORD).unwrap();
    let mut b = signed_in(&app, &hash, "kanri", Role::Admin).await;
    let page = b.get(&format!("/assessments/{}", a.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"), "the map is inline");
    // Its inline style is allowed by hash, not by 'unsafe-inline'.
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'self' 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert!(page.body.contains("#m10"), "measures link to their anchors");
    assert!(page.body.contains("id=\"m10\""));
    assert!(page.body.contains("overall-not_compliant"));
    assert!(
        page.body
            .contains(&format!("id=\"blocking\">{}<", ev.blocking))
    );
    let list = b.get("/assessments").await;
    assert!(list.body.contains("令和8年11月23日"));
    assert!(list.body.contains(&format!(
        "{} / 26",
        26 - ev.tally.count(Outcome::NotAssessed)
    )));

    for (ext, magic) in [
        ("xlsx", &b"PK"[..]),
        ("docx", &b"PK"[..]),
        ("html", &b"<!"[..]),
    ] {
        let r = b.get(&format!("/assessments/{}/report.{ext}", a.id)).await;
        assert_eq!(r.status, StatusCode::OK, "{ext}: {}", r.body);
        assert!(
            r.bytes
                .to_ascii_uppercase()
                .starts_with(&magic.to_ascii_uppercase()),
            "{ext}"
        );
        let cd = r
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(cd.contains(&format!(".{ext}")), "{cd}");
    }
    let entries = app.db.audit_all().await.unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "assessment.report")
            .count(),
        3
    );
}
