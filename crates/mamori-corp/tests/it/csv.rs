use jiff::civil::date;
use mamori_corp::*;

use super::{SAMPLE, fixture, fixture_rows};

#[test]
fn the_sample_row_reads_into_typed_fields() {
    let mut row = SAMPLE.to_owned();
    row.push_str("\r\n");
    let file = read_csv(row.as_bytes()).unwrap();
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    assert_eq!(file.encoding, Some(TextEncoding::Utf8));
    let c = &file.rows[0];
    assert_eq!(c.sequence_number, 1);
    assert_eq!(c.number.as_str(), "1010001091219");
    assert_eq!(c.process, Process::Closed);
    assert_eq!(c.correct, Some(false));
    assert_eq!(c.update_date, Some(date(2017, 1, 4)));
    assert_eq!(c.change_date, Some(date(2016, 12, 22)));
    assert_eq!(c.name, "株式会社アオバ・インターナショナル");
    assert_eq!(c.kind, Some(Kind::StockCompany));
    assert_eq!(c.prefecture_name, "東京都");
    assert_eq!(c.city_name, "中央区");
    assert_eq!(c.street_number, "京橋２丁目９番９号");
    assert_eq!(c.prefecture_code, Some(13));
    assert_eq!(c.city_code, Some(102));
    assert_eq!(c.post_code, "1040031");
    assert_eq!(c.close_date, Some(date(2016, 12, 22)));
    assert_eq!(c.close_cause, Some(CloseCause::Liquidated));
    assert_eq!(c.successor, None);
    assert_eq!(c.assignment_date, Some(date(2015, 10, 5)));
    assert!(c.is_latest());
    assert!(c.is_closed());
    assert_eq!(c.furigana, "アオバインターナショナル");
    assert_eq!(c.hihyoji, Some(false));
    assert!(c.source.is_canonical());
    // And back, byte for byte.
    assert_eq!(
        write_csv(&file.rows, TextEncoding::Utf8, false).unwrap(),
        row.as_bytes()
    );
}

#[test]
fn every_process_reads_and_round_trips_byte_identically() {
    let text = fixture();
    let file = read_csv(text.as_bytes()).unwrap();
    assert!(file.diagnostics.is_empty(), "{:#?}", file.diagnostics);
    assert_eq!(file.rows.len(), fixture_rows().len());
    let mut processes: Vec<_> = file.rows.iter().map(|r| r.process).collect();
    processes.sort();
    processes.dedup();
    assert_eq!(processes, Process::ALL);
    assert!(file.rows.iter().any(Corporation::is_correction));
    // Quotes, commas and RFC 4180 escapes inside text fields.
    let r9 = &file.rows[8];
    assert_eq!(r9.name, "一般社団法人\"みらい\"協会");
    assert!(r9.is_hihyoji());
    assert_eq!(file.rows[1].en_city_name, "1-1-1 Marunouchi, Chiyoda ku");
    let merged = &file.rows[6];
    assert_eq!(merged.close_cause, Some(CloseCause::Merger));
    assert_eq!(
        merged.successor.map(|n| n.to_string()).as_deref(),
        Some("3010001200000")
    );
    let deleted = &file.rows[9];
    assert_eq!(deleted.process, Process::Deleted);
    assert_eq!(deleted.kind, None);
    assert_eq!(deleted.correct, None);
    let out = write_csv(&file.rows, TextEncoding::Utf8, false).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), text);
}

#[test]
fn a_bom_is_detected_and_reproduced() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(fixture().as_bytes());
    let file = read_csv(&bytes[..]).unwrap();
    assert!(file.bom);
    assert_eq!(file.encoding, Some(TextEncoding::Utf8));
    assert!(file.diagnostics.is_empty());
    assert_eq!(
        write_csv(&file.rows, TextEncoding::Utf8, true).unwrap(),
        bytes
    );
}

