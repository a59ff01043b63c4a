//! The built-in WLAN catalogs (wlan-lgwan, wlan-mynumber) and the PPC measures they cite
//! (ppc-safety), checked against seed `shared/seeds/000_6e31c1603668605e.txt`.

use std::collections::{BTreeMap, BTreeSet};

use mamori_catalog::{Catalog, CatalogSet, Lang, Obligation};

fn set() -> CatalogSet {
    CatalogSet::builtin().unwrap_or_else(|e| panic!("{e}"))
}

/// Rows of a catalog: distinct (group path names, `source.item`), with the row's 区分.
/// Panics if the parts of one split row disagree on 区分.
fn rows(c: &Catalog) -> BTreeMap<(String, String), Obligation> {
    let mut rows = BTreeMap::new();
    for item in &c.items {
        let path: Vec<&str> = c
            .group_path(item)
            .iter()
            .map(|g| g.name.ja.as_str())
            .collect();
        let ob = item
            .obligation
            .unwrap_or_else(|| panic!("{} has no obligation", item.id));
        if let Some(prev) = rows.insert((path.join(" / "), item.source.item.clone()), ob) {
            assert_eq!(
                prev, ob,
                "{}: parts of one row with different 区分",
                item.id
            );
        }
    }
    rows
}

/// Rows per (分類, 区分 in Japanese).
fn row_counts(c: &Catalog) -> Vec<(String, &'static str, usize)> {
    let mut counts: Vec<(String, &'static str, usize)> = Vec::new();
    // Keep catalog (= seed) order of first appearance.
    let rows = rows(c);
    for item in &c.items {
        let path: Vec<&str> = c
            .group_path(item)
            .iter()
            .map(|g| g.name.ja.as_str())
            .collect();
        let path = path.join(" / ");
        let Some(ob) = item.obligation else { continue };
        let key = (path.clone(), ob.name(Lang::Ja));
        if !counts
            .iter()
            .any(|(p, o, _)| (p.as_str(), *o) == (key.0.as_str(), key.1))
        {
            let n = rows
                .iter()
                .filter(|((p, _), o)| *p == path && **o == ob)
                .count();
            counts.push((key.0, key.1, n));
        }
    }
    counts
}

fn owned(expect: &[(&str, &'static str, usize)]) -> Vec<(String, &'static str, usize)> {
    expect
        .iter()
        .map(|(p, o, n)| (p.to_string(), *o, *n))
        .collect()
}

/// Seed lines 68–116, 「LGWAN接続系における無線LAN利用の要件（図表）」: 8 rows under 7 分類.
#[test]
fn wlan_lgwan_has_every_row_of_the_seed_table() {
    let set = set();
    let c = set.get("wlan-lgwan").unwrap();
    assert_eq!(
        row_counts(c),
        owned(&[
            ("無線セキュリティ規格", "必須", 1),
            ("認証方式", "必須", 1),
            ("正規利用者の管理", "推奨", 1),
            ("正規利用者の管理", "必要に応じて検討", 1),
            ("アクセスポイントの管理", "必須", 1),
            ("端末の設定", "必須", 1),
            ("脆弱性の管理", "必須", 1),
            ("電波調整・設定", "推奨", 1),
        ])
    );
    assert_eq!(rows(c).len(), 8);
    assert_eq!(c.items.len(), 13);
    let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
    let expect: Vec<String> = (1..=13).map(|n| format!("LG-{n:02}")).collect();
    assert_eq!(ids, expect);
    let groups: Vec<&str> = c.groups.iter().map(|g| g.name.ja.as_str()).collect();
    assert_eq!(
        groups,
        [
            "無線セキュリティ規格",
            "認証方式",
            "正規利用者の管理",
            "アクセスポイントの管理",
            "端末の設定",
            "脆弱性の管理",
            "電波調整・設定"
        ]
    );
    assert!(c.levels.is_empty() && c.measures.is_empty());
    for item in &c.items {
        assert!(item.requirement.is_some(), "{}", item.id);
        assert!(
            item.twins.is_empty() && item.implements.is_empty(),
            "{}",
            item.id
        );
    }
}

/// Seed lines 175–268, table ① (技術的対策): 9 rows; lines 270–364, table ② (組織的対策,
/// 物理的対策): 6 rows.
#[test]
fn wlan_mynumber_has_every_row_of_the_seed_tables() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    assert_eq!(
        row_counts(c),
        owned(&[
            // Table ①
            ("技術的対策 / 無線セキュリティ規格", "必須", 1),
            ("技術的対策 / 認証方式", "必須", 1),
            (
                "技術的対策 / 正規利用者の管理・不正アクセスの防止",
                "必須",
                2
            ),
            (
                "技術的対策 / 正規利用者の管理・不正アクセスの防止",
                "必要に応じて検討",
                1
            ),
            ("技術的対策 / アクセスポイントの管理", "必須", 1),
            ("技術的対策 / 端末の設定", "必須", 1),
            ("技術的対策 / 脆弱性の管理", "必須", 1),
            ("技術的対策 / 電波調整・設定", "推奨", 1),
            // Table ②
            (
                "組織的対策 / 正規利用者の管理・不正アクセスの防止",
                "必須",
                2
            ),
            ("物理的対策 / 事務取扱端末の保護", "必須", 1),
            ("物理的対策 / 事務取扱担当者と他部門の分離", "必須", 1),
            ("物理的対策 / 機器の物理的な保護", "必須", 1),
            ("物理的対策 / 特権管理者・保守端末の管理", "必須", 1),
        ])
    );
    let r = rows(c);
    assert_eq!(r.len(), 15);
    let table1 = c
        .items
        .iter()
        .filter(|i| i.source.table.ends_with("（図表）①"))
        .map(|i| (i.group.clone(), i.source.item.clone()))
        .collect::<BTreeSet<_>>();
    assert_eq!(table1.len(), 9);
    assert_eq!(c.items.len(), 26);
    let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
    let expect: Vec<String> = (1..=26).map(|n| format!("MN-{n:02}")).collect();
    assert_eq!(ids, expect);
    let tops: Vec<(&str, &str)> = c
        .groups
        .iter()
        .filter(|g| g.parent.is_none())
        .map(|g| (g.id.as_str(), g.name.ja.as_str()))
        .collect();
    assert_eq!(
        tops,
        [
            ("tech", "技術的対策"),
            ("org", "組織的対策"),
            ("phys", "物理的対策")
        ]
    );
    for item in &c.items {
        assert!(item.requirement.is_some(), "{}", item.id);
        assert!(item.remarks.is_some(), "{} has no 備考", item.id);
    }
}

/// (ID, group, obligation key, implements, twins, measures).
type Link = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [u8],
);

/// The whole reading of the My Number tables: (ID, 分類 group, 区分, implements from 備考,
/// twins, measures).
#[test]
fn wlan_mynumber_links() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    #[rustfmt::skip]
    let expect: [Link; 26] = [
        ("MN-01", "tech-sec-std", "required", &["2Fd"], &["LG-01"], &[10]),
        ("MN-02", "tech-auth", "required", &["2Fa", "2Fb"], &["LG-02", "LG-03"], &[8]),
        ("MN-03", "tech-auth", "required", &["2Fa", "2Fb"], &[], &[8]),
        ("MN-04", "tech-users", "required", &["2Ce", "2Fc"], &[], &[3]),
        ("MN-05", "tech-users", "required", &["2Ce", "2Fc"], &[], &[3]),
        ("MN-06", "tech-users", "required", &["2Fc"], &[], &[9]),
        ("MN-07", "tech-users", "as-needed", &[], &["LG-05"], &[]),
        ("MN-08", "tech-ap", "required", &[], &["LG-06"], &[]),
        ("MN-09", "tech-ap", "required", &[], &["LG-07"], &[]),
        ("MN-10", "tech-terminal", "required", &[], &["LG-08"], &[]),
        ("MN-11", "tech-terminal", "required", &[], &["LG-09"], &[]),
        ("MN-12", "tech-vuln", "required", &[], &["LG-10"], &[]),
        ("MN-13", "tech-vuln", "required", &[], &["LG-11"], &[]),
        ("MN-14", "tech-radio", "recommended", &[], &["LG-12"], &[]),
        ("MN-15", "tech-radio", "recommended", &[], &["LG-13"], &[]),
        ("MN-16", "org-users", "required", &["1A", "1C"], &[], &[1]),
        ("MN-17", "org-users", "required", &["1A", "1C"], &[], &[1]),
        ("MN-18", "org-users", "required", &["2Ce"], &[], &[2]),
        ("MN-19", "org-users", "required", &["2Ce"], &[], &[2]),
        ("MN-20", "phys-terminal", "required", &["2Ea"], &[], &[7]),
        ("MN-21", "phys-terminal", "required", &["2Ea"], &[], &[7]),
        ("MN-22", "phys-separation", "required", &["2Ea"], &[], &[4]),
        ("MN-23", "phys-equipment", "required", &["2Ea"], &[], &[5]),
        ("MN-24", "phys-equipment", "required", &["2Ea"], &[], &[5]),
        ("MN-25", "phys-admin", "required", &["2Ea"], &[], &[6]),
        ("MN-26", "phys-admin", "required", &["2Ea"], &[], &[6]),
    ];
    for (id, group, ob, implements, twins, measures) in expect {
        let item = c.item(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(item.group.as_deref(), Some(group), "{id}");
        assert_eq!(item.obligation.map(|o| o.key()), Some(ob), "{id}");
        let got: Vec<String> = item.implements.iter().map(|r| r.to_string()).collect();
        let want: Vec<String> = implements
            .iter()
            .map(|i| format!("ppc-safety:{i}"))
            .collect();
        assert_eq!(got, want, "{id} implements");
        let got: Vec<String> = item.twins.iter().map(|r| r.to_string()).collect();
        let want: Vec<String> = twins.iter().map(|i| format!("wlan-lgwan:{i}")).collect();
        assert_eq!(got, want, "{id} twins");
        assert_eq!(item.measures, measures, "{id} measures");
    }
    // The note under table ② sits with the terminal-protection item it is marked on.
    let mn20 = c.item("MN-20").unwrap();
    assert!(
        mn20.notes.iter().any(|n| n.contains("USB")),
        "{:?}",
        mn20.notes
    );
    assert!(mn20.remarks.as_ref().unwrap().ja.contains("USBメモリ"));
}

/// Seed 備考: 「LGWAN接続系においても必須要件」 (also mandatory for LGWAN) and
/// 「LGWAN接続系と同様の扱い」 (same treatment as LGWAN).
#[test]
fn wlan_mynumber_twins_follow_the_remarks() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let must = [
        "MN-01", "MN-02", "MN-08", "MN-09", "MN-10", "MN-11", "MN-12", "MN-13",
    ];
    let same = ["MN-07", "MN-14", "MN-15"];
    for item in &c.items {
        let remarks = &item.remarks.as_ref().unwrap().ja;
        let id = item.id.as_str();
        assert_eq!(
            remarks.contains("LGWAN接続系においても必須要件"),
            must.contains(&id) || id == "MN-03", // MN-03 shares the 認証方式 row's 備考
            "{id}: {remarks}"
        );
        assert_eq!(
            remarks.contains("LGWAN接続系と同様の扱い"),
            same.contains(&id),
            "{id}"
        );
        assert_eq!(
            !item.twins.is_empty(),
            must.contains(&id) || same.contains(&id),
            "{id}"
        );
        for twin in &item.twins {
            let (cat, other) = set
                .resolve(twin)
                .unwrap_or_else(|| panic!("{id}: {twin} unresolved"));
            assert_eq!(cat.id, "wlan-lgwan");
            if must.contains(&id) {
                assert_eq!(
                    other.obligation,
                    Some(Obligation::Required),
                    "{id} → {twin}"
                );
                assert_eq!(item.obligation, Some(Obligation::Required), "{id}");
            } else {
                assert_eq!(other.obligation, item.obligation, "{id} → {twin}");
            }
        }
    }
}

