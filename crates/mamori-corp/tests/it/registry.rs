//! The registry (full load, 差分 application, write-back) and the search index.

use mamori_corp::{CorpNumber, Index, Kind, Mode, Query, Registry, Sort, TextEncoding, read_csv};

use super::fixture;

fn registry() -> Registry {
    let file = read_csv(fixture().as_bytes()).unwrap();
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    Registry::from_rows(file.rows)
}

fn n(s: &str) -> CorpNumber {
    CorpNumber::parse(s).unwrap()
}

fn names(reg: &Registry, ix: &Index, q: &Query) -> Vec<String> {
    ix.search(q)
        .hits
        .iter()
        .map(|h| {
            let (num, _) = reg.corporation_rows(h.corp as usize).unwrap();
            reg.latest(&num).unwrap().name
        })
        .collect()
}

fn q(name: &str, mode: Mode) -> Query {
    Query {
        name: name.into(),
        mode,
        include_closed: true,
        limit: 20,
        ..Query::default()
    }
}

#[test]
fn a_full_file_loads_by_number_and_writes_back_byte_identical_when_sorted() {
    let reg = registry();
    // 12 rows, one 99 削除 row not stored.
    assert_eq!(reg.len(), 11);
    assert_eq!(reg.row_count(), 11);
    let lines: Vec<&str> = reg.lines().collect();
    let mut sorted = lines.clone();
    // In the NTA's order: by the 12 digits after the check digit.
    sorted.sort_by_key(|l| l.split(',').nth(1).unwrap_or_default()[1..].to_owned());
    assert_eq!(lines, sorted, "number order");
    // Written back: every stored row in the NTA layout.
    let out = reg
        .write_csv(Vec::new(), TextEncoding::Utf8, false)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    for l in lines {
        assert!(fixture().contains(l), "{l}");
    }
    assert_eq!(text.matches("\r\n").count(), 11);
    // Reading the written file gives the same registry.
    let (again, diags) = Registry::read(text.as_bytes()).unwrap();
    assert!(diags.is_empty());
    assert_eq!(
        again.lines().collect::<Vec<_>>(),
        reg.lines().collect::<Vec<_>>()
    );
    assert_eq!(
        reg.latest(&n("1010001091219")).unwrap().name,
        "株式会社アオバ・インターナショナル"
    );
    assert!(reg.latest(&n("8700150012345")).is_none());
}

#[test]
fn differences_update_history_and_are_idempotent() {
    let mut reg = registry();
    let diff = "\
1,4010001000696,11,0,2025-04-02,2025-04-01,\"株式会社ジェイテック・ジャパン\",,301,\"東京都\",\"千代田区\",\"丸の内１丁目１番１号\",,13,101,1000005,,,,,,,2015-10-05,1,,,,,\"ジェイテックジャパン\",0\r\n\
2,1010001091219,99,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n\
3,5010001111113,01,0,2025-04-02,2025-04-01,\"みどり建設株式会社\",,301,\"北海道\",\"札幌市中央区\",\"北一条西２丁目\",,01,101,0600001,,,,,,,2025-04-01,1,,,,,\"ミドリケンセツ\",0\r\n";
    let rows = read_csv(diff.as_bytes()).unwrap();
    assert!(rows.diagnostics.is_empty(), "{:?}", rows.diagnostics);
    let s = reg.apply_diff(&rows.rows, Some(jiff::civil::date(2025, 4, 2)));
    assert_eq!((s.created, s.updated, s.deleted, s.unchanged), (1, 1, 1, 0));
    assert_eq!(reg.len(), 11);
    let h = reg.history(&n("4010001000696"));
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].latest, Some(false));
    assert_eq!(h[1].name, "株式会社ジェイテック・ジャパン");
    assert!(reg.latest(&n("1010001091219")).is_none());
    // Again: nothing changes.
    let before: Vec<String> = reg.lines().map(str::to_owned).collect();
    let s = reg.apply_diff(&rows.rows, Some(jiff::civil::date(2025, 4, 2)));
    assert_eq!((s.created, s.updated, s.deleted), (0, 0, 0));
    assert_eq!(reg.lines().collect::<Vec<_>>(), before);
    // The difference as the NTA would publish it for that day: the two new rows and the
    // deletion (recorded once, although the file was applied twice).
    let day = jiff::civil::date(2025, 4, 2);
    let changes = reg.changes(day, day);
    let got: Vec<(String, &str)> = changes
        .iter()
        .map(|c| (c.number.to_string(), c.process.code()))
        .collect();
    assert_eq!(
        got,
        [
            ("4010001000696".to_owned(), "11"),
            ("5010001111113".to_owned(), "01"),
            ("1010001091219".to_owned(), "99"),
        ]
    );
    assert!(
        reg.changes(jiff::civil::date(2025, 4, 3), jiff::civil::date(2025, 5, 1))
            .is_empty()
    );
    // Number order is kept after inserting 5010001111113.
    let numbers: Vec<String> = (0..reg.len())
        .map(|i| reg.corporation_rows(i).unwrap().0.to_string()[1..].to_owned())
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(numbers, sorted);
}

