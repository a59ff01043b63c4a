//! Search folding of corporation names and フリガナ (domain notes §3).
//!
//! [`fold`] is the character folding applied to both the stored names and the query:
//!
//! 1. NFKC (full-width ASCII → ASCII, half-width kana → full-width, ㈱ → (株), ㍿ → 株式会社,
//!    CJK compatibility ideographs → unified ones);
//! 2. 旧字体 → 新字体 for common name characters ([`shinjitai`], [`SHINJITAI`]);
//! 3. hiragana → katakana;
//! 4. Latin → upper case;
//! 5. removal of 中点 (・ ･ ·) and of all white space;
//! 6. dash and 長音 variants (- ‐ ‑ ‒ – — ― − ｰ ─ …) → ー.
//!
//! The NTA's own あいまい検索 (`target=1`) documents 3–5 only; NFKC, the 新字体 table and
//! the 法人格 handling of [`fold_name`] are mamori's additions (unconfirmed against the NTA).

use unicode_normalization::UnicodeNormalization;

macro_rules! shinjitai_table {
    ($($old:literal => $new:literal,)*) => {
        /// 旧字体 (and other variant) → 新字体 pairs folded by [`fold`].
        pub const SHINJITAI: &[(char, char)] = &[$(($old, $new)),*];

        /// The 新字体 for a 旧字体 or variant character of the table, if any.
        pub fn shinjitai(c: char) -> Option<char> {
            match c {
                $($old => Some($new),)*
                _ => None,
            }
        }
    };
}

shinjitai_table! {
    '髙' => '高', '﨑' => '崎', '嵜' => '崎', '齋' => '斎', '齊' => '斎',
    '邊' => '辺', '邉' => '辺', '澤' => '沢', '濱' => '浜', '廣' => '広',
    '國' => '国', '櫻' => '桜', '嶋' => '島', '嶌' => '島', '德' => '徳',
    '龍' => '竜', '槇' => '槙', '曾' => '曽', '冨' => '富', '會' => '会',
    '團' => '団', '學' => '学', '藝' => '芸', '實' => '実', '寶' => '宝',
    '眞' => '真', '榮' => '栄', '惠' => '恵', '圓' => '円', '淺' => '浅',
    '關' => '関', '鐵' => '鉄', '鑛' => '鉱', '縣' => '県', '驛' => '駅',
    '豐' => '豊', '藏' => '蔵', '壽' => '寿', '萬' => '万', '舘' => '館',
    '瀨' => '瀬', '彌' => '弥', '禮' => '礼', '靜' => '静', '與' => '与',
    '傳' => '伝', '變' => '変', '樂' => '楽', '衞' => '衛', '號' => '号',
    '醫' => '医', '發' => '発', '經' => '経', '營' => '営', '黑' => '黒',
    '綠' => '緑', '淸' => '清', '靑' => '青', '來' => '来', '辯' => '弁',
    '辨' => '弁', '檜' => '桧', '嶽' => '岳', '兒' => '児', '亞' => '亜',
    '爲' => '為', '壹' => '壱', '氣' => '気', '莊' => '荘', '應' => '応',
    '擴' => '拡', '舊' => '旧', '劍' => '剣', '險' => '険', '顯' => '顕',
    '廳' => '庁', '證' => '証', '總' => '総', '鹽' => '塩', '條' => '条',
    '乘' => '乗', '將' => '将', '燒' => '焼', '從' => '従', '壯' => '壮',
    '裝' => '装', '藥' => '薬', '譯' => '訳', '驗' => '験', '勞' => '労',
    '賣' => '売', '讀' => '読', '寫' => '写', '兩' => '両', '單' => '単',
    '當' => '当', '黨' => '党', '對' => '対', '臺' => '台', '濟' => '済',
    '齒' => '歯', '處' => '処', '戰' => '戦', '錢' => '銭', '邨' => '村',
    '埜' => '野', '峯' => '峰', '桒' => '桑', '晝' => '昼', '畫' => '画',
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{2500}'
                | '\u{2501}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
                | '\u{FF70}'
                | '\u{02D7}'
                | '\u{30FC}'
                | '\u{301C}'
                | '\u{FF5E}'
                | '~'
    )
}

fn is_nakaguro(c: char) -> bool {
    matches!(c, '・' | '･' | '·' | '\u{2027}' | '\u{2219}' | '\u{22C5}')
}