/// Measures ①–⑩: names and PPC mapping from the reference table (seed lines 445–657).
#[test]
fn wlan_mynumber_measures_follow_the_reference_table() {
    let set = set();
    let c = set.get("wlan-mynumber").unwrap();
    let expect: [(u8, &str, &[&str]); 10] = [
        (1, "事務取扱担当者の明確化", &["1A", "1C"]),
        (2, "無線LANの運用状況の確認", &["2Ce"]),
        (3, "アクセスログの取得・確認", &["2Ce", "2Fc"]),
        (4, "事務取扱担当者と他部門の分離", &["2Ea"]),
        (5, "機器の物理的な保護", &["2Ea"]),
        (6, "特権管理者・保守端末の管理", &["2Ea"]),
        (7, "事務取扱担当者の端末の保護", &["2Ea", "2Eb"]),
        (8, "無線LANアクセス時の認証・認可", &["2Fa", "2Fb"]),
        (9, "ファームウェア、OS等の最新化", &["2Fc"]),
        (10, "通信の暗号化", &["2Fd"]),
    ];
    assert_eq!(c.measures.len(), 10);
    for (n, name, implements) in expect {
        let m = c
            .measure(n)
            .unwrap_or_else(|| panic!("measure {n} missing"));
        assert_eq!(m.name.ja, name, "{n}");
        let got: Vec<String> = m.implements.iter().map(|r| r.to_string()).collect();
        let want: Vec<String> = implements
            .iter()
            .map(|i| format!("ppc-safety:{i}"))
            .collect();
        assert_eq!(got, want, "measure {n}");
        assert!(
            c.items.iter().any(|i| i.measures.contains(&n)),
            "measure {n} is used by no item"
        );
    }
    // An item's 備考 mapping stays within the mapping of the measures it belongs to.
    for item in &c.items {
        let of_measures: BTreeSet<String> = item
            .measures
            .iter()
            .flat_map(|n| c.measure(*n).unwrap().implements.iter())
            .map(|r| r.to_string())
            .collect();
        for r in &item.implements {
            assert!(
                of_measures.contains(&r.to_string()),
                "{}: {r} not among its measures' {of_measures:?}",
                item.id
            );
        }
    }
    // The firmware renumbering (image ⑩ vs table ⑨) and the image's typo are recorded.
    let notes = c
        .items
        .iter()
        .flat_map(|i| i.notes.iter())
        .collect::<Vec<_>>();
    assert!(notes.iter().any(|n| n.contains("⑩") && n.contains("⑨")));
    assert!(notes.iter().any(|n| n.contains("無線LANアセス時")));
}