#[test]
fn names_are_found_across_kind_words_widths_kana_and_old_forms() {
    let reg = registry();
    let ix = Index::build(&reg);
    // 前株 with and without the 法人格, abbreviated, half width.
    for query in [
        "アオバ",
        "株式会社アオバ",
        "(株)アオバ",
        "㈱アオバ",
        "ｱｵﾊﾞ",
        "あおば",
    ] {
        assert_eq!(
            names(&reg, &ix, &q(query, Mode::Prefix)),
            ["株式会社アオバ・インターナショナル"],
            "{query}"
        );
    }
    // 後株 and old character forms both ways.
    assert_eq!(
        names(&reg, &ix, &q("山崎工業", Mode::Exact)),
        ["山﨑工業株式会社"]
    );
    assert_eq!(
        names(&reg, &ix, &q("高橋物産", Mode::Prefix)),
        ["髙橋物産合同会社"]
    );
    assert_eq!(
        names(&reg, &ix, &q("斎藤屋", Mode::Exact)),
        ["合資会社齋藤屋"]
    );
    // Only the 法人格: every name that has it.
    assert_eq!(
        names(&reg, &ix, &q("(株)", Mode::Prefix)).len(),
        5,
        "アオバ, ジェイ・テック, 山﨑工業, さくら技研, エス・ケイ (not 合同会社, 有限会社 …)"
    );
    // Partial: inside the name, and not as prefix.
    assert!(names(&reg, &ix, &q("インターナショナル", Mode::Prefix)).is_empty());
    assert_eq!(
        names(&reg, &ix, &q("インターナショナル", Mode::Partial)),
        ["株式会社アオバ・インターナショナル"]
    );
    assert_eq!(
        names(&reg, &ix, &q("物", Mode::Partial)),
        ["髙橋物産合同会社"]
    );
    // フリガナ, 五十音 prefix (voiced marks folded).
    let mut kana = q("たかはし", Mode::Prefix);
    kana.furigana = true;
    assert_eq!(names(&reg, &ix, &kana), ["髙橋物産合同会社"]);
    // Filters.
    let mut osaka = q("", Mode::Prefix);
    osaka.prefecture = Some(27);
    osaka.sort = Sort::Number;
    assert_eq!(
        names(&reg, &ix, &osaka),
        ["山﨑工業株式会社"],
        "検索対象除外 (9120001188888) is never listed"
    );
    let mut open = q("", Mode::Prefix);
    open.include_closed = false;
    open.kinds = vec![Kind::LimitedLiabilityCompany];
    assert_eq!(names(&reg, &ix, &open), ["髙橋物産合同会社"]);
    let mut closed = q("さくら", Mode::Prefix);
    assert_eq!(names(&reg, &ix, &closed), ["株式会社さくら技研"]);
    closed.include_closed = false;
    assert!(names(&reg, &ix, &closed).is_empty());
    // 五十音順: with フリガナ first, by reading.
    let mut all = q("", Mode::Prefix);
    all.sort = Sort::Gojuon;
    let got = names(&reg, &ix, &all);
    assert_eq!(
        got.first().map(String::as_str),
        Some("株式会社アオバ・インターナショナル")
    );
    assert_eq!(got.len(), ix.search(&all).total);
    assert!(
        got.iter().position(|n| n == "山﨑工業株式会社") > got.iter().position(|n| n == "千代田区")
    );
    // A caller that wants every hit may ask for any number of them.
    let mut everything = all.clone();
    everything.limit = usize::MAX;
    everything.offset = 1;
    assert_eq!(ix.search(&everything).hits.len(), got.len() - 1);
    everything.sort = Sort::Relevance;
    assert_eq!(ix.search(&everything).total, got.len());
    // Paging with totals.
    let mut page = all.clone();
    page.offset = 2;
    page.limit = 3;
    let r = ix.search(&page);
    assert_eq!(r.total, got.len());
    assert_eq!(names(&reg, &ix, &page), got[2..5]);
}