/// Folds a string for search (see the module docs), appending to `out`.
pub fn fold_into(s: &str, out: &mut String) {
    for c in s.nfkc() {
        let c = shinjitai(c).unwrap_or(c);
        match c {
            '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
                out.push(char::from_u32(u32::from(c) + 0x60).unwrap_or(c));
            }
            c if is_nakaguro(c) || c.is_whitespace() => {}
            c if is_dash(c) => out.push('ー'),
            c if c.is_ascii_lowercase() => out.push(c.to_ascii_uppercase()),
            c if c.is_lowercase() => out.extend(c.to_uppercase()),
            c => out.push(c),
        }
    }
}

/// Folds a string for search (see the module docs).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Where the 法人格 stands in a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Position {
    /// 前株: 株式会社アオバ.
    Before,
    /// 後株: アオバ株式会社.
    After,
    /// No 法人格 recognised.
    None,
}

/// A name folded for search.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Folded {
    /// The folded whole name, abbreviations ((株), ㈱, （有） …) expanded to the full
    /// 法人格 so that `(株)アオバ` and `株式会社アオバ` fold alike.
    pub full: String,
    /// The folded name without the 法人格 (equal to `full` when none was recognised).
    pub core: String,
    /// The 法人格 recognised, in full (株式会社, 一般社団法人 …).
    pub kind_word: Option<&'static str>,
    /// Whether it stood before or after the core.
    pub position: Position,
}

/// 法人格 recognised at the start or end of a folded name (the longest match wins).
pub const KIND_WORDS: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "合名会社",
    "合資会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社団法人",
    "財団法人",
    "特定非営利活動法人",
    "社会福祉法人",
    "学校法人",
    "医療法人",
    "医療法人社団",
    "医療法人財団",
    "宗教法人",
    "独立行政法人",
    "地方独立行政法人",
    "国立大学法人",
    "協同組合",
    "事業協同組合",
    "農業協同組合",
    "漁業協同組合",
    "生活協同組合",
    "消費生活協同組合",
    "信用協同組合",
    "企業組合",
    "協業組合",
    "信用金庫",
    "農事組合法人",
    "管理組合法人",
    "弁護士法人",
    "税理士法人",
    "司法書士法人",
    "行政書士法人",
    "社会保険労務士法人",
    "監査法人",
    "特許業務法人",
    "相互会社",
    "特定目的会社",
];

/// Abbreviations and spellings of a 法人格 (in folded form) and the 法人格 they stand for.
/// ㈱ ㈲ ㈳ ㈶ ㈻ ㈼ ㈽ ㈾ ㈿ and （株） fold to these by NFKC.
pub const KIND_ABBREVIATIONS: &[(&str, &str)] = &[
    ("(株)", "株式会社"),
    ("(有)", "有限会社"),
    ("(同)", "合同会社"),
    ("(名)", "合名会社"),
    ("(資)", "合資会社"),
    ("(一社)", "一般社団法人"),
    ("(一財)", "一般財団法人"),
    ("(公社)", "公益社団法人"),
    ("(公財)", "公益財団法人"),
    ("(社)", "社団法人"),
    ("(財)", "財団法人"),
    ("(特非)", "特定非営利活動法人"),
    ("(NPO)", "特定非営利活動法人"),
    ("NPO法人", "特定非営利活動法人"),
    ("(福)", "社会福祉法人"),
    ("(社福)", "社会福祉法人"),
    ("(学)", "学校法人"),
    ("(医)", "医療法人"),
    ("(医社)", "医療法人社団"),
    ("(医財)", "医療法人財団"),
    ("(宗)", "宗教法人"),
    ("(独)", "独立行政法人"),
    ("(協)", "協同組合"),
    ("(企)", "企業組合"),
    ("(監)", "監査法人"),
    ("カブシキガイシャ", "株式会社"),
    ("カブシキカイシャ", "株式会社"),
    ("ユウゲンガイシャ", "有限会社"),
    ("ユウゲンカイシャ", "有限会社"),
    ("ゴウドウガイシャ", "合同会社"),
    ("ゴウドウカイシャ", "合同会社"),
];