#[test]
fn shift_jis_is_detected_and_round_trips_byte_identically() {
    let text = fixture();
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let file = read_csv(&sjis[..]).unwrap();
    assert_eq!(file.encoding, Some(TextEncoding::ShiftJis));
    assert!(file.diagnostics.is_empty(), "{:#?}", file.diagnostics);
    // 髙 and 﨑 survive (CP932 IBM extensions).
    assert_eq!(file.rows[2].name, "髙橋物産合同会社");
    assert_eq!(file.rows[3].name, "山﨑工業株式会社");
    let mut w = CsvWriter::new(Vec::new(), TextEncoding::ShiftJis);
    for r in &file.rows {
        w.write_row(r).unwrap();
    }
    assert_eq!(w.replacements(), 0);
    assert_eq!(w.into_inner().unwrap(), &sjis[..]);
    // The same rows as from the Unicode file.
    let utf8 = read_csv(fixture().as_bytes()).unwrap();
    assert_eq!(utf8.rows, file.rows);
}

#[test]
fn the_shift_jis_writer_degrades_characters_outside_cp932() {
    let mut c = read_csv(SAMPLE.as_bytes()).unwrap().rows.remove(0);
    // 𠮷 (U+20BB7) is outside CP932 and has no 新字体 in the table → 〓.
    c.name = "株式会社𠮷野家".into();
    let mut w = CsvWriter::new(Vec::new(), TextEncoding::ShiftJis);
    w.write_row(&c).unwrap();
    assert_eq!(w.replacements(), 1);
    let bytes = w.into_inner().unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(text.contains("\"株式会社〓野家\""), "{text}");
}

#[test]
fn a_stream_cut_into_tiny_reads_gives_the_same_rows() {
    struct Trickle<'a>(&'a [u8]);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let text = fixture();
    let whole = read_csv(text.as_bytes()).unwrap();
    let mut reader = CsvReader::new(Trickle(text.as_bytes())).unwrap();
    let mut rows = Vec::new();
    while let Some(r) = reader.next_row().unwrap() {
        rows.push(r.unwrap());
    }
    assert_eq!(rows, whole.rows);
}

#[test]
fn bad_rows_are_reported_with_line_and_column_and_skipped() {
    let rows = fixture_rows();
    let good = &rows[1];
    let lines = [
        good.clone(),
        // 2: check digit wrong.
        good.replacen("4010001000696", "5010001000696", 1),
        // 3–4: a quoted line break inside 変更事由の詳細 (valid row over two lines).
        rows[7].replacen(
            "吸収合併無効の訴えに係る判決の確定",
            "判決の確定\r\n（東京地裁）",
            1,
        ),
        // 5: unknown 処理区分.
        good.replacen(",01,0,", ",05,0,", 1),
        // 6: 29 columns.
        good.rsplit_once(',').unwrap().0.to_owned(),
        // 7: impossible date and unknown 法人種別.
        good.replacen("2015-11-02", "2015-02-30", 1)
            .replacen(",301,", ",300,", 1),
        // 8: text after a closing quote.
        good.replacen("\"東京都\"", "\"東京都\"x", 1),
        // 9: fine again.
        rows[0].clone(),
    ];
    let text = lines.join("\r\n") + "\r\n";
    let file = read_csv(text.as_bytes()).unwrap();
    assert_eq!(file.rows.len(), 3);
    assert_eq!(file.rows[1].change_cause, "判決の確定\r\n（東京地裁）");
    let got: Vec<(u64, Option<String>)> = file
        .diagnostics
        .iter()
        .map(|d| (d.line, d.column.map(|c| c.to_string())))
        .collect();
    assert_eq!(
        got,
        [
            (2, Some("2 法人番号".to_owned())),
            (5, Some("3 処理区分".to_owned())),
            (6, None),
            (7, Some("5 更新年月日".to_owned())),
            (7, Some("9 法人種別".to_owned())),
            (8, Some("10 国内所在地(都道府県)".to_owned())),
        ]
    );
    let msgs: Vec<String> = file.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(msgs[0].contains("check digit"), "{}", msgs[0]);
    assert!(
        msgs[2].contains("expected 30 columns, found 29"),
        "{}",
        msgs[2]
    );
    assert!(
        msgs[0].starts_with("line 2, column 2 法人番号:"),
        "{}",
        msgs[0]
    );
}

