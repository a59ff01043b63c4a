use mamori_corp::*;

#[test]
fn corp_number_validates_shape_and_check_digit() {
    let n = CorpNumber::parse("1010001091219").unwrap();
    assert_eq!(n.as_str(), "1010001091219");
    assert_eq!(n.base(), 10001091219);
    assert_eq!(CorpNumber::from_base(10001091219), Some(n));
    assert_eq!(
        CorpNumber::parse("2010001091219"),
        Err(CorpNumberError::CheckDigit { expected: 1 })
    );
    assert_eq!(
        CorpNumber::parse("101000109121"),
        Err(CorpNumberError::Shape)
    );
    assert_eq!(
        CorpNumber::parse("１010001091219"),
        Err(CorpNumberError::Shape)
    );
    assert_eq!(CorpNumber::from_base(1_000_000_000_000), None);
    // Well-known numbers: 千代田区, 衆議院-style 国の機関 base.
    assert!(CorpNumber::parse("8000020131016").is_ok());
    assert!(CorpNumber::parse("2000012010019").is_ok());
}

#[test]
fn every_code_has_its_japanese_name() {
    let process: Vec<_> = Process::ALL.iter().map(|p| p.code()).collect();
    assert_eq!(
        process,
        ["01", "11", "12", "13", "21", "22", "71", "72", "81", "99"]
    );
    assert_eq!(Process::Merged.name_ja(), "吸収合併");
    assert_eq!(Process::from_code("1"), None);
    let kinds: Vec<_> = Kind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(
        kinds,
        [
            "101", "201", "301", "302", "303", "304", "305", "399", "401", "499"
        ]
    );
    assert_eq!(Kind::LimitedLiabilityCompany.to_string(), "305 合同会社");
    let causes: Vec<_> = CloseCause::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(causes, ["01", "11", "21", "31"]);
    assert_eq!(CloseCause::ClosedByRegistrar.name_ja(), "登記官による閉鎖");
}

#[test]
fn columns_are_named_by_number_and_japanese_name() {
    assert_eq!(Column::from_index(1).to_string(), "2 法人番号");
    assert_eq!(Column::from_index(29).element(), "hihyoji");
    assert_eq!(COLUMNS.len(), 30);
    assert_eq!(COLUMNS[28], ("フリガナ", "furigana"));
}

#[test]
fn same_content_ignores_sequence_latest_and_source() {
    let a = read_csv(super::SAMPLE.as_bytes()).unwrap().rows.remove(0);
    let mut b = a.clone();
    b.sequence_number = 77;
    b.latest = Some(false);
    b.source.quoted = Some(0);
    assert!(a.same_content(&b));
    b.name.push('X');
    assert!(!a.same_content(&b));
}
