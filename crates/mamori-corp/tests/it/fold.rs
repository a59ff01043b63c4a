use mamori_corp::fold::{SHINJITAI, shinjitai};
use mamori_corp::*;

#[test]
fn mae_kabu_and_ato_kabu_with_and_without_the_hojinkaku() {
    let before = fold_name("株式会社アオバ・インターナショナル");
    assert_eq!(before.core, "アオバインターナショナル");
    assert_eq!(before.kind_word, Some("株式会社"));
    assert_eq!(before.position, Position::Before);
    assert_eq!(before.full, "株式会社アオバインターナショナル");

    let after = fold_name("アオバ・インターナショナル株式会社");
    assert_eq!(after.core, "アオバインターナショナル");
    assert_eq!(after.position, Position::After);
    assert_eq!(after.full, "アオバインターナショナル株式会社");

    let bare = fold_name("アオバ・インターナショナル");
    assert_eq!(bare.core, before.core);
    assert_eq!(bare.kind_word, None);
    assert_eq!(bare.position, Position::None);

    // A name that is only a 法人格 keeps it.
    assert_eq!(fold_name("株式会社").position, Position::None);
    assert_eq!(fold_name("株式会社").core, "株式会社");
}

#[test]
fn abbreviations_in_front_or_behind() {
    for name in [
        "(株)アオバ",
        "（株）アオバ",
        "㈱アオバ",
        "㍿アオバ",
        "（株） アオバ",
        "カブシキガイシャアオバ",
        "株式會社アオバ",
    ] {
        let f = fold_name(name);
        assert_eq!(f.full, "株式会社アオバ", "{name}");
        assert_eq!(f.core, "アオバ", "{name}");
        assert_eq!(f.position, Position::Before, "{name}");
    }
    for name in ["アオバ(株)", "アオバ㈱", "アオバ（株）", "あおば株式会社"] {
        let f = fold_name(name);
        assert_eq!(f.full, "アオバ株式会社", "{name}");
        assert_eq!(f.position, Position::After, "{name}");
    }
    let cases = [
        ("㈲山田商店", "有限会社", "山田商店"),
        ("(有)山田商店", "有限会社", "山田商店"),
        ("ABC(同)", "合同会社", "ABC"),
        ("(一社)日本ＡＢＣ協会", "一般社団法人", "日本ABC協会"),
        ("公益財団法人日本ＸＹＺ財団", "公益財団法人", "日本XYZ財団"),
        ("医療法人社団健康会", "医療法人社団", "健康会"),
        ("医療法人健康会", "医療法人", "健康会"),
        (
            "特定非営利活動法人みどりの森",
            "特定非営利活動法人",
            "ミドリノ森",
        ),
        ("社会福祉法人ひかり会", "社会福祉法人", "ヒカリ会"),
        ("学校法人青葉学園", "学校法人", "青葉学園"),
        ("宗教法人光明寺", "宗教法人", "光明寺"),
        ("東京みどり農業協同組合", "農業協同組合", "東京ミドリ"),
        ("協同組合青葉商店会", "協同組合", "青葉商店会"),
        ("合名会社鈴木商会", "合名会社", "鈴木商会"),
        ("佐藤商事合資会社", "合資会社", "佐藤商事"),
    ];
    for (name, kind, core) in cases {
        let f = fold_name(name);
        assert_eq!((f.kind_word, f.core.as_str()), (Some(kind), core), "{name}");
    }
}

#[test]
fn width_case_and_kana_fold_alike() {
    assert_eq!(fold("ＡＢＣ商事"), "ABC商事");
    assert_eq!(fold("abc商事"), "ABC商事");
    assert_eq!(fold("ａｂｃ　商事"), "ABC商事");
    assert_eq!(fold("ｱｵﾊﾞ"), "アオバ");
    assert_eq!(fold("あおば"), "アオバ");
    assert_eq!(fold("ゔぁいおりん"), "ヴァイオリン");
    assert_eq!(fold("ジェイ・テック"), "ジェイテック");
    assert_eq!(fold("ｼﾞｪｲ･ﾃｯｸ"), "ジェイテック");
    assert_eq!(fold("スｰパｰ"), "スーパー");
    assert_eq!(fold("ス－パ―"), "スーパー");
    assert_eq!(fold("E-COM"), "EーCOM");
    assert_eq!(fold("Ｆ＆Ｆ"), "F&F");
}

#[test]
fn old_character_forms_fold_to_new_ones() {
    assert_eq!(fold("髙島屋"), fold("高島屋"));
    assert_eq!(fold("山﨑製パン"), fold("山崎製パン"));
    assert_eq!(fold("齋藤"), "斎藤");
    assert_eq!(fold("齊藤"), "斎藤");
    assert_eq!(fold("渡邊"), "渡辺");
    assert_eq!(fold("渡邉"), "渡辺");
    assert_eq!(fold("長澤"), "長沢");
    assert_eq!(fold("濱田"), "浜田");
    assert_eq!(fold("廣瀬"), "広瀬");
    assert_eq!(fold("大和國"), "大和国");
    assert_eq!(fold("櫻井"), "桜井");
    assert_eq!(fold("小嶋"), "小島");
    assert_eq!(fold("德川"), "徳川");
    assert_eq!(fold("龍野"), "竜野");
    assert_eq!(fold("槇原"), "槙原");
    assert_eq!(fold("曾根"), "曽根");
    assert_eq!(fold("冨田"), "富田");
    // A CJK compatibility ideograph (U+FA10 塚) folds by NFKC.
    assert_eq!(fold("\u{FA10}本"), "塚本");
    assert!(SHINJITAI.len() >= 40);
    for (old, new) in SHINJITAI {
        assert_eq!(shinjitai(*old), Some(*new));
        assert_ne!(old, new);
        assert_eq!(shinjitai(*new), None, "{new} is itself folded");
    }
}

#[test]
fn partial_names_match_the_folded_core() {
    let stored = fold_name("株式会社アオバ・インターナショナル");
    for query in ["アオバ", "あおば・いんたー", "ｲﾝﾀｰﾅｼｮﾅﾙ", "バ・イン"]
    {
        let q = fold_name(query);
        assert!(stored.core.contains(&q.core), "{query}");
    }
    assert!(stored.core.starts_with(&fold_name("㈱アオバ").core));
    // A 後株 and a 前株 spelling of the same corporation share the core.
    assert_eq!(
        fold_name("髙橋物産合同会社").core,
        fold_name("合同会社　高橋物産").core
    );
}

#[test]
fn gojuon_keys_sort_like_a_dictionary() {
    let mut words = vec![
        "ガッコウ",
        "カガク",
        "カッコウ",
        "カーテン",
        "カカク",
        "カアテン",
        "あい",
        "アイ",
    ];
    words.sort_by_key(|w| gojuon_key(w));
    assert_eq!(
        words,
        [
            "あい",
            "アイ",
            "カアテン",
            "カーテン",
            "カカク",
            "カガク",
            "カッコウ",
            "ガッコウ"
        ]
    );
    assert_eq!(fold_kana("ｶﾌﾞｼｷ がいしゃ"), "カブシキガイシャ");
    assert!(gojuon_key("パン") > gojuon_key("バン"));
    assert!(gojuon_key("バン") > gojuon_key("ハン"));
    assert!(gojuon_key("ハン") < gojuon_key("ヒ"));
}
