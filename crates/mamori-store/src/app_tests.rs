use super::*;
use mamori_model::SystemInput;

fn actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        time: "2026-11-23T10:00:00+09:00".into(),
    }
}

fn system(name: &str, dept: i64, segment: &str) -> ValidSystem {
    SystemInput {
        name: name.into(),
        department_id: dept.to_string(),
        segment: segment.into(),
        confidentiality: "2".into(),
        integrity: "2".into(),
        availability: "1".into(),
        external_access: None,
        user_base: "staff".into(),
        status: "operating".into(),
        overview: String::new(),
    }
    .validate()
    .unwrap()
}

async fn db() -> (tempfile::TempDir, AppDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = AppDb::open(&dir.path().join("mamori.sqlite"))
        .await
        .unwrap();
    (dir, db)
}

#[tokio::test(flavor = "current_thread")]
async fn systems_are_created_listed_and_updated_with_audit() {
    let (_d, db) = db().await;
    let a = actor("sato");
    let soumu = db.add_department("総務部", &a).await.unwrap();
    let shimin = db.add_department("市民部", &a).await.unwrap();
    assert!(matches!(
        db.add_department("総務部", &a).await,
        Err(StoreError::Conflict(f)) if f == "name"
    ));
    let id = db
        .create_system(&system("住民記録システム", shimin, "mynumber"), &a)
        .await
        .unwrap();
    db.create_system(&system("文書管理システム", soumu, "lgwan"), &a)
        .await
        .unwrap();
    db.create_system(&system("ホームページCMS_100%", soumu, "internet"), &a)
        .await
        .unwrap();
    // An unknown department is refused and nothing is stored.
    assert!(matches!(
        db.create_system(&system("x", 999, "lgwan"), &a).await,
        Err(StoreError::Invalid(f)) if f == "department_id"
    ));
    let all = db.list_systems(&SystemQuery::default()).await.unwrap();
    assert_eq!(all.total, 3);
    let names: Vec<_> = all.items.iter().map(|s| s.system.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ホームページCMS_100%",
            "住民記録システム",
            "文書管理システム"
        ]
    );

    let q = |text: &str| SystemQuery {
        text: text.into(),
        ..SystemQuery::default()
    };
    assert_eq!(db.list_systems(&q("システム 住民")).await.unwrap().total, 1);
    // LIKE wildcards in the search are literal.
    assert_eq!(db.list_systems(&q("_100%")).await.unwrap().total, 1);
    assert_eq!(db.list_systems(&q("%")).await.unwrap().total, 1);
    assert_eq!(db.list_systems(&q("0_1")).await.unwrap().total, 0);
    // ASCII letters match either case; a wildcard next to them is still literal.
    assert_eq!(db.list_systems(&q("cms_100")).await.unwrap().total, 1);
    assert_eq!(db.list_systems(&q("cms%1")).await.unwrap().total, 0);
    let lgwan = SystemQuery {
        segment: Some(Segment::Lgwan),
        ..SystemQuery::default()
    };
    assert_eq!(db.list_systems(&lgwan).await.unwrap().total, 1);
    let paged = SystemQuery {
        sort: SystemSort::Department,
        descending: true,
        page: 2,
        per_page: 2,
        ..SystemQuery::default()
    };
    let p = db.list_systems(&paged).await.unwrap();
    assert_eq!((p.items.len(), p.pages()), (1, 2));
    // Department name descending (総 U+7DCF > 市 U+5E02), then id descending: page 2 is 市民部's.
    assert_eq!(p.items[0].system.name, "住民記録システム");
    // The same order and paging with a text search (the search path keeps its hits).
    let searched = db
        .list_systems(&SystemQuery {
            text: "システム".into(),
            per_page: 1,
            ..paged.clone()
        })
        .await
        .unwrap();
    assert_eq!(searched.total, 2);
    assert_eq!(searched.items[0].system.name, "住民記録システム");
    // Past the last page: no rows, the total still known.
    let past = db
        .list_systems(&SystemQuery {
            page: 9,
            ..paged.clone()
        })
        .await
        .unwrap();
    assert_eq!((past.items.len(), past.total), (0, 3));
    // A list row is the same record as the detail (quotes, newlines and all).
    let mut odd = system("引用\"符\" と\\記号", soumu, "other");
    odd.overview = "1行目\n2行目\t\u{1}".into();
    let odd_id = db.create_system(&odd, &a).await.unwrap();
    let listed = db
        .list_systems(&SystemQuery {
            segment: Some(Segment::Other),
            ..SystemQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.items,
        vec![db.system(odd_id).await.unwrap().unwrap()]
    );
    // The register page gets the departments for its filters in the same statement.
    let (_, names) = db
        .systems_page(&SystemQuery::default(), true)
        .await
        .unwrap();
    assert_eq!(names, db.department_names().await.unwrap());
    assert_eq!(names.len(), 2);

    let rec = db.system(id).await.unwrap().unwrap();
    assert_eq!(rec.department_name, "市民部");
    let mut changed = rec.system.clone();
    changed.status = SystemStatus::Retired;
    db.update_system(id, rec.version, &changed, &a)
        .await
        .unwrap();
    // A second edit based on the old version is refused.
    assert!(matches!(
        db.update_system(id, rec.version, &changed, &a).await,
        Err(StoreError::Conflict(f)) if f == "version"
    ));
    let after = db.system(id).await.unwrap().unwrap();
    assert_eq!(
        (after.version, after.system.status),
        (2, SystemStatus::Retired)
    );

    let log = db.audit_all().await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "department.create",
            "department.create",
            "system.create",
            "system.create",
            "system.create",
            "system.create",
            "system.update"
        ]
    );
    assert_eq!(log[6].detail, "status: operating → retired");
    assert_eq!(mamori_audit::verify(&log), Ok(7));
}