/// The PPC guideline measures cited by the reference table, with their official names.
#[test]
fn ppc_safety_items_and_coverage() {
    let set = set();
    let p = set.get("ppc-safety").unwrap();
    let expect = [
        ("1A", "1", "個人番号を取り扱う事務の範囲の明確化"),
        ("1C", "1", "事務取扱担当者の明確化"),
        ("2Ce", "2C", "取扱状況の把握及び安全管理措置の見直し"),
        ("2Ea", "2E", "特定個人情報等を取り扱う区域の管理"),
        ("2Eb", "2E", "機器及び電子媒体等の盗難等の防止"),
        ("2Fa", "2F", "アクセス制御"),
        ("2Fb", "2F", "アクセス者の識別と認証"),
        ("2Fc", "2F", "不正アクセス等による被害の防止等"),
        ("2Fd", "2F", "漏えい等の防止"),
    ];
    let got: Vec<(&str, &str, &str)> = p
        .items
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.group.as_deref().unwrap_or(""),
                i.title.ja.as_str(),
            )
        })
        .collect();
    assert_eq!(got, expect);
    let groups: Vec<(&str, &str)> = p
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.name.ja.as_str()))
        .collect();
    assert_eq!(
        groups,
        [
            ("1", "安全管理措置の検討手順"),
            ("2C", "組織的安全管理措置"),
            ("2E", "物理的安全管理措置"),
            ("2F", "技術的安全管理措置"),
        ]
    );
    let mn = set.get("wlan-mynumber").unwrap();
    for item in &p.items {
        assert!(
            item.obligation.is_none() && item.requirement.is_some(),
            "{}",
            item.id
        );
        let by_items = mn.items.iter().any(|i| {
            i.implements
                .iter()
                .any(|r| r.catalog == p.id && r.item == item.id)
        });
        let by_measures = mn.measures.iter().any(|m| {
            m.implements
                .iter()
                .any(|r| r.catalog == p.id && r.item == item.id)
        });
        assert!(
            by_items || by_measures,
            "{} is implemented by nothing",
            item.id
        );
    }
}

#[test]
fn builtin_references_resolve() {
    let set = set();
    assert!(set.check_references().is_empty());
    let ids: Vec<&str> = set.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["sbd", "ppc-safety", "wlan-lgwan", "wlan-mynumber"]);
    for c in set.iter() {
        for r in c
            .items
            .iter()
            .flat_map(|i| i.implements.iter().chain(&i.twins))
            .chain(c.measures.iter().flat_map(|m| &m.implements))
        {
            assert!(set.resolve(r).is_some(), "{}: {r}", c.id);
        }
        if c.id != "sbd" {
            // The three WLAN-related catalogs all encode seed 000, the revision proposal.
            assert_eq!(c.version, "R7.3-draft");
            let locations: Vec<&str> = c.sources.iter().map(|s| s.location.as_str()).collect();
            assert_eq!(
                locations,
                ["shared/seeds/000_6e31c1603668605e.txt"],
                "{}",
                c.id
            );
        }
    }
}