#[test]
fn past_names_are_found_only_when_asked() {
    let mut reg = registry();
    let diff = "1,4010001000696,11,0,2025-04-02,2025-04-01,\"株式会社ミナト電機\",,301,\"東京都\",\"千代田区\",\"丸の内１丁目１番１号\",,13,101,1000005,,,,,,,2015-10-05,1,,,,,\"ミナトデンキ\",0\r\n";
    reg.apply_diff(&read_csv(diff.as_bytes()).unwrap().rows, None);
    let ix = Index::build(&reg);
    let mut old = q("ジェイテック", Mode::Prefix);
    assert!(ix.search(&old).hits.is_empty());
    old.include_past = true;
    let r = ix.search(&old);
    assert_eq!(r.total, 1);
    assert!(r.hits[0].past);
    assert_eq!(
        names(&reg, &ix, &q("ミナト", Mode::Prefix)),
        ["株式会社ミナト電機"]
    );
}

/// A registry of many similar names (shared character triples, every 法人格 position,
/// closed, hidden and very long names) for comparing the search paths.
fn crowded_registry() -> Registry {
    let parts = [
        "サービス",
        "テック",
        "ビス",
        "サー",
        "東京",
        "技研",
        "ス",
        "ーサ",
    ];
    let mut csv = String::new();
    for i in 0..3000u64 {
        let number = CorpNumber::from_base(1_000_000 + i * 7).unwrap();
        let mut core = String::new();
        let mut x = i * 2_654_435_761 % 1_000_003;
        for _ in 0..(1 + i % 4) {
            core.push_str(parts[(x % parts.len() as u64) as usize]);
            x /= parts.len() as u64;
        }
        if i % 97 == 0 {
            core.push_str(&"長".repeat(130 + (i % 5) as usize));
        }
        let name = match i % 3 {
            0 => format!("株式会社{core}"),
            1 => format!("{core}合同会社"),
            _ => core,
        };
        let (close_date, close_cause) = if i % 11 == 0 {
            ("2024-03-31", "01")
        } else {
            ("", "")
        };
        let hidden = u8::from(i % 37 == 0);
        // Prefectures (including 99, 国外, and none) and 法人種別 vary independently of the name.
        let pref = ["13", "27", "99", "", "01"][(i / 3 % 5) as usize];
        let kind = ["301", "305", "401", "101", "399", "201"][(i / 5 % 6) as usize];
        let assigned = ["2015-10-05", "2016-04-01", "2023-10-02"][(i / 7 % 3) as usize];
        csv.push_str(&format!(
            "{},{},01,0,2020-01-01,2019-12-01,\"{name}\",,{kind},\"東京都\",\"千代田区\",\"丸の内１丁目\",,{pref},101,1000005,{close_date},{close_cause},,,,,{assigned},1,,,,,,{hidden}\r\n",
            i + 1,
            number.as_str()
        ));
    }
    let file = read_csv(csv.as_bytes()).unwrap();
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    Registry::from_rows(file.rows)
}