/// The longest 法人格 (or abbreviation) at the start (`prefix = true`) or end of `s`:
/// (length in bytes, full 法人格).
fn match_kind(s: &str, prefix: bool) -> Option<(usize, &'static str)> {
    let hit = |w: &str| {
        if prefix {
            s.starts_with(w)
        } else {
            s.ends_with(w)
        }
    };
    let words = KIND_WORDS.iter().map(|w| (*w, *w));
    words
        .chain(KIND_ABBREVIATIONS.iter().copied())
        .filter(|(w, _)| w.len() < s.len() && hit(w))
        .max_by_key(|(w, _)| w.len())
        .map(|(w, full)| (w.len(), full))
}

/// Folds a corporation name (or a query) and separates the 法人格.
///
/// The 法人格 is recognised at the start (前株) or, failing that, at the end (後株), written
/// out or abbreviated ((株) （株） ㈱ ㍿ (有) ㈲ (同) (一社) …, see [`KIND_ABBREVIATIONS`]).
/// A name that is nothing but a 法人格 keeps it as its core.
pub fn fold_name(s: &str) -> Folded {
    let full = fold(s);
    if let Some((len, word)) = match_kind(&full, true) {
        let core = full[len..].to_owned();
        return Folded {
            full: format!("{word}{core}"),
            core,
            kind_word: Some(word),
            position: Position::Before,
        };
    }
    if let Some((len, word)) = match_kind(&full, false) {
        let core = full[..full.len() - len].to_owned();
        return Folded {
            full: format!("{core}{word}"),
            core,
            kind_word: Some(word),
            position: Position::After,
        };
    }
    Folded {
        core: full.clone(),
        full,
        kind_word: None,
        position: Position::None,
    }
}

/// Folds a フリガナ (or a kana query): NFKC, hiragana → katakana, Latin → upper case,
/// no spaces or 中点, dashes → ー. Voiced and small kana are kept (see [`gojuon_key`]).
pub fn fold_kana(s: &str) -> String {
    fold(s)
}

fn unsmall(c: char) -> char {
    match c {
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        'ㇰ' => 'ク',
        'ㇱ' => 'シ',
        'ㇲ' => 'ス',
        'ㇳ' => 'ト',
        'ㇵ' => 'ハ',
        'ㇶ' => 'ヒ',
        'ㇷ' => 'フ',
        'ㇸ' => 'ヘ',
        'ㇹ' => 'ホ',
        'ㇻ' => 'ラ',
        'ㇼ' => 'リ',
        'ㇽ' => 'ル',
        'ㇾ' => 'レ',
        'ㇿ' => 'ロ',
        c => c,
    }
}

fn vowel(c: char) -> Option<char> {
    const ROWS: [(&str, char); 5] = [
        ("アカサタナハマヤラワ", 'ア'),
        ("イキシチニヒミリヰ", 'イ'),
        ("ウクスツヌフムユルヴ", 'ウ'),
        ("エケセテネヘメレヱ", 'エ'),
        ("オコソトノホモヨロヲ", 'オ'),
    ];
    ROWS.iter()
        .find(|(row, _)| row.contains(c))
        .map(|(_, v)| *v)
}

/// A sort key for 五十音順 by フリガナ (close to JIS X 4061).
///
/// Primary: the folded kana with voiced and semi-voiced marks removed (ガ → カ, パ → ハ,
/// ヴ → ウ), small kana made large (ッ → ツ, ャ → ヤ), ー replaced by the vowel of the
/// preceding kana (カー → カア) and ヽ ヾ by the preceding kana. Ties are broken by the
/// folded kana itself, which orders 清音 < 濁音 < 半濁音 and small < large. Compare keys as
/// strings.
pub fn gojuon_key(s: &str) -> String {
    let folded = fold_kana(s);
    let mut key = String::with_capacity(folded.len() * 2 + 1);
    let mut prev: Option<char> = None;
    for c in folded.nfd() {
        let c = match c {
            '\u{3099}' | '\u{309A}' => continue,
            'ヽ' | 'ヾ' => match prev {
                Some(p) => p,
                None => c,
            },
            'ー' => prev.and_then(vowel).unwrap_or(c),
            c => unsmall(c),
        };
        // ヴ decomposes to ウ + U+3099 under NFD, so it is already ウ here.
        key.push(c);
        prev = Some(c);
    }
    key.push('\u{1}');
    key.push_str(&folded);
    key
}
