use jiff::civil::{Date, date};
use mamori_corp::*;

fn base() -> Corporation {
    let mut c = Corporation::new(CorpNumber::parse("4010001000696").unwrap());
    c.sequence_number = 1;
    c.process = Process::New;
    c.correct = Some(false);
    c.update_date = Some(date(2015, 11, 2));
    c.change_date = Some(date(2015, 10, 5));
    c.name = "株式会社ジェイ・テック".into();
    c.kind = Some(Kind::StockCompany);
    c.prefecture_name = "東京都".into();
    c.city_name = "千代田区".into();
    c.street_number = "丸の内１丁目１番１号".into();
    c.prefecture_code = Some(13);
    c.city_code = Some(101);
    c.post_code = "1000005".into();
    c.assignment_date = Some(date(2015, 10, 5));
    c.latest = Some(true);
    c.hihyoji = Some(false);
    c
}

fn next(
    prev: &Corporation,
    process: Process,
    day: Date,
    edit: impl FnOnce(&mut Corporation),
) -> Corporation {
    let mut c = prev.clone();
    c.sequence_number += 1;
    c.process = process;
    c.update_date = Some(day);
    c.change_date = Some(day);
    c.latest = Some(true);
    edit(&mut c);
    c
}

fn latest(h: &[Corporation]) -> &Corporation {
    let l: Vec<_> = h.iter().filter(|c| c.is_latest()).collect();
    assert_eq!(l.len(), 1, "exactly one latest row");
    l[0]
}

#[test]
fn a_new_corporation_is_created_and_reapplying_changes_nothing() {
    let a = apply(&[], &[base()]);
    assert_eq!(a.change, Change::Created);
    assert_eq!(a.history, [base()]);
    let again = apply(&a.history, &[base()]);
    assert_eq!(again.change, Change::Unchanged);
    assert_eq!(again.history, a.history);
    assert_eq!(apply(&a.history, &[]).change, Change::Unchanged);
}

#[test]
fn every_process_appends_a_latest_row_and_flags_the_previous_past() {
    let r01 = base();
    let r11 = next(&r01, Process::NameChange, date(2019, 4, 1), |c| {
        c.name = "株式会社ジェイテック・ジャパン".into();
        c.furigana = "ジェイテックジャパン".into();
    });
    let r12 = next(
        &r11,
        Process::DomesticAddressChange,
        date(2020, 6, 25),
        |c| {
            c.city_name = "港区".into();
            c.city_code = Some(103);
            c.street_number = "芝公園４丁目２番８号".into();
            c.post_code = "1050011".into();
        },
    );
    let r13 = next(&r12, Process::ForeignAddressChange, date(2021, 2, 1), |c| {
        c.address_outside = "アメリカ合衆国ニューヨーク州".into();
    });
    let r21 = next(&r13, Process::Closed, date(2022, 3, 31), |c| {
        c.close_date = Some(date(2022, 3, 31));
        c.close_cause = Some(CloseCause::Liquidated);
    });
    let r22 = next(&r21, Process::Restored, date(2022, 5, 16), |c| {
        c.close_date = None;
        c.close_cause = None;
    });
    let survivor = CorpNumber::parse("3010001200000").unwrap();
    let r71 = next(&r22, Process::Merged, date(2023, 2, 28), |c| {
        c.close_date = Some(date(2023, 2, 28));
        c.close_cause = Some(CloseCause::Merger);
        c.successor = Some(survivor);
    });
    let r72 = next(&r71, Process::MergerVoided, date(2023, 8, 25), |c| {
        c.close_date = None;
        c.close_cause = None;
        c.successor = None;
        c.change_cause = "吸収合併無効の訴えに係る判決の確定".into();
    });
    let r81 = next(&r72, Process::NameErased, date(2024, 1, 5), |c| {
        c.close_date = Some(date(2024, 1, 5));
        c.close_cause = Some(CloseCause::OtherLiquidation);
    });

    let mut h = Vec::new();
    for (row, check) in [
        (
            &r01,
            &(|c: &Corporation| !c.is_closed()) as &dyn Fn(&Corporation) -> bool,
        ),
        (&r11, &|c| c.name == "株式会社ジェイテック・ジャパン"),
        (&r12, &|c| c.city_code == Some(103)),
        (&r13, &|c| !c.address_outside.is_empty()),
        (&r21, &|c| {
            c.is_closed() && c.close_cause == Some(CloseCause::Liquidated)
        }),
        (&r22, &|c| !c.is_closed()),
        (&r71, &|c| {
            c.successor.is_some() && c.close_cause == Some(CloseCause::Merger)
        }),
        (&r72, &|c| c.successor.is_none() && !c.is_closed()),
        (&r81, &|c| c.is_closed()),
    ] {
        let before = h.len();
        let a = apply(&h, std::slice::from_ref(row));
        let expected = if before == 0 {
            Change::Created
        } else {
            Change::Updated(row.process)
        };
        assert_eq!(a.change, expected, "{}", row.process);
        assert_eq!(a.history.len(), before + 1);
        assert!(check(latest(&a.history)), "{}", row.process);
        assert!(latest(&a.history).same_content(row));
        assert!(a.history[..before].iter().all(|c| c.latest == Some(false)));
        // Idempotent: the same difference again is a no-op.
        let again = apply(&a.history, std::slice::from_ref(row));
        assert_eq!(again.change, Change::Unchanged);
        assert_eq!(again.history, a.history);
        h = a.history;
    }
    assert_eq!(h.len(), 9);
}