#[test]
fn prefix_and_exact_counts_match_a_scan_of_every_name() {
    // The name order is searched through a sparse sample of it first; compare with a scan,
    // for every prefix of every name (short and longer than the sample's 16 bytes), the
    // whole names, and strings that fall between or beyond them.
    let reg = crowded_registry();
    let ix = Index::build(&reg);
    let mut cores = Vec::new();
    for i in 0..reg.len() {
        let (n, _) = reg.corporation_rows(i).unwrap();
        let c = reg.latest(&n).unwrap();
        if !c.is_hihyoji() {
            cores.push(mamori_corp::fold_name(&c.name).core);
        }
    }
    let mut queries: Vec<String> = Vec::new();
    for core in &cores {
        let chars: Vec<char> = core.chars().collect();
        for n in 1..=chars.len().min(8) {
            queries.push(chars[..n].iter().collect());
        }
        queries.push(core.clone());
        queries.push(format!("{core}ン"));
    }
    queries.extend(["ア", "ヴ", "一", "長長長長長長長長長長", "ﾟ"].map(String::from));
    queries.sort();
    queries.dedup();
    assert!(queries.len() > 500, "{}", queries.len());
    for p in &queries {
        for mode in [Mode::Prefix, Mode::Exact] {
            let want = cores
                .iter()
                .filter(|c| match mode {
                    Mode::Exact => *c == p,
                    _ => c.starts_with(p.as_str()),
                })
                .count();
            let got = ix.search(&Query {
                name: p.clone(),
                mode,
                include_closed: true,
                limit: 1,
                ..Query::default()
            });
            assert_eq!(got.total, want, "{p} {mode:?}");
        }
    }
}

#[test]
fn the_fast_path_orders_filters_and_counts_like_the_general_one() {
    let reg = crowded_registry();
    let ix = Index::build(&reg);
    let mut compared = 0;
    for name in [
        "サービス",
        "ビス",
        "サー",
        "ス",
        "ーサ",
        "株式会社サービス",
        "テック合同会社",
        "技研",
        "東京",
        "スサ",
        "長長長",
        "サービステック",
    ] {
        for mode in [Mode::Prefix, Mode::Partial, Mode::Exact] {
            for include_closed in [false, true] {
                for (offset, limit) in [(0, 20), (0, 2000), (15, 7), (400, 50)] {
                    for (prefecture, kinds) in [
                        (None, vec![]),
                        (Some(13), vec![]),
                        (Some(99), vec![Kind::Foreign, Kind::Other]),
                        (None, vec![Kind::StockCompany, Kind::OtherRegistered]),
                        (Some(27), vec![Kind::LimitedLiabilityCompany]),
                        (Some(47), vec![]),
                        (None, vec![Kind::State, Kind::LocalGovernment]),
                    ] {
                        // Assignment dates that every document passes (the fast path
                        // ignores them) and ones that leave some out.
                        for (assigned_from, assigned_to) in [
                            (None, None),
                            (None, Some(99_991_231)),
                            (Some(20_151_005), None),
                            (Some(20_160_401), Some(20_231_001)),
                            (None, Some(20_160_401)),
                        ] {
                            let q = Query {
                                name: name.into(),
                                mode,
                                include_closed,
                                offset,
                                limit,
                                prefecture,
                                kinds: kinds.clone(),
                                assigned_from,
                                assigned_to,
                                ..Query::default()
                            };
                            let (a, b) = (ix.search(&q), ix.search_general(&q));
                            assert_eq!(
                                a, b,
                                "{name} {mode:?} closed={include_closed} {offset}+{limit} {prefecture:?} {kinds:?} {assigned_from:?}..{assigned_to:?}"
                            );
                            compared += usize::from(!a.hits.is_empty());
                        }
                    }
                }
            }
        }
    }
    assert!(compared > 3000, "only {compared} non-empty comparisons");
    // Independently of both paths: a search within a prefecture finds exactly the
    // nationwide hits whose corporation is registered there.
    let pref_of = |corp: u32| {
        let (n, _) = reg.corporation_rows(corp as usize).unwrap();
        reg.latest(&n).unwrap().prefecture_code
    };
    for name in ["ビス", "ーサ", "サービス", "ス", "長長長"] {
        for mode in [Mode::Partial, Mode::Prefix] {
            for sort in [Sort::Relevance, Sort::Number] {
                let all = Query {
                    name: name.into(),
                    mode,
                    sort,
                    include_closed: true,
                    limit: 10_000,
                    ..Query::default()
                };
                let nationwide = ix.search(&all);
                for pref in [13, 27, 99, 1, 47] {
                    let want: Vec<u32> = nationwide
                        .hits
                        .iter()
                        .map(|h| h.corp)
                        .filter(|c| pref_of(*c) == Some(pref))
                        .collect();
                    let got = ix.search(&Query {
                        prefecture: Some(pref),
                        ..all.clone()
                    });
                    let got: Vec<u32> = got.hits.iter().map(|h| h.corp).collect();
                    assert_eq!(got, want, "{name} {mode:?} {sort:?} in {pref}");
                }
            }
        }
    }
    // The crowd is what it is meant to be: a partial query with many hits of every kind.
    let r = ix.search(&Query {
        name: "ビス".into(),
        mode: Mode::Partial,
        limit: 5,
        ..Query::default()
    });
    assert!(r.total > 500, "{}", r.total);
}

