use jiff::civil::date;
use mamori_corp::*;

use super::fixture;

fn envelope(count: u64) -> Envelope {
    Envelope {
        last_update_date: date(2026, 5, 29),
        count,
        divide_number: 1,
        divide_size: 1,
    }
}

#[test]
fn csv_to_xml_to_csv_is_lossless_and_xml_round_trips_byte_identically() {
    let csv = read_csv(fixture().as_bytes()).unwrap();
    let xml = write_xml(&csv.rows, &envelope(csv.rows.len() as u64)).unwrap();
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<corporations>\n  <lastUpdateDate>2026-05-29</lastUpdateDate>\n  <count>12</count>\n"
    ), "{text}");
    assert!(text.contains("\n    <corporateNumber>1010001091219</corporateNumber>\n"));
    assert!(text.contains("\n    <closeCause>01</closeCause>\n"));
    assert!(text.contains("\n    <nameImageId/>\n"));
    assert!(
        text.contains("<name>一般社団法人\"みらい\"協会</name>")
            || text.contains("<name>一般社団法人&quot;みらい&quot;協会</name>")
    );
    assert!(text.ends_with("</corporation>\n</corporations>\n"));

    let back = read_xml(&xml[..]).unwrap();
    assert!(back.diagnostics.is_empty(), "{:#?}", back.diagnostics);
    assert_eq!(back.envelope, Some(envelope(12)));
    assert_eq!(back.rows, csv.rows);
    assert_eq!(write_xml(&back.rows, &envelope(12)).unwrap(), xml);
    assert_eq!(
        String::from_utf8(write_csv(&back.rows, TextEncoding::Utf8, false).unwrap()).unwrap(),
        fixture()
    );
}

/// An API response as published (go-corp testdata layout), with a self-closing element
/// written with a space, an entity and a character reference.
const RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<corporations>
  <lastUpdateDate>2021-07-20</lastUpdateDate>
  <count>2</count>
  <divideNumber>1</divideNumber>
  <divideSize>1</divideSize>
  <corporation>
    <sequenceNumber>1</sequenceNumber>
    <corporateNumber>5070001032626</corporateNumber>
    <process>12</process>
    <correct>0</correct>
    <updateDate>2021-06-09</updateDate>
    <changeDate>2021-06-02</changeDate>
    <name>株式会社Ｆ&amp;Ｆ&#x30A2;</name>
    <nameImageId/>
    <kind>301</kind>
    <prefectureName>群馬県</prefectureName>
    <cityName>高崎市</cityName>
    <streetNumber>飯塚町１４７番地４</streetNumber>
    <addressImageId/>
    <prefectureCode>10</prefectureCode>
    <cityCode>202</cityCode>
    <postCode>3700069</postCode>
    <addressOutside/>
    <addressOutsideImageId/>
    <closeDate />
    <closeCause/>
    <successorCorporateNumber/>
    <changeCause/>
    <assignmentDate>2016-09-05</assignmentDate>
    <latest>1</latest>
    <enName/>
    <enPrefectureName/>
    <enCityName/>
    <enAddressOutside/>
    <furigana>エフアンドエフア</furigana>
    <hihyoji>0</hihyoji>
  </corporation>
  <corporation>
    <sequenceNumber>2</sequenceNumber>
    <corporateNumber>5070001032627</corporateNumber>
    <process>12</process>
    <correct>0</correct>
    <updateDate>2021-06-31</updateDate>
    <name>x</name>
    <kind>301</kind>
    <assignmentDate>2016-09-05</assignmentDate>
    <latest>1</latest>
  </corporation>
</corporations>
"#;

#[test]
fn an_api_response_reads_with_entities_and_diagnostics() {
    let file = read_xml(RESPONSE.as_bytes()).unwrap();
    assert_eq!(file.envelope.unwrap().count, 2);
    assert_eq!(file.rows.len(), 1);
    let c = &file.rows[0];
    assert_eq!(c.name, "株式会社Ｆ&Ｆア");
    assert_eq!(c.process, Process::DomesticAddressChange);
    assert_eq!(c.city_code, Some(202));
    assert_eq!(c.close_date, None);
    assert_eq!(c.hihyoji, Some(false));
    // The second corporation: bad check digit and an impossible date, reported at the line
    // of its <corporation> element.
    let got: Vec<(u64, String)> = file
        .diagnostics
        .iter()
        .map(|d| (d.line, d.column.unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (39, "2 法人番号".to_owned()),
            (39, "5 更新年月日".to_owned())
        ]
    );
}

#[test]
fn malformed_xml_is_an_error_not_a_panic() {
    let err = read_xml(&b"<corporations><corporation><name>x</corporation>"[..]).unwrap_err();
    assert!(err.line >= 1);
    assert!(read_xml(&b""[..]).unwrap().rows.is_empty());
    assert!(
        read_xml(&b"<corporations><corporation><bogus/></corporation></corporations>"[..])
            .unwrap()
            .diagnostics[0]
            .message
            .contains("bogus")
    );
}