#[tokio::test(flavor = "current_thread")]
async fn sbd_changes_are_kept_with_history() {
    let (_d, db) = db().await;
    let a = actor("sato");
    let d = db.add_department("情報政策課", &a).await.unwrap();
    let id = db
        .create_system(&system("電子申請", d, "internet"), &a)
        .await
        .unwrap();
    let ans = |c: &str, v: bool| SbdAnswer {
        condition_id: c.into(),
        value: v,
        reason: format!("{c} reason"),
    };
    let n = db
        .save_sbd(id, &[ans("A", true), ans("B", false)], &[], &a)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let o = SbdOverride {
        requirement_id: "AU-1".into(),
        level: "high".into(),
        justification: "窓口端末を含むため".into(),
    };
    // Unchanged answers are not history; a changed one and the override are.
    let n = db
        .save_sbd(
            id,
            &[ans("A", true), ans("B", true)],
            std::slice::from_ref(&o),
            &actor("suzuki"),
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    let st = db.sbd_state(id).await.unwrap();
    assert!(st.answers["B"].value);
    assert_eq!(st.overrides["AU-1"], o);
    // Dropping the override goes back to the recommendation.
    db.save_sbd(id, &[], &[], &a).await.unwrap();
    assert!(db.sbd_state(id).await.unwrap().overrides.is_empty());
    let h = db.sbd_history(id).await.unwrap();
    let items: Vec<_> = h
        .iter()
        .map(|e| format!("{} {} {}→{}", e.actor, e.item, e.before, e.after))
        .collect();
    assert_eq!(
        items,
        [
            "sato AU-1 high→recommended",
            "suzuki AU-1 →high",
            "suzuki B no→yes",
            "sato B →no",
            "sato A →yes",
        ]
    );
    assert!(matches!(
        db.save_sbd(999, &[], &[], &a).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test(flavor = "current_thread")]
async fn the_audit_table_is_append_only_and_breaks_are_found() {
    let (_d, db) = db().await;
    let a = actor("sato");
    for i in 0..3 {
        db.record(&a, "test.event", &format!("thing/{i}"), "")
            .await
            .unwrap();
    }
    let upd = sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 2")
        .execute(&db.pool)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&db.pool)
        .await;
    assert!(del.is_err());
    // Someone with raw database access drops the trigger and edits an entry: verify finds it.
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .execute(&db.pool)
        .await
        .unwrap();
    let b = mamori_audit::verify(&db.audit_all().await.unwrap()).unwrap_err();
    assert_eq!(b.position, 2);
}

#[tokio::test(flavor = "current_thread")]
async fn users_sessions_and_backup() {
    let (dir, db) = db().await;
    let a = actor("setup");
    let u = NewUser {
        username: "admin".into(),
        display_name: "管理者".into(),
        role: Role::Admin,
        department_id: None,
        password_hash: "$argon2id$stub".into(),
        must_change_password: false,
    };
    db.set_setting("setup_token", Some("h")).await.unwrap();
    let id = db.create_first_admin(&u, &a).await.unwrap();
    assert_eq!(db.setting("setup_token").await.unwrap(), None);
    assert!(matches!(
        db.create_first_admin(&u, &a).await,
        Err(StoreError::Conflict(_))
    ));
    db.create_session("tok", id, "csrf", 2000, &actor("admin"))
        .await
        .unwrap();
    assert_eq!(db.session("tok", 1000).await.unwrap().unwrap().1, "csrf");
    assert!(db.session("tok", 3000).await.unwrap().is_none(), "expired");
    db.set_user_disabled(id, true, &a).await.unwrap();
    assert!(
        db.session("tok", 1000).await.unwrap().is_none(),
        "disabled user"
    );

    let copy = dir.path().join("backup.sqlite");
    db.backup(&copy).await.unwrap();
    assert!(matches!(
        db.backup(&copy).await,
        Err(StoreError::Conflict(_))
    ));
    let restored = AppDb::open(&copy).await.unwrap();
    assert_eq!(restored.users().await.unwrap().len(), 1);
    assert_eq!(
        mamori_audit::verify(&restored.audit_all().await.unwrap()),
        Ok(3)
    );
}