#[test]
fn a_stored_index_reads_back_searching_alike_and_refuses_stale_or_damaged_files() {
    use mamori_corp::{StoredError, read_stored, write_stored};
    let reg = crowded_registry();
    let ix = Index::build(&reg);
    let offsets = reg.corporation_offsets();
    let bytes = write_stored(Vec::new(), &ix, &offsets, "size=1;mtime=2").unwrap();
    let back = read_stored(bytes.as_slice(), "size=1;mtime=2").unwrap();
    assert_eq!(back.offsets, offsets);
    for name in ["サービス", "ビス", "株式会社テック", "長長長", "技研東京"] {
        for mode in [Mode::Prefix, Mode::Partial, Mode::Exact] {
            for sort in [Sort::Relevance, Sort::Gojuon, Sort::Region, Sort::Number] {
                let q = Query {
                    name: name.into(),
                    mode,
                    sort,
                    include_closed: true,
                    limit: 50,
                    ..Query::default()
                };
                assert_eq!(
                    back.index.search(&q),
                    ix.search(&q),
                    "{name} {mode:?} {sort:?}"
                );
            }
        }
    }
    // Writing the read index gives the same bytes (gram order is fixed).
    let again = write_stored(Vec::new(), &back.index, &back.offsets, "size=1;mtime=2").unwrap();
    assert_eq!(again, bytes);

    // The offsets locate each corporation's rows in the file write_csv writes.
    let csv = reg
        .write_csv(Vec::new(), TextEncoding::Utf8, false)
        .unwrap();
    assert_eq!(*offsets.last().unwrap(), csv.len() as u64);
    for pos in [0usize, 1, 1234, reg.len() - 1] {
        let range = back.rows_range(pos as u32).unwrap();
        let text = std::str::from_utf8(&csv[range.start as usize..range.end as usize]).unwrap();
        let (_, rows) = reg.corporation_rows(pos).unwrap();
        let expect: String = rows.iter().map(|l| format!("{l}\r\n")).collect();
        assert_eq!(text, expect);
    }

    // The offsets alone, the index skipped.
    let only = mamori_corp::read_offsets(std::io::Cursor::new(&bytes), "size=1;mtime=2").unwrap();
    assert_eq!(only, offsets);
    assert!(matches!(
        mamori_corp::read_offsets(
            std::io::Cursor::new(&bytes[..bytes.len() - 8]),
            "size=1;mtime=2"
        ),
        Err(StoredError::Damaged(_))
    ));
    assert!(matches!(
        read_stored(bytes.as_slice(), "size=1;mtime=3"),
        Err(StoredError::Stale { .. })
    ));
    for cut in [0, 10, 30, 200, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(
                read_stored(&bytes[..cut], "size=1;mtime=2"),
                Err(StoredError::Damaged(_))
            ),
            "cut at {cut}"
        );
    }
    // A posting that points past the documents is caught on reading.
    let mut bad = bytes.clone();
    let end = bad.len() - 3 - offsets.len() * 8;
    bad[end - 4..end].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        read_stored(bad.as_slice(), "size=1;mtime=2"),
        Err(StoredError::Damaged(_))
    ));
}