#[test]
fn garbage_never_panics() {
    for input in [
        &b""[..],
        b"\r\n\r\n",
        b"\"",
        b"\"\"\"",
        b",,,,",
        b"\xff\xfe\x00\x01",
        b"1,2,3\r\n\"unterminated",
        &[0x82, 0xA0, b',', 0x22, 0x22, 0x22][..],
    ] {
        let file = read_csv(input).unwrap();
        assert!(file.rows.is_empty());
    }
    let file = read_csv(&b"\"unterminated,1,2"[..]).unwrap();
    assert!(file.diagnostics[0].message.contains("unterminated"));
}

#[test]
fn the_api_envelope_line_is_recognised_and_written() {
    let text = format!("2017-01-19,5499,1,3\r\n{SAMPLE}\r\n");
    let file = read_csv(text.as_bytes()).unwrap();
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    let env = file.envelope.unwrap();
    assert_eq!(env.last_update_date, date(2017, 1, 19));
    assert_eq!(
        (env.count, env.divide_number, env.divide_size),
        (5499, 1, 3)
    );
    assert_eq!(file.rows.len(), 1);
    let mut w = CsvWriter::new(Vec::new(), TextEncoding::Utf8);
    w.write_envelope(&env).unwrap();
    w.write_row(&file.rows[0]).unwrap();
    assert_eq!(w.into_inner().unwrap(), text.as_bytes());
}

#[test]
fn deviations_from_the_layout_are_kept_for_a_byte_identical_round_trip() {
    // Quoted codes, `""` for empty text, a bare text field, a padded 一連番号; LF line ends
    // are accepted (and written as CRLF).
    let row = "0001,1010001091219,\"21\",0,2017-01-04,2016-12-22,\"株式会社アオバ・インターナショナル\",,301,東京都,\"中央区\",\"京橋２丁目９番９号\",,13,102,1040031,\"\",,2016-12-22,01,,,2015-10-05,1,,,,,\"アオバインターナショナル\",0\r\n";
    let file = read_csv(row.as_bytes()).unwrap();
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    let c = &file.rows[0];
    assert_eq!(c.sequence_number, 1);
    assert!(!c.source.is_canonical());
    assert_eq!(
        write_csv(&file.rows, TextEncoding::Utf8, false).unwrap(),
        row.as_bytes()
    );
    let lf = format!("{SAMPLE}\n{SAMPLE}");
    let file = read_csv(lf.as_bytes()).unwrap();
    assert_eq!(file.rows.len(), 2);
    assert!(file.diagnostics.is_empty());
}

#[test]
fn rows_built_in_code_are_written_in_the_nta_layout() {
    let mut c = Corporation::new(CorpNumber::parse("1010001091219").unwrap());
    c.sequence_number = 1;
    c.process = Process::Closed;
    c.correct = Some(false);
    c.update_date = Some(date(2017, 1, 4));
    c.change_date = Some(date(2016, 12, 22));
    c.name = "株式会社アオバ・インターナショナル".into();
    c.kind = Some(Kind::StockCompany);
    c.prefecture_name = "東京都".into();
    c.city_name = "中央区".into();
    c.street_number = "京橋２丁目９番９号".into();
    c.prefecture_code = Some(13);
    c.city_code = Some(102);
    c.post_code = "1040031".into();
    c.close_date = Some(date(2016, 12, 22));
    c.close_cause = Some(CloseCause::Liquidated);
    c.assignment_date = Some(date(2015, 10, 5));
    c.latest = Some(true);
    c.furigana = "アオバインターナショナル".into();
    c.hihyoji = Some(false);
    let out = write_csv(&[c], TextEncoding::Utf8, false).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), format!("{SAMPLE}\r\n"));
}