#[test]
fn several_rows_of_one_file_apply_in_file_order() {
    let r01 = base();
    let r11 = next(&r01, Process::NameChange, date(2019, 4, 1), |c| {
        c.name = "株式会社ＪＴ".into()
    });
    let r12 = next(
        &r11,
        Process::DomesticAddressChange,
        date(2019, 4, 1),
        |c| c.street_number = "丸の内２丁目".into(),
    );
    let a = apply(std::slice::from_ref(&r01), &[r11.clone(), r12.clone()]);
    assert_eq!(a.change, Change::Updated(Process::DomesticAddressChange));
    assert_eq!(a.history.len(), 3);
    assert!(a.history[2].is_latest() && !a.history[1].is_latest() && !a.history[0].is_latest());
    // The whole file again: nothing changes.
    let again = apply(&a.history, &[r11, r12]);
    assert_eq!(again.change, Change::Unchanged);
    assert_eq!(again.history, a.history);
}

#[test]
fn deletion_removes_the_corporation_idempotently() {
    let mut del = Corporation::new(base().number);
    del.process = Process::Deleted;
    let a = apply(&[base()], &[del.clone()]);
    assert_eq!(a.change, Change::Deleted);
    assert!(a.history.is_empty());
    let again = apply(&a.history, &[del]);
    assert_eq!(again.change, Change::Unchanged);
    assert!(again.history.is_empty());
}

#[test]
fn a_correction_replaces_the_whole_history() {
    let r01 = base();
    let mut r01_past = r01.clone();
    r01_past.latest = Some(false);
    let r11 = next(&r01, Process::NameChange, date(2019, 4, 1), |c| {
        c.name = "株式会社ジェイテック".into()
    });
    let stored = vec![r01_past.clone(), r11.clone()];
    // The NTA re-sends all rows flagged 訂正: the name change was really on another day and
    // the address was wrong from the start.
    let mut c01 = r01_past.clone();
    c01.correct = Some(true);
    c01.street_number = "丸の内１丁目９番１号".into();
    let mut c11 = r11.clone();
    c11.correct = Some(true);
    c11.street_number = "丸の内１丁目９番１号".into();
    c11.change_date = Some(date(2019, 3, 29));
    let a = apply(&stored, &[c01.clone(), c11.clone()]);
    assert_eq!(a.change, Change::Corrected);
    assert_eq!(a.history, [c01.clone(), c11.clone()]);
    let again = apply(&a.history, &[c01, c11]);
    assert_eq!(again.change, Change::Unchanged);
    assert_eq!(again.history, a.history);
    // A correction for an unknown corporation creates it with the sent history.
    let mut only = base();
    only.correct = Some(true);
    assert_eq!(apply(&[], &[only]).change, Change::Corrected);
}

#[test]
fn a_past_row_is_inserted_before_the_latest() {
    let r01 = base();
    let r11 = next(&r01, Process::NameChange, date(2019, 4, 1), |c| {
        c.name = "株式会社ＪＴ".into()
    });
    let mut old = next(
        &r01,
        Process::DomesticAddressChange,
        date(2017, 1, 1),
        |c| c.street_number = "旧住所".into(),
    );
    old.latest = Some(false);
    let mut r01_past = r01.clone();
    r01_past.latest = Some(false);
    let a = apply(&[r01_past, r11.clone()], &[old.clone()]);
    assert_eq!(a.history.len(), 3);
    assert_eq!(a.history[1], old);
    assert_eq!(a.history[2], r11);
}

#[test]
fn rows_of_other_numbers_are_ignored() {
    let mut other = base();
    other.number = CorpNumber::parse("1010001091219").unwrap();
    let a = apply(&[], &[base(), other]);
    assert_eq!(a.history, [base()]);
}