proptest::proptest! {
    #[test]
    fn any_text_round_trips_through_the_writer_and_reader(
        name in "[\"a,\r\nア株式会社髙﨑 ・ー-]{1,12}",
        street in "[\"a,\r\n１２３丁目]{0,8}",
        en in "[\"A-Za-z ,.]{0,10}",
    ) {
        let mut c = read_csv(SAMPLE.as_bytes()).unwrap().rows.remove(0);
        c.name = name;
        c.street_number = street;
        c.en_name = en;
        let bytes = write_csv(std::slice::from_ref(&c), TextEncoding::Utf8, false).unwrap();
        let back = read_csv(&bytes[..]).unwrap();
        proptest::prop_assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
        proptest::prop_assert_eq!(&back.rows, &vec![c]);
        proptest::prop_assert_eq!(write_csv(&back.rows, TextEncoding::Utf8, false).unwrap(), bytes);
    }
}

/// Shift_JIS through encoding_rs one run at a time, as the encoder was written before its
/// lookup table: the reference the table-driven encoder must match byte for byte.
fn shift_jis_reference(s: &str) -> (Vec<u8>, usize) {
    use encoding_rs::{EncoderResult, SHIFT_JIS};
    let encodes = |c: char| {
        let mut e = SHIFT_JIS.new_encoder();
        let (mut b, mut tmp) = ([0u8; 4], [0u8; 8]);
        match e.encode_from_utf8_without_replacement(c.encode_utf8(&mut b), &mut tmp, true) {
            (EncoderResult::InputEmpty, _, w) => Some(tmp[..w].to_vec()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let mut replaced = 0;
    let mut enc = SHIFT_JIS.new_encoder();
    let mut rest = s;
    loop {
        let mut buf = vec![0u8; rest.len() * 2 + 8];
        let (res, read, written) = enc.encode_from_utf8_without_replacement(rest, &mut buf, true);
        out.extend_from_slice(&buf[..written]);
        rest = &rest[read..];
        match res {
            EncoderResult::InputEmpty => return (out, replaced),
            EncoderResult::OutputFull => continue,
            EncoderResult::Unmappable(ch) => {
                replaced += 1;
                let sub = fold::shinjitai(ch)
                    .and_then(encodes)
                    .unwrap_or_else(|| encodes('〓').unwrap());
                out.extend_from_slice(&sub);
            }
        }
    }
}

#[test]
fn shift_jis_encoding_matches_encoding_rs_for_every_character() {
    // Every Unicode scalar value of the BMP alone, then some beyond it.
    let mut one = String::new();
    for cp in (0..0x1_0000u32).chain([0x1F600, 0x20B9F, 0x2A6B2, 0x10FFFF]) {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        one.clear();
        one.push(c);
        let mut got = Vec::new();
        let n = csv::encode_shift_jis(&one, &mut got);
        assert_eq!((got, n), shift_jis_reference(&one), "U+{cp:04X}");
    }
    // Mixed text: ASCII runs, kana, kanji, half-width kana, 旧字体 that fall back, emoji.
    let mixed = "1,1010001091219,01,0,2015-10-05,\"株式会社髙橋商事\",ｱｲｳｴｵ,﨑,～〜‐−¥‾,😀𠮷,\"ABC\"\r\n齋藤屋　ＡＢＣ①㈱";
    let mut got = Vec::new();
    let n = csv::encode_shift_jis(mixed, &mut got);
    let (want, m) = shift_jis_reference(mixed);
    assert_eq!(got, want);
    assert_eq!(n, m);
    assert!(n >= 2, "the emoji and 𠮷 have no Shift_JIS form");
}

proptest::proptest! {
    /// Any text, appended after what the buffer already holds, encodes as encoding_rs
    /// does with the same fallback (the encoder writes into space it reserves itself).
    #[test]
    fn shift_jis_encoding_of_any_text_matches_encoding_rs(
        head in proptest::collection::vec(proptest::num::u8::ANY, 0..4),
        s in "(\\PC|[ -~]{1,12}|[ぁ-んァ-ヶ一-龠ｦ-ﾟ]{1,6}){0,40}",
    ) {
        let mut got = head.clone();
        let n = csv::encode_shift_jis(&s, &mut got);
        let (want, m) = shift_jis_reference(&s);
        proptest::prop_assert_eq!(&got[..head.len()], &head[..]);
        proptest::prop_assert_eq!(&got[head.len()..], &want[..]);
        proptest::prop_assert_eq!(n, m);
    }
}
