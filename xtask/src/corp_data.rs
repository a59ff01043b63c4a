//! `xtask corp-data DIR [COUNT] [--seed N] [--date YYYY-MM-DD] [--days N] [--no-xml]`:
//! deterministic, realistic 法人番号 data in the NTA download layout, at any size up to the
//! ~5.8 million corporations of the real 全件.
//!
//! Files written to DIR (`YYYYMMDD` = the 全件 作成日, `--date`, default 2026-05-29):
//! - `00_zenkoku_all_YYYYMMDD.csv`: 全件, CSV・Unicode (latest row of every corporation);
//! - `00_zenkoku_all_YYYYMMDD_sjis.csv`: the same in Shift_JIS;
//! - `00_zenkoku_all_YYYYMMDD.xml`: the same as XML (skipped with `--no-xml`);
//! - `00_zenkoku_history_YYYYMMDD.csv`: every history row (最新履歴 0 and 1), as the
//!   Web-API returns with `history=1`;
//! - `diff_YYYYMMDD.csv` for the next `--days` business days (default 5): 差分 files that
//!   together use every 処理区分 and one 訂正;
//! - `expected.json`: counts to check an import against (see [`Summary`]).
//!
//! Every corporation is a pure function of (seed, index), so the diff targets are
//! regenerated on demand and nothing is held in memory but one corporation at a time.
//! Numbers have valid check digits; codes, prefectures and cities are real (a table of the
//! 47 prefectures with a few municipalities each); names mix 前株 and 後株, kana and
//! alphanumerics, and some old character forms (髙, 﨑, 齋, 邊 …).
//!
//! Not confirmed against the NTA: the 会社法人等番号 layout used for the generated numbers
//! (2-digit prefecture + 2-digit branch + 2-digit type + 6-digit serial), image ids (never
//! generated), the close fields of 81 rows (事由 31 assumed).

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use jiff::civil::{Date, Weekday};
use mamori_corp::{
    CloseCause, CorpNumber, Corporation, CsvWriter, Envelope, Kind, Process, TextEncoding,
    XmlWriter, apply,
};
use serde::Serialize;

/// Options of the generator.
#[derive(Clone, Debug)]
pub struct Options {
    /// Corporations in the 全件.
    pub count: u64,
    /// PRNG seed.
    pub seed: u64,
    /// 作成日 of the 全件 (the 差分 files follow on the next business days).
    pub date: Date,
    /// Number of 差分 files.
    pub days: usize,
    /// Write the XML variant.
    pub xml: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            count: 10_000,
            seed: 1,
            date: jiff::civil::date(2026, 5, 29),
            days: 5,
            xml: true,
        }
    }
}

/// `expected.json`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// The seed used.
    pub seed: u64,
    /// 作成日 of the 全件.
    pub date: String,
    /// File name → (rows, bytes).
    pub files: BTreeMap<String, FileInfo>,
    /// Counts over the 全件 rows.
    pub full: Counts,
    /// History rows (file `00_zenkoku_history_…`).
    pub history_rows: u64,
    /// Corporations with more than one history row.
    pub with_history: u64,
    /// Characters the Shift_JIS file had to replace.
    pub sjis_replacements: u64,
    /// One entry per 差分 file.
    pub diffs: Vec<DiffInfo>,
    /// The state after applying every 差分 to the 全件 in order.
    pub after_diffs: AfterDiffs,
}

/// Rows and size of one file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileInfo {
    /// Rows (corporations) written.
    pub rows: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Counts over a set of rows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Rows.
    pub rows: u64,
    /// By 法人種別 code.
    pub by_kind: BTreeMap<String, u64>,
    /// By 処理区分 code.
    pub by_process: BTreeMap<String, u64>,
    /// By 閉鎖等の事由 code (closed corporations only).
    pub by_close_cause: BTreeMap<String, u64>,
    /// By 都道府県コード ("" = 国外 only).
    pub by_prefecture: BTreeMap<String, u64>,
    /// Closed corporations.
    pub closed: u64,
    /// Rows with a 承継先法人番号.
    pub with_successor: u64,
    /// Rows with a フリガナ.
    pub with_furigana: u64,
    /// Rows with an English name.
    pub with_en_name: u64,
    /// Rows with a 国外所在地.
    pub with_address_outside: u64,
    /// Rows flagged 検索対象除外.
    pub hihyoji: u64,
    /// Rows whose name holds an old character form (folded by mamori_corp::fold).
    pub old_character_forms: u64,
    /// 前株 names (the 法人格 before the name).
    pub mae_kabu: u64,
    /// 後株 names.
    pub ato_kabu: u64,
}

impl Counts {
    fn add(&mut self, c: &Corporation) {
        self.rows += 1;
        *self
            .by_kind
            .entry(c.kind.map(Kind::code).unwrap_or("").into())
            .or_default() += 1;
        *self.by_process.entry(c.process.code().into()).or_default() += 1;
        if let Some(cause) = c.close_cause {
            *self.by_close_cause.entry(cause.code().into()).or_default() += 1;
        }
        *self
            .by_prefecture
            .entry(
                c.prefecture_code
                    .map(|p| format!("{p:02}"))
                    .unwrap_or_default(),
            )
            .or_default() += 1;
        self.closed += u64::from(c.is_closed());
        self.with_successor += u64::from(c.successor.is_some());
        self.with_furigana += u64::from(!c.furigana.is_empty());
        self.with_en_name += u64::from(!c.en_name.is_empty());
        self.with_address_outside += u64::from(!c.address_outside.is_empty());
        self.hihyoji += u64::from(c.is_hihyoji());
        self.old_character_forms += u64::from(
            c.name
                .chars()
                .any(|ch| mamori_corp::fold::shinjitai(ch).is_some()),
        );
        if c.name.starts_with("株式会社") {
            self.mae_kabu += 1;
        } else if c.name.ends_with("株式会社") {
            self.ato_kabu += 1;
        }
    }
}

/// One 差分 file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DiffInfo {
    /// File name.
    pub file: String,
    /// 作成日.
    pub date: String,
    /// Rows.
    pub rows: u64,
    /// By 処理区分 code.
    pub by_process: BTreeMap<String, u64>,
    /// 訂正 rows.
    pub corrections: u64,
    /// Example corporate numbers by 処理区分 code (and "correction").
    pub examples: BTreeMap<String, String>,
}

/// The state after all 差分.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AfterDiffs {
    /// Corporations (全件 + new − deleted).
    pub corporations: u64,
    /// Closed corporations.
    pub closed: u64,
    /// Corporations touched by a 差分 row.
    pub touched: u64,
    /// Corporations created by 01 rows.
    pub created: u64,
    /// Corporations deleted by 99 rows.
    pub deleted: u64,
    /// Corporations whose history a 訂正 replaced.
    pub corrected: u64,
}

// ---------------------------------------------------------------------------------------
// Randomness

/// SplitMix64.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn for_index(seed: u64, i: u64, stream: u64) -> Rng {
        let mut r = Rng(seed
            ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

fn weighted(r: &mut Rng, weights: &[(u64, usize)]) -> usize {
    let total: u64 = weights.iter().map(|w| w.0).sum();
    let mut x = r.below(total);
    for (w, v) in weights {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    weights.last().map(|w| w.1).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Tables

/// (code, name, English name, weight ‰ of corporations).
const PREFECTURES: [(u8, &str, &str, u64); 47] = [
    (1, "北海道", "Hokkaido", 35),
    (2, "青森県", "Aomori", 8),
    (3, "岩手県", "Iwate", 8),
    (4, "宮城県", "Miyagi", 15),
    (5, "秋田県", "Akita", 6),
    (6, "山形県", "Yamagata", 7),
    (7, "福島県", "Fukushima", 12),
    (8, "茨城県", "Ibaraki", 18),
    (9, "栃木県", "Tochigi", 13),
    (10, "群馬県", "Gunma", 14),
    (11, "埼玉県", "Saitama", 40),
    (12, "千葉県", "Chiba", 35),
    (13, "東京都", "Tokyo", 200),
    (14, "神奈川県", "Kanagawa", 60),
    (15, "新潟県", "Niigata", 15),
    (16, "富山県", "Toyama", 7),
    (17, "石川県", "Ishikawa", 8),
    (18, "福井県", "Fukui", 6),
    (19, "山梨県", "Yamanashi", 6),
    (20, "長野県", "Nagano", 14),
    (21, "岐阜県", "Gifu", 13),
    (22, "静岡県", "Shizuoka", 25),
    (23, "愛知県", "Aichi", 55),
    (24, "三重県", "Mie", 10),
    (25, "滋賀県", "Shiga", 7),
    (26, "京都府", "Kyoto", 18),
    (27, "大阪府", "Osaka", 80),
    (28, "兵庫県", "Hyogo", 35),
    (29, "奈良県", "Nara", 6),
    (30, "和歌山県", "Wakayama", 6),
    (31, "鳥取県", "Tottori", 3),
    (32, "島根県", "Shimane", 4),
    (33, "岡山県", "Okayama", 12),
    (34, "広島県", "Hiroshima", 20),
    (35, "山口県", "Yamaguchi", 8),
    (36, "徳島県", "Tokushima", 5),
    (37, "香川県", "Kagawa", 7),
    (38, "愛媛県", "Ehime", 9),
    (39, "高知県", "Kochi", 5),
    (40, "福岡県", "Fukuoka", 40),
    (41, "佐賀県", "Saga", 5),
    (42, "長崎県", "Nagasaki", 8),
    (43, "熊本県", "Kumamoto", 11),
    (44, "大分県", "Oita", 7),
    (45, "宮崎県", "Miyazaki", 7),
    (46, "鹿児島県", "Kagoshima", 10),
    (47, "沖縄県", "Okinawa", 12),
];

/// Municipalities: (prefecture, JIS X 0402 code, name, English, first 3 post-code digits).
/// The first entry of a prefecture is where its office stands. Wards of designated cities
/// appear as the NTA writes them (大阪市北区, code 127).
const CITIES: &[(u8, u16, &str, &str, u16)] = &[
    (1, 101, "札幌市中央区", "Chuo ku, Sapporo shi", 60),
    (1, 202, "函館市", "Hakodate shi", 40),
    (1, 204, "旭川市", "Asahikawa shi", 70),
    (1, 206, "釧路市", "Kushiro shi", 85),
    (2, 201, "青森市", "Aomori shi", 30),
    (2, 202, "弘前市", "Hirosaki shi", 36),
    (2, 203, "八戸市", "Hachinohe shi", 31),
    (3, 201, "盛岡市", "Morioka shi", 20),
    (3, 202, "宮古市", "Miyako shi", 27),
    (3, 205, "花巻市", "Hanamaki shi", 25),
    (4, 101, "仙台市青葉区", "Aoba ku, Sendai shi", 980),
    (4, 202, "石巻市", "Ishinomaki shi", 986),
    (4, 203, "塩竈市", "Shiogama shi", 985),
    (5, 201, "秋田市", "Akita shi", 10),
    (5, 202, "能代市", "Noshiro shi", 16),
    (5, 203, "横手市", "Yokote shi", 13),
    (6, 201, "山形市", "Yamagata shi", 990),
    (6, 202, "米沢市", "Yonezawa shi", 992),
    (6, 203, "鶴岡市", "Tsuruoka shi", 997),
    (7, 201, "福島市", "Fukushima shi", 960),
    (7, 202, "会津若松市", "Aizuwakamatsu shi", 965),
    (7, 203, "郡山市", "Koriyama shi", 963),
    (7, 204, "いわき市", "Iwaki shi", 970),
    (8, 201, "水戸市", "Mito shi", 310),
    (8, 202, "日立市", "Hitachi shi", 317),
    (8, 220, "つくば市", "Tsukuba shi", 305),
    (9, 201, "宇都宮市", "Utsunomiya shi", 320),
    (9, 202, "足利市", "Ashikaga shi", 326),
    (9, 203, "栃木市", "Tochigi shi", 328),
    (10, 201, "前橋市", "Maebashi shi", 371),
    (10, 202, "高崎市", "Takasaki shi", 370),
    (10, 203, "桐生市", "Kiryu shi", 376),
    (11, 107, "さいたま市浦和区", "Urawa ku, Saitama shi", 330),
    (11, 103, "さいたま市大宮区", "Omiya ku, Saitama shi", 330),
    (11, 201, "川越市", "Kawagoe shi", 350),
    (11, 203, "川口市", "Kawaguchi shi", 332),
    (11, 221, "草加市", "Soka shi", 340),
    (12, 101, "千葉市中央区", "Chuo ku, Chiba shi", 260),
    (12, 204, "船橋市", "Funabashi shi", 273),
    (12, 207, "松戸市", "Matsudo shi", 271),
    (12, 217, "柏市", "Kashiwa shi", 277),
    (13, 104, "新宿区", "Shinjuku ku", 160),
    (13, 101, "千代田区", "Chiyoda ku", 100),
    (13, 102, "中央区", "Chuo ku", 104),
    (13, 103, "港区", "Minato ku", 105),
    (13, 105, "文京区", "Bunkyo ku", 112),
    (13, 106, "台東区", "Taito ku", 110),
    (13, 109, "品川区", "Shinagawa ku", 140),
    (13, 111, "大田区", "Ota ku", 143),
    (13, 112, "世田谷区", "Setagaya ku", 154),
    (13, 113, "渋谷区", "Shibuya ku", 150),
    (13, 116, "豊島区", "Toshima ku", 170),
    (13, 201, "八王子市", "Hachioji shi", 192),
    (13, 202, "立川市", "Tachikawa shi", 190),
    (13, 203, "武蔵野市", "Musashino shi", 180),
    (14, 104, "横浜市中区", "Naka ku, Yokohama shi", 231),
    (14, 103, "横浜市西区", "Nishi ku, Yokohama shi", 220),
    (14, 131, "川崎市川崎区", "Kawasaki ku, Kawasaki shi", 210),
    (14, 201, "横須賀市", "Yokosuka shi", 238),
    (14, 205, "藤沢市", "Fujisawa shi", 251),
    (15, 103, "新潟市中央区", "Chuo ku, Niigata shi", 950),
    (15, 202, "長岡市", "Nagaoka shi", 940),
    (15, 204, "三条市", "Sanjo shi", 955),
    (16, 201, "富山市", "Toyama shi", 930),
    (16, 202, "高岡市", "Takaoka shi", 933),
    (17, 201, "金沢市", "Kanazawa shi", 920),
    (17, 202, "七尾市", "Nanao shi", 926),
    (17, 203, "小松市", "Komatsu shi", 923),
    (18, 201, "福井市", "Fukui shi", 910),
    (18, 202, "敦賀市", "Tsuruga shi", 914),
    (19, 201, "甲府市", "Kofu shi", 400),
    (19, 202, "富士吉田市", "Fujiyoshida shi", 403),
    (20, 201, "長野市", "Nagano shi", 380),
    (20, 202, "松本市", "Matsumoto shi", 390),
    (20, 203, "上田市", "Ueda shi", 386),
    (21, 201, "岐阜市", "Gifu shi", 500),
    (21, 202, "大垣市", "Ogaki shi", 503),
    (21, 204, "多治見市", "Tajimi shi", 507),
    (22, 101, "静岡市葵区", "Aoi ku, Shizuoka shi", 420),
    (22, 203, "沼津市", "Numazu shi", 410),
    (22, 210, "富士市", "Fuji shi", 416),
    (23, 106, "名古屋市中区", "Naka ku, Nagoya shi", 460),
    (23, 105, "名古屋市中村区", "Nakamura ku, Nagoya shi", 450),
    (23, 201, "豊橋市", "Toyohashi shi", 440),
    (23, 202, "岡崎市", "Okazaki shi", 444),
    (23, 211, "豊田市", "Toyota shi", 471),
    (24, 201, "津市", "Tsu shi", 514),
    (24, 202, "四日市市", "Yokkaichi shi", 510),
    (24, 203, "伊勢市", "Ise shi", 516),
    (25, 201, "大津市", "Otsu shi", 520),
    (25, 202, "彦根市", "Hikone shi", 522),
    (25, 203, "長浜市", "Nagahama shi", 526),
    (26, 101, "京都市上京区", "Kamigyo ku, Kyoto shi", 602),
    (26, 104, "京都市中京区", "Nakagyo ku, Kyoto shi", 604),
    (26, 106, "京都市下京区", "Shimogyo ku, Kyoto shi", 600),
    (26, 201, "福知山市", "Fukuchiyama shi", 620),
    (26, 204, "宇治市", "Uji shi", 611),
    (27, 128, "大阪市中央区", "Chuo ku, Osaka shi", 540),
    (27, 127, "大阪市北区", "Kita ku, Osaka shi", 530),
    (27, 141, "堺市堺区", "Sakai ku, Sakai shi", 590),
    (27, 203, "豊中市", "Toyonaka shi", 560),
    (27, 205, "吹田市", "Suita shi", 564),
    (27, 211, "茨木市", "Ibaraki shi", 567),
    (28, 110, "神戸市中央区", "Chuo ku, Kobe shi", 650),
    (28, 201, "姫路市", "Himeji shi", 670),
    (28, 202, "尼崎市", "Amagasaki shi", 660),
    (28, 204, "西宮市", "Nishinomiya shi", 662),
    (29, 201, "奈良市", "Nara shi", 630),
    (29, 202, "大和高田市", "Yamatotakada shi", 635),
    (29, 203, "大和郡山市", "Yamatokoriyama shi", 639),
    (30, 201, "和歌山市", "Wakayama shi", 640),
    (30, 202, "海南市", "Kainan shi", 642),
    (30, 206, "田辺市", "Tanabe shi", 646),
    (31, 201, "鳥取市", "Tottori shi", 680),
    (31, 202, "米子市", "Yonago shi", 683),
    (32, 201, "松江市", "Matsue shi", 690),
    (32, 202, "浜田市", "Hamada shi", 697),
    (32, 203, "出雲市", "Izumo shi", 693),
    (33, 101, "岡山市北区", "Kita ku, Okayama shi", 700),
    (33, 202, "倉敷市", "Kurashiki shi", 710),
    (33, 203, "津山市", "Tsuyama shi", 708),
    (34, 101, "広島市中区", "Naka ku, Hiroshima shi", 730),
    (34, 202, "呉市", "Kure shi", 737),
    (34, 207, "福山市", "Fukuyama shi", 720),
    (35, 203, "山口市", "Yamaguchi shi", 753),
    (35, 201, "下関市", "Shimonoseki shi", 750),
    (35, 202, "宇部市", "Ube shi", 755),
    (36, 201, "徳島市", "Tokushima shi", 770),
    (36, 202, "鳴門市", "Naruto shi", 772),
    (37, 201, "高松市", "Takamatsu shi", 760),
    (37, 202, "丸亀市", "Marugame shi", 763),
    (38, 201, "松山市", "Matsuyama shi", 790),
    (38, 202, "今治市", "Imabari shi", 794),
    (39, 201, "高知市", "Kochi shi", 780),
    (39, 202, "室戸市", "Muroto shi", 781),
    (40, 133, "福岡市中央区", "Chuo ku, Fukuoka shi", 810),
    (40, 132, "福岡市博多区", "Hakata ku, Fukuoka shi", 812),
    (
        40,
        106,
        "北九州市小倉北区",
        "Kokurakita ku, Kitakyushu shi",
        802,
    ),
    (40, 203, "久留米市", "Kurume shi", 830),
    (41, 201, "佐賀市", "Saga shi", 840),
    (41, 202, "唐津市", "Karatsu shi", 847),
    (42, 201, "長崎市", "Nagasaki shi", 850),
    (42, 202, "佐世保市", "Sasebo shi", 857),
    (43, 101, "熊本市中央区", "Chuo ku, Kumamoto shi", 860),
    (43, 202, "八代市", "Yatsushiro shi", 866),
    (44, 201, "大分市", "Oita shi", 870),
    (44, 202, "別府市", "Beppu shi", 874),
    (45, 201, "宮崎市", "Miyazaki shi", 880),
    (45, 202, "都城市", "Miyakonojo shi", 885),
    (46, 201, "鹿児島市", "Kagoshima shi", 890),
    (46, 203, "鹿屋市", "Kanoya shi", 893),
    (47, 201, "那覇市", "Naha shi", 900),
    (47, 205, "宜野湾市", "Ginowan shi", 901),
    (47, 208, "浦添市", "Urasoe shi", 901),
];

/// 政令指定都市 (the local government of the wards above): (prefecture, code, name).
const DESIGNATED: &[(u8, u16, &str)] = &[
    (1, 100, "札幌市"),
    (4, 100, "仙台市"),
    (11, 100, "さいたま市"),
    (12, 100, "千葉市"),
    (14, 100, "横浜市"),
    (14, 130, "川崎市"),
    (15, 100, "新潟市"),
    (22, 100, "静岡市"),
    (23, 100, "名古屋市"),
    (26, 100, "京都市"),
    (27, 100, "大阪市"),
    (27, 140, "堺市"),
    (28, 100, "神戸市"),
    (33, 100, "岡山市"),
    (34, 100, "広島市"),
    (40, 100, "北九州市"),
    (40, 130, "福岡市"),
    (43, 100, "熊本市"),
];

/// 国の機関 (all in 東京都千代田区 but 防衛省).
const STATE: &[(&str, &str, &str)] = &[
    ("衆議院", "シュウギイン", "永田町１丁目７番１号"),
    ("参議院", "サンギイン", "永田町１丁目７番１号"),
    ("最高裁判所", "サイコウサイバンショ", "隼町４番２号"),
    ("会計検査院", "カイケイケンサイン", "霞が関３丁目２番２号"),
    ("内閣官房", "ナイカクカンボウ", "永田町１丁目６番１号"),
    ("内閣府", "ナイカクフ", "永田町１丁目６番１号"),
    ("デジタル庁", "デジタルチョウ", "紀尾井町１番３号"),
    ("総務省", "ソウムショウ", "霞が関２丁目１番２号"),
    ("法務省", "ホウムショウ", "霞が関１丁目１番１号"),
    ("外務省", "ガイムショウ", "霞が関２丁目２番１号"),
    ("財務省", "ザイムショウ", "霞が関３丁目１番１号"),
    ("国税庁", "コクゼイチョウ", "霞が関３丁目１番１号"),
    ("文部科学省", "モンブカガクショウ", "霞が関３丁目２番２号"),
    (
        "厚生労働省",
        "コウセイロウドウショウ",
        "霞が関１丁目２番２号",
    ),
    (
        "農林水産省",
        "ノウリンスイサンショウ",
        "霞が関１丁目２番１号",
    ),
    (
        "経済産業省",
        "ケイザイサンギョウショウ",
        "霞が関１丁目３番１号",
    ),
    ("国土交通省", "コクドコウツウショウ", "霞が関２丁目１番３号"),
    ("環境省", "カンキョウショウ", "霞が関１丁目２番２号"),
    ("防衛省", "ボウエイショウ", "市谷本村町５番１号"),
];

/// Katakana morae for brand names (アキナ, ミトネ …): two or three of them give the variety of
/// real names, which rarely repeat.
const MORAE: &[&str] = &[
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ",
    "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ",
    "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ン", "ガ", "ギ", "グ",
    "ゴ", "ザ", "ジ", "ズ", "ダ", "デ", "ド", "バ", "ビ", "ブ", "ベ", "ボ", "パ", "ピ", "プ", "ポ",
];

/// A word of a name: (kanji or kana form, reading, English).
type Word = (&'static str, &'static str, &'static str);

const LEADS: &[Word] = &[
    ("青葉", "アオバ", "Aoba"),
    ("東洋", "トウヨウ", "Toyo"),
    ("日本", "ニホン", "Nihon"),
    ("大和", "ヤマト", "Yamato"),
    ("富士", "フジ", "Fuji"),
    ("桜", "サクラ", "Sakura"),
    ("さくら", "サクラ", "Sakura"),
    ("みらい", "ミライ", "Mirai"),
    ("朝日", "アサヒ", "Asahi"),
    ("太陽", "タイヨウ", "Taiyo"),
    ("北辰", "ホクシン", "Hokushin"),
    ("三和", "サンワ", "Sanwa"),
    ("中央", "チュウオウ", "Chuo"),
    ("東邦", "トウホウ", "Toho"),
    ("大成", "タイセイ", "Taisei"),
    ("共栄", "キョウエイ", "Kyoei"),
    ("光", "ヒカリ", "Hikari"),
    ("新星", "シンセイ", "Shinsei"),
    ("緑", "ミドリ", "Midori"),
    ("若葉", "ワカバ", "Wakaba"),
    ("平和", "ヘイワ", "Heiwa"),
    ("明和", "メイワ", "Meiwa"),
    ("昭和", "ショウワ", "Showa"),
    ("協和", "キョウワ", "Kyowa"),
    ("日進", "ニッシン", "Nisshin"),
    ("第一", "ダイイチ", "Daiichi"),
    ("アオバ", "アオバ", "Aoba"),
    ("グローバル", "グローバル", "Global"),
    ("テクノ", "テクノ", "Techno"),
    ("サン", "サン", "Sun"),
    ("エース", "エース", "Ace"),
    ("ネクスト", "ネクスト", "Next"),
    ("ライフ", "ライフ", "Life"),
    ("ワールド", "ワールド", "World"),
    ("アーク", "アーク", "Arc"),
    ("ＡＢＣ", "エービーシー", "ABC"),
    ("ＪＴ", "ジェイティー", "JT"),
    ("ＳＫ", "エスケイ", "SK"),
    ("ＮＥＸＴ", "ネクスト", "NEXT"),
    ("Ｋ＆Ｋ", "ケイアンドケイ", "K&K"),
];

/// Family names: (新字体 form, 旧字体 form if any, reading, English).
const FAMILIES: &[(&str, Option<&str>, &str, &str)] = &[
    ("高橋", Some("髙橋"), "タカハシ", "Takahashi"),
    ("山崎", Some("山﨑"), "ヤマザキ", "Yamazaki"),
    ("斎藤", Some("齋藤"), "サイトウ", "Saito"),
    ("渡辺", Some("渡邊"), "ワタナベ", "Watanabe"),
    ("長沢", Some("長澤"), "ナガサワ", "Nagasawa"),
    ("浜田", Some("濱田"), "ハマダ", "Hamada"),
    ("広瀬", Some("廣瀬"), "ヒロセ", "Hirose"),
    ("桜井", Some("櫻井"), "サクライ", "Sakurai"),
    ("島田", Some("嶋田"), "シマダ", "Shimada"),
    ("富田", Some("冨田"), "トミタ", "Tomita"),
    ("竜田", Some("龍田"), "タツタ", "Tatsuta"),
    ("中村", None, "ナカムラ", "Nakamura"),
    ("佐藤", None, "サトウ", "Sato"),
    ("鈴木", None, "スズキ", "Suzuki"),
    ("田中", None, "タナカ", "Tanaka"),
    ("伊藤", None, "イトウ", "Ito"),
    ("小林", None, "コバヤシ", "Kobayashi"),
    ("加藤", None, "カトウ", "Kato"),
];

const TRADES: &[Word] = &[
    ("商事", "ショウジ", "Shoji"),
    ("工業", "コウギョウ", "Industries"),
    ("建設", "ケンセツ", "Construction"),
    ("不動産", "フドウサン", "Real Estate"),
    ("電機", "デンキ", "Electric"),
    ("物産", "ブッサン", "Bussan"),
    ("運輸", "ウンユ", "Transport"),
    ("食品", "ショクヒン", "Foods"),
    ("産業", "サンギョウ", "Sangyo"),
    ("設計", "セッケイ", "Design"),
    ("製作所", "セイサクショ", "Works"),
    ("興業", "コウギョウ", "Kogyo"),
    ("開発", "カイハツ", "Development"),
    ("企画", "キカク", "Planning"),
    ("薬品", "ヤクヒン", "Pharmaceutical"),
    ("精機", "セイキ", "Seiki"),
    ("化学", "カガク", "Chemical"),
    ("印刷", "インサツ", "Printing"),
    ("工務店", "コウムテン", "Komuten"),
    ("技研", "ギケン", "Giken"),
    ("商会", "ショウカイ", "Shokai"),
    ("観光", "カンコウ", "Kanko"),
    ("物流", "ブツリュウ", "Logistics"),
    ("水産", "スイサン", "Suisan"),
    ("鉄工所", "テッコウジョ", "Iron Works"),
    ("システムズ", "システムズ", "Systems"),
    ("ホールディングス", "ホールディングス", "Holdings"),
    (
        "・インターナショナル",
        "インターナショナル",
        "International",
    ),
    ("コンサルティング", "コンサルティング", "Consulting"),
    ("サービス", "サービス", "Service"),
    ("テクノロジー", "テクノロジー", "Technology"),
    ("・ソリューションズ", "ソリューションズ", "Solutions"),
    ("エンジニアリング", "エンジニアリング", "Engineering"),
    ("デザイン", "デザイン", "Design"),
];

/// 399 その他の設立登記法人: (法人格, before the name?, tail word, tail reading, weight).
const OTHER_FORMS: &[(&str, bool, &str, &str, u64)] = &[
    ("一般社団法人", true, "協会", "キョウカイ", 30),
    ("一般財団法人", true, "財団", "ザイダン", 8),
    ("公益社団法人", true, "協会", "キョウカイ", 4),
    ("公益財団法人", true, "財団", "ザイダン", 4),
    ("医療法人社団", true, "会", "カイ", 14),
    ("医療法人", true, "会", "カイ", 8),
    ("社会福祉法人", true, "福祉会", "フクシカイ", 10),
    (
        "特定非営利活動法人",
        true,
        "ネットワーク",
        "ネットワーク",
        12,
    ),
    ("学校法人", true, "学園", "ガクエン", 4),
    ("宗教法人", true, "寺", "ジ", 6),
    ("事業協同組合", false, "", "", 5),
    ("農業協同組合", false, "", "", 2),
    ("企業組合", false, "", "", 1),
];

/// 499 人格のない社団等: name tails.
const ASSOCIATIONS: &[(&str, &str)] = &[
    ("町内会", "チョウナイカイ"),
    ("自治会", "ジチカイ"),
    ("同窓会", "ドウソウカイ"),
    ("後援会", "コウエンカイ"),
    ("管理組合", "カンリクミアイ"),
    ("親睦会", "シンボクカイ"),
];

/// 401 外国会社等: (suffix, English suffix).
const FOREIGN_FORMS: &[(&str, &str)] = &[
    ("インコーポレイテッド", "Inc."),
    ("リミテッド", "Limited"),
    ("コーポレーション", "Corporation"),
    ("ピーティーイー・リミテッド", "Pte. Ltd."),
    ("ゲー・エム・ベー・ハー", "GmbH"),
    ("エルエルシー", "LLC"),
];

const ABROAD: &[(&str, &str)] = &[
    (
        "アメリカ合衆国カリフォルニア州サンフランシスコ市マーケット通り",
        "Market Street, San Francisco, California, U.S.A.",
    ),
    (
        "アメリカ合衆国デラウェア州ウィルミントン市オレンジ通り",
        "Orange Street, Wilmington, Delaware, U.S.A.",
    ),
    ("英国ロンドン市ストランド", "Strand, London, United Kingdom"),
    (
        "中華人民共和国上海市浦東新区",
        "Pudong New Area, Shanghai, China",
    ),
    (
        "大韓民国ソウル特別市江南区",
        "Gangnam-gu, Seoul, Republic of Korea",
    ),
    (
        "シンガポール共和国ラッフルズプレイス",
        "Raffles Place, Singapore",
    ),
    ("ドイツ連邦共和国ミュンヘン市", "Munich, Germany"),
    ("オランダ王国アムステルダム市", "Amsterdam, Netherlands"),
];

const TOWNS: &[(&str, &str)] = &[
    ("本町", "Honmachi"),
    ("栄町", "Sakaemachi"),
    ("中央", "Chuo"),
    ("緑町", "Midoricho"),
    ("旭町", "Asahimachi"),
    ("幸町", "Saiwaicho"),
    ("錦町", "Nishikicho"),
    ("東町", "Higashimachi"),
    ("大手町", "Otemachi"),
    ("駅前", "Ekimae"),
    ("新町", "Shinmachi"),
    ("寿町", "Kotobukicho"),
    ("港町", "Minatomachi"),
    ("花園", "Hanazono"),
    ("昭和町", "Showacho"),
];

// ---------------------------------------------------------------------------------------
// Dates

/// Dates as day indices from 2015-10-05 (the first 法人番号指定年月日).
struct Calendar {
    days: Vec<Date>,
}

impl Calendar {
    fn new(until: Date) -> Calendar {
        let mut days = Vec::new();
        let mut d = jiff::civil::date(2015, 10, 5);
        // Up to 60 days past the 全件 for the 差分 files.
        let end = until
            .checked_add(jiff::Span::new().days(90))
            .unwrap_or(until);
        while d <= end {
            days.push(d);
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        Calendar { days }
    }
    fn date(&self, i: usize) -> Date {
        self.days[i.min(self.days.len() - 1)]
    }
    fn index(&self, d: Date) -> usize {
        self.days.binary_search(&d).unwrap_or_else(|i| i)
    }
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn iso(d: Date) -> String {
    let mut s = String::new();
    mamori_corp::record::write_date(&mut s, d);
    s
}

fn push_zen(s: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &buf[i..] {
        s.push(char::from_u32(0xFF10 + u32::from(*d)).unwrap_or('０'));
    }
}

// ---------------------------------------------------------------------------------------
// One corporation

/// Everything about corporation `i` that other corporations need to know cheaply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Profile {
    kind: Kind,
    /// Index into PREFECTURES; `None` for foreign corporations without a domestic address.
    pref: Option<usize>,
    closed: Option<CloseCause>,
}

struct Generator {
    seed: u64,
    count: u64,
    cal: Calendar,
    /// Day index of the 全件 作成日.
    today: usize,
    pref_weights: Vec<(u64, usize)>,
    cities_of: Vec<Vec<usize>>,
    /// Special corporations at the start: 国の機関, then 地方公共団体.
    special: Vec<Special>,
    /// The history of the current corporation (reused buffers).
    rows: Vec<Corporation>,
    len: usize,
    /// A valid number for buffers not yet filled.
    fallback: CorpNumber,
}

#[derive(Clone, Copy, Debug)]
enum Special {
    State(usize),
    Prefecture(usize),
    City(usize),
    Designated(usize),
}

const KIND_WEIGHTS: [(u64, Kind); 8] = [
    (480, Kind::StockCompany),
    (70, Kind::LimitedCompany),
    (5, Kind::GeneralPartnership),
    (15, Kind::LimitedPartnership),
    (90, Kind::LimitedLiabilityCompany),
    (230, Kind::OtherRegistered),
    (10, Kind::Foreign),
    (100, Kind::Other),
];

fn local_gov_code(pref: u8, city: u16) -> u64 {
    let five = u64::from(pref) * 1000 + u64::from(city);
    let digits = [
        five / 10000,
        five / 1000 % 10,
        five / 100 % 10,
        five / 10 % 10,
        five % 10,
    ];
    let sum: u64 = digits.iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    five * 10 + (11 - sum % 11) % 10
}

impl Generator {
    fn new(seed: u64, count: u64, date: Date) -> Result<Generator, String> {
        let fallback = CorpNumber::from_base(0).ok_or("no valid corporate number")?;
        let cal = Calendar::new(date);
        let today = cal.index(date);
        let pref_weights = PREFECTURES
            .iter()
            .enumerate()
            .map(|(i, p)| (p.3, i))
            .collect();
        let mut cities_of = vec![Vec::new(); PREFECTURES.len()];
        for (i, c) in CITIES.iter().enumerate() {
            cities_of[usize::from(c.0) - 1].push(i);
        }
        let mut special: Vec<Special> = (0..STATE.len()).map(Special::State).collect();
        special.extend((0..PREFECTURES.len()).map(Special::Prefecture));
        special.extend((0..DESIGNATED.len()).map(Special::Designated));
        special.extend(
            CITIES
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0 == 13 || !(101..200).contains(&c.1))
                .map(|(i, _)| Special::City(i)),
        );
        Ok(Generator {
            seed,
            count,
            cal,
            today,
            pref_weights,
            cities_of,
            special,
            rows: Vec::new(),
            len: 0,
            fallback,
        })
    }

    fn rng(&self, i: u64, stream: u64) -> Rng {
        Rng::for_index(self.seed, i, stream)
    }

    fn profile(&self, i: u64) -> Profile {
        if let Some(s) = self.special.get(i as usize) {
            let kind = match s {
                Special::State(_) => Kind::State,
                _ => Kind::LocalGovernment,
            };
            return Profile {
                kind,
                pref: Some(12),
                closed: None,
            };
        }
        let mut r = self.rng(i, 0);
        let kind = {
            let total: u64 = KIND_WEIGHTS.iter().map(|k| k.0).sum();
            let mut x = r.below(total);
            let mut k = Kind::StockCompany;
            for (w, kk) in KIND_WEIGHTS {
                if x < w {
                    k = kk;
                    break;
                }
                x -= w;
            }
            k
        };
        let pref = weighted(&mut r, &self.pref_weights);
        let domestic = kind != Kind::Foreign || r.chance(700);
        let closed = if kind != Kind::Other && r.chance(180) {
            Some(match r.below(100) {
                0..60 => CloseCause::Liquidated,
                60..85 => CloseCause::Merger,
                85..95 => CloseCause::ClosedByRegistrar,
                _ => CloseCause::OtherLiquidation,
            })
        } else {
            None
        };
        Profile {
            kind,
            pref: domestic.then_some(pref),
            closed,
        }
    }

    fn number(&self, i: u64, p: &Profile) -> CorpNumber {
        let base = match self.special.get(i as usize) {
            Some(Special::State(k)) => 12_010_001 + *k as u64,
            Some(Special::Prefecture(k)) => 20_000_000 + local_gov_code(PREFECTURES[*k].0, 0),
            Some(Special::Designated(k)) => {
                let d = DESIGNATED[*k];
                20_000_000 + local_gov_code(d.0, d.1)
            }
            Some(Special::City(k)) => {
                let c = CITIES[*k];
                20_000_000 + local_gov_code(c.0, c.1)
            }
            None => {
                let pp = p.pref.map_or(13, |x| u64::from(PREFECTURES[x].0));
                let branch = i / 1_000_000;
                let serial = (i % 1_000_000) * 7919 % 1_000_000;
                let tt = match p.kind {
                    Kind::StockCompany | Kind::LimitedCompany => 1,
                    Kind::GeneralPartnership
                    | Kind::LimitedPartnership
                    | Kind::LimitedLiabilityCompany => 3,
                    Kind::Foreign => 4,
                    _ => 5,
                };
                if p.kind == Kind::Other {
                    // 人格のない社団等: numbers assigned by tax offices (7…).
                    700_000_000_000 + pp * 100_000_000 + branch * 1_000_000 + serial
                } else {
                    pp * 10_000_000_000 + branch * 100_000_000 + tt * 1_000_000 + serial
                }
            }
        };
        CorpNumber::from_base(base % 1_000_000_000_000).unwrap_or(self.fallback)
    }

    /// A surviving corporation for a merger: an active 株式会社 or 合同会社.
    fn successor_for(&self, i: u64, r: &mut Rng) -> CorpNumber {
        let lo = self.special.len() as u64;
        let hi = self.count.max(lo + 2);
        for _ in 0..20 {
            let j = lo + r.below(hi - lo);
            if j == i {
                continue;
            }
            let p = self.profile(j);
            if p.closed.is_none()
                && matches!(p.kind, Kind::StockCompany | Kind::LimitedLiabilityCompany)
            {
                return self.number(j, &p);
            }
        }
        let p = self.profile(lo);
        self.number(lo, &p)
    }

    fn slot(&mut self, k: usize) -> &mut Corporation {
        while self.rows.len() <= k {
            self.rows.push(Corporation::new(self.fallback));
        }
        &mut self.rows[k]
    }

    /// Starts a new row `k` as a copy of row `k - 1` (reusing buffers).
    fn copy_prev(&mut self, k: usize) {
        self.slot(k);
        let (a, b) = self.rows.split_at_mut(k);
        copy_row(&mut b[0], &a[k - 1]);
    }

    /// Generates corporation `i` into `self.rows[..self.len]` (oldest first, last = latest).
    fn generate(&mut self, i: u64) {
        let p = self.profile(i);
        let number = self.number(i, &p);
        let mut r = self.rng(i, 1);
        let today = self.today;
        let first_day = 0usize;
        {
            let c = self.slot(0);
            reset(c, number);
        }
        if let Some(s) = self.special.get(i as usize).copied() {
            self.special_row(s);
            self.len = 1;
            return;
        }
        // Assignment: most existing corporations got their number on 2015-10-05.
        let initial = i < self.count && r.chance(700);
        let assign = if initial {
            first_day
        } else if i >= self.count {
            today
        } else {
            1 + r.below((today.max(2) - 1) as u64) as usize
        };
        let established = if initial {
            first_day
        } else {
            assign.saturating_sub(1 + r.below(14) as usize)
        };
        let city_i = p.pref.map(|x| *r.pick(&self.cities_of[x]));
        let old_forms = r.chance(60);
        let mae = r.chance(400);
        let lead = *r.pick(LEADS);
        let family = *r.pick(FAMILIES);
        let trade = *r.pick(TRADES);
        let style = r.below(10);
        // Most names carry a brand of their own (as real ones do): two or three morae.
        let brand = r.chance(700).then(|| {
            let third = if r.chance(500) { *r.pick(MORAE) } else { "" };
            [*r.pick(MORAE), *r.pick(MORAE), third]
        });
        let form = r.next();
        let with_en = r.chance(40) || p.kind == Kind::Foreign;
        let hihyoji = p.pref.is_some() && r.chance(3);
        // Events after the assignment.
        let span = today.saturating_sub(assign).max(1) as u64;
        let name_change = (r.chance(80)).then(|| assign + 1 + r.below(span) as usize);
        let move_day = (r.chance(100)).then(|| assign + 1 + r.below(span) as usize);
        let close_day = p.closed.map(|_| assign + 1 + r.below(span) as usize);
        let furigana_blank = initial && r.chance(600);
        let successor =
            (p.closed == Some(CloseCause::Merger)).then(|| self.successor_for(i, &mut r));
        let furigana_day = self.cal.index(jiff::civil::date(2018, 4, 2));
        {
            let cal = &self.cal;
            let c = &mut self.rows[0];
            c.process = Process::New;
            c.correct = Some(false);
            c.change_date = Some(cal.date(established));
            c.update_date = Some(cal.date(if initial {
                first_day
            } else {
                (assign + r.below(5) as usize).min(today)
            }));
            c.assignment_date = Some(cal.date(assign));
            c.kind = Some(p.kind);
            c.latest = Some(true);
            c.hihyoji = Some(false);
            write_name(
                c, form, &p, style, lead, family, trade, brand, old_forms, mae, false,
            );
            if furigana_blank {
                c.furigana.clear();
            }
            if with_en {
                write_en_name(c, &p, style, lead, family, trade);
            }
            if let Some(ci) = city_i {
                write_address(c, &mut r, ci, with_en);
            }
            if p.kind == Kind::Foreign {
                let (ja, en) = *r.pick(ABROAD);
                c.address_outside.push_str(ja);
                push_zen(&mut c.address_outside, 1 + r.below(2000));
                if with_en {
                    use std::fmt::Write as _;
                    let _ = write!(c.en_address_outside, "{} {en}", 1 + r.below(2000));
                }
            }
        }
        self.len = 1;
        // Events in date order.
        let mut events: Vec<(usize, u8)> = Vec::with_capacity(3);
        if let Some(d) = name_change {
            events.push((d, 0));
        }
        if let Some(d) = move_day {
            events.push((d, 1));
        }
        if let Some(d) = close_day {
            events.push((
                d.max(name_change.unwrap_or(0)).max(move_day.unwrap_or(0)) + 1,
                2,
            ));
        }
        events.sort_unstable();
        for (day, what) in events {
            let day = day.min(today);
            let k = self.len;
            self.copy_prev(k);
            self.len += 1;
            let cal = &self.cal;
            let (a, b) = self.rows.split_at_mut(k);
            let prev = &mut a[k - 1];
            prev.latest = Some(false);
            let c = &mut b[0];
            c.change_date = Some(cal.date(day));
            c.update_date = Some(cal.date((day + 1 + r.below(7) as usize).min(today)));
            c.latest = Some(true);
            match what {
                0 => {
                    c.process = Process::NameChange;
                    let lead2 = *r.pick(LEADS);
                    write_name(
                        c, form, &p, style, lead2, family, trade, brand, old_forms, mae, true,
                    );
                    if !c.en_name.is_empty() {
                        c.en_name.clear();
                        write_en_name(c, &p, style, lead2, family, trade);
                    }
                    // Names changed after 2018-04-02 carry a フリガナ.
                    if furigana_blank && day < furigana_day {
                        c.furigana.clear();
                    }
                }
                1 => {
                    if let Some(x) = p.pref {
                        c.process = Process::DomesticAddressChange;
                        let ci = *r.pick(&self.cities_of[x]);
                        write_address(c, &mut r, ci, !c.en_name.is_empty());
                    } else {
                        c.process = Process::ForeignAddressChange;
                        let (ja, _) = *r.pick(ABROAD);
                        c.address_outside.clear();
                        c.address_outside.push_str(ja);
                        push_zen(&mut c.address_outside, 1 + r.below(2000));
                        c.en_address_outside.clear();
                    }
                }
                _ => {
                    let cause = p.closed.unwrap_or(CloseCause::Liquidated);
                    c.close_date = c.change_date;
                    c.close_cause = Some(cause);
                    c.process = Process::Closed;
                    if cause == CloseCause::Merger {
                        c.process = Process::Merged;
                        c.successor = successor;
                    }
                    c.hihyoji = Some(false);
                }
            }
        }
        if hihyoji {
            let k = self.len - 1;
            self.rows[k].hihyoji = Some(true);
        }
    }

    fn special_row(&mut self, s: Special) {
        let day0 = self.cal.date(0);
        let c = &mut self.rows[0];
        c.process = Process::New;
        c.correct = Some(false);
        c.update_date = Some(day0);
        c.change_date = Some(day0);
        c.assignment_date = Some(day0);
        c.latest = Some(true);
        c.hihyoji = Some(false);
        let (name, kana, city_i, street): (&str, String, usize, String) = match s {
            Special::State(k) => {
                let (n, kana, street) = STATE[k];
                let code = if n == "防衛省" { 104 } else { 101 };
                let ci = CITIES
                    .iter()
                    .position(|c| c.0 == 13 && c.1 == code)
                    .unwrap_or(0);
                (n, kana.to_owned(), ci, street.to_owned())
            }
            Special::Prefecture(k) => {
                let p = PREFECTURES[k];
                let ci = CITIES.iter().position(|c| c.0 == p.0).unwrap_or(0);
                (p.1, String::new(), ci, "１丁目１番１号".to_owned())
            }
            Special::Designated(k) => {
                let d = DESIGNATED[k];
                let ci = CITIES
                    .iter()
                    .position(|c| c.0 == d.0 && c.2.starts_with(d.2))
                    .unwrap_or(0);
                (d.2, String::new(), ci, "１丁目１番１号".to_owned())
            }
            Special::City(k) => (CITIES[k].2, String::new(), k, "１番１号".to_owned()),
        };
        c.kind = Some(if matches!(s, Special::State(_)) {
            Kind::State
        } else {
            Kind::LocalGovernment
        });
        c.name.push_str(name);
        c.furigana.push_str(&kana);
        let city = CITIES[city_i];
        let pref = PREFECTURES[usize::from(city.0) - 1];
        c.prefecture_name.push_str(pref.1);
        c.city_name.push_str(city.2);
        c.street_number.push_str(&street);
        c.prefecture_code = Some(city.0);
        c.city_code = Some(city.1);
        use std::fmt::Write as _;
        let _ = write!(c.post_code, "{:03}0001", city.4);
    }
}

fn reset(c: &mut Corporation, number: CorpNumber) {
    c.sequence_number = 0;
    c.number = number;
    c.process = Process::New;
    c.correct = None;
    c.update_date = None;
    c.change_date = None;
    c.kind = None;
    c.prefecture_code = None;
    c.city_code = None;
    c.close_date = None;
    c.close_cause = None;
    c.successor = None;
    c.assignment_date = None;
    c.latest = None;
    c.hihyoji = None;
    for s in [
        &mut c.name,
        &mut c.name_image_id,
        &mut c.prefecture_name,
        &mut c.city_name,
        &mut c.street_number,
        &mut c.address_image_id,
        &mut c.post_code,
        &mut c.address_outside,
        &mut c.address_outside_image_id,
        &mut c.change_cause,
        &mut c.en_name,
        &mut c.en_prefecture_name,
        &mut c.en_city_name,
        &mut c.en_address_outside,
        &mut c.furigana,
    ] {
        s.clear();
    }
    c.source = Default::default();
}

/// `dst = src.clone()` without reallocating the strings.
fn copy_row(dst: &mut Corporation, src: &Corporation) {
    dst.sequence_number = src.sequence_number;
    dst.number = src.number;
    dst.process = src.process;
    dst.correct = src.correct;
    dst.update_date = src.update_date;
    dst.change_date = src.change_date;
    dst.kind = src.kind;
    dst.prefecture_code = src.prefecture_code;
    dst.city_code = src.city_code;
    dst.close_date = src.close_date;
    dst.close_cause = src.close_cause;
    dst.successor = src.successor;
    dst.assignment_date = src.assignment_date;
    dst.latest = src.latest;
    dst.hihyoji = src.hihyoji;
    dst.name.clone_from(&src.name);
    dst.name_image_id.clone_from(&src.name_image_id);
    dst.prefecture_name.clone_from(&src.prefecture_name);
    dst.city_name.clone_from(&src.city_name);
    dst.street_number.clone_from(&src.street_number);
    dst.address_image_id.clone_from(&src.address_image_id);
    dst.post_code.clone_from(&src.post_code);
    dst.address_outside.clone_from(&src.address_outside);
    dst.address_outside_image_id
        .clone_from(&src.address_outside_image_id);
    dst.change_cause.clone_from(&src.change_cause);
    dst.en_name.clone_from(&src.en_name);
    dst.en_prefecture_name.clone_from(&src.en_prefecture_name);
    dst.en_city_name.clone_from(&src.en_city_name);
    dst.en_address_outside.clone_from(&src.en_address_outside);
    dst.furigana.clone_from(&src.furigana);
    dst.source.clone_from(&src.source);
}

/// A new name for a 商号変更: a word added before a 後株 法人格, else at the end.
fn renamed(name: &str, word: &str) -> String {
    for kw in ["株式会社", "有限会社", "合同会社", "合名会社", "合資会社"] {
        if let Some(stem) = name.strip_suffix(kw) {
            return format!("{stem}{word}{kw}");
        }
    }
    format!("{name}{word}")
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::LimitedCompany => "有限会社",
        Kind::GeneralPartnership => "合名会社",
        Kind::LimitedPartnership => "合資会社",
        Kind::LimitedLiabilityCompany => "合同会社",
        _ => "株式会社",
    }
}

/// Name and フリガナ (without the 法人格, as the NTA publishes it).
#[allow(clippy::too_many_arguments)]
fn write_name(
    c: &mut Corporation,
    form: u64,
    p: &Profile,
    style: u64,
    lead: Word,
    family: (&str, Option<&str>, &str, &str),
    trade: Word,
    brand: Option<[&str; 3]>,
    old_forms: bool,
    mae: bool,
    renamed: bool,
) {
    c.name.clear();
    c.furigana.clear();
    let fam = if old_forms {
        family.1.unwrap_or(family.0)
    } else {
        family.0
    };
    // The core (without 法人格) and its reading.
    let suffix = if renamed {
        "ホールディングス"
    } else {
        ""
    };
    let b = brand.unwrap_or(["", "", ""]);
    let (lead_text, lead_kana): ([&str; 3], [&str; 3]) = match brand {
        Some(_) => (b, b),
        None => ([lead.0, "", ""], [lead.1, "", ""]),
    };
    let core: [&str; 5] = match style {
        0..=4 => [lead_text[0], lead_text[1], lead_text[2], trade.0, suffix],
        5..=7 => [fam, b[0], b[1], trade.0, suffix],
        _ => [lead.0, fam, b[0], b[1], suffix],
    };
    let reading: [&str; 5] = match style {
        0..=4 => [lead_kana[0], lead_kana[1], lead_kana[2], trade.1, suffix],
        5..=7 => [family.2, b[0], b[1], trade.1, suffix],
        _ => [lead.1, family.2, b[0], b[1], suffix],
    };
    for part in reading {
        c.furigana.push_str(part.trim_start_matches('・'));
    }
    match p.kind {
        Kind::Foreign => {
            let (suffix, _) = FOREIGN_FORMS[(form % FOREIGN_FORMS.len() as u64) as usize];
            c.name.push_str(lead.1);
            c.name.push('・');
            c.name.push_str(trade.1);
            c.name.push('・');
            c.name.push_str(suffix);
            c.furigana.clear();
            c.furigana.push_str(lead.1);
            c.furigana.push_str(trade.1);
            c.furigana.push_str(&suffix.replace('・', ""));
        }
        Kind::OtherRegistered => {
            let total: u64 = OTHER_FORMS.iter().map(|f| f.4).sum();
            let mut x = form % total;
            let mut form = OTHER_FORMS[0];
            for f in OTHER_FORMS {
                if x < f.4 {
                    form = *f;
                    break;
                }
                x -= f.4;
            }
            let (word, before, tail, tail_kana) = (form.0, form.1, form.2, form.3);
            c.furigana.clear();
            let base = if style < 5 {
                lead
            } else {
                (fam, family.2, family.3)
            };
            let brand_text: String = b.concat();
            let (named, named_kana) = (
                format!("{}{brand_text}", base.0),
                format!("{}{brand_text}", base.1),
            );
            let (base_text, base_kana) = match (brand.is_some(), style < 5) {
                (true, true) => (brand_text.as_str(), brand_text.as_str()),
                (true, false) => (named.as_str(), named_kana.as_str()),
                (false, _) => (base.0, base.1),
            };
            if before {
                c.name.push_str(word);
                c.name.push_str(base_text);
                c.name.push_str(tail);
            } else {
                c.name.push_str(base_text);
                c.name.push_str(word);
            }
            c.furigana.push_str(base_kana);
            c.furigana.push_str(tail_kana);
        }
        Kind::Other => {
            let (tail, kana) = ASSOCIATIONS[(form % ASSOCIATIONS.len() as u64) as usize];
            let brand_text: String = b.concat();
            let (lead_name, lead_reading) = if brand.is_some() {
                (brand_text.as_str(), brand_text.as_str())
            } else {
                (lead.0, lead.1)
            };
            c.name.push_str(lead_name);
            c.name.push_str(tail);
            c.furigana.clear();
            c.furigana.push_str(lead_reading);
            c.furigana.push_str(kana);
        }
        k => {
            let word = kind_word(k);
            if mae {
                c.name.push_str(word);
            }
            for part in core {
                c.name.push_str(part);
            }
            if !mae {
                c.name.push_str(word);
            }
        }
    }
}

fn write_en_name(
    c: &mut Corporation,
    p: &Profile,
    style: u64,
    lead: Word,
    family: (&str, Option<&str>, &str, &str),
    trade: Word,
) {
    c.en_name.clear();
    match style {
        0..=4 => {
            c.en_name.push_str(lead.2);
            c.en_name.push(' ');
            c.en_name.push_str(trade.2);
        }
        5..=7 => {
            c.en_name.push_str(family.3);
            c.en_name.push(' ');
            c.en_name.push_str(trade.2);
        }
        _ => {
            c.en_name.push_str(lead.2);
            c.en_name.push(' ');
            c.en_name.push_str(family.3);
        }
    }
    c.en_name.push_str(match p.kind {
        Kind::StockCompany => " Co., Ltd.",
        Kind::LimitedLiabilityCompany => " LLC",
        Kind::Foreign => " Inc.",
        _ => "",
    });
}

fn write_address(c: &mut Corporation, r: &mut Rng, city_i: usize, en: bool) {
    use std::fmt::Write as _;
    let city = CITIES[city_i];
    let pref = PREFECTURES[usize::from(city.0) - 1];
    c.prefecture_name.clear();
    c.prefecture_name.push_str(pref.1);
    c.city_name.clear();
    c.city_name.push_str(city.2);
    c.prefecture_code = Some(city.0);
    c.city_code = Some(city.1);
    let (town, town_en) = *r.pick(TOWNS);
    let (a, b, d) = (1 + r.below(5), 1 + r.below(30), 1 + r.below(20));
    c.street_number.clear();
    c.street_number.push_str(town);
    if r.chance(700) {
        push_zen(&mut c.street_number, a);
        c.street_number.push_str("丁目");
        push_zen(&mut c.street_number, b);
        c.street_number.push('番');
        push_zen(&mut c.street_number, d);
        c.street_number.push('号');
    } else {
        push_zen(&mut c.street_number, b * 10 + d);
        c.street_number.push_str("番地");
        if r.chance(500) {
            push_zen(&mut c.street_number, d);
        }
    }
    if r.chance(150) {
        c.street_number.push('　');
        const BUILDINGS: [&str; 4] = [
            "第一ビル３階",
            "ＡＢＣビル",
            "センタービル１０１",
            "ハイツ２０２号",
        ];
        let building = *r.pick(&BUILDINGS[..]);
        c.street_number.push_str(building);
    }
    c.post_code.clear();
    let _ = write!(c.post_code, "{:03}{:04}", city.4, r.below(10_000));
    c.en_prefecture_name.clear();
    c.en_city_name.clear();
    if en {
        c.en_prefecture_name.push_str(pref.2);
        let _ = write!(c.en_city_name, "{a}-{b}-{d} {town_en}, {}", city.3);
    }
}

// ---------------------------------------------------------------------------------------
// Files

struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn create(dir: &Path, name: &str) -> io::Result<Counted<BufWriter<File>>> {
    Ok(Counted {
        inner: BufWriter::with_capacity(1 << 20, File::create(dir.join(name))?),
        bytes: 0,
    })
}

fn next_business_day(d: Date) -> Date {
    let mut d = d.tomorrow().unwrap_or(d);
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d = d.tomorrow().unwrap_or(d);
    }
    d
}

/// Writes every file to `dir` and returns the summary (also written as `expected.json`).
pub fn write_corp_data(dir: &Path, opts: &Options) -> Result<Summary, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let io_err = |e: io::Error| e.to_string();
    let mut g = Generator::new(opts.seed, opts.count, opts.date)?;
    let count = opts.count;
    let stamp = ymd(opts.date);
    let mut summary = Summary {
        seed: opts.seed,
        date: iso(opts.date),
        ..Summary::default()
    };

    // 全件 (three encodings) and the history file, in one pass.
    let utf8_name = format!("00_zenkoku_all_{stamp}.csv");
    let sjis_name = format!("00_zenkoku_all_{stamp}_sjis.csv");
    let xml_name = format!("00_zenkoku_all_{stamp}.xml");
    let hist_name = format!("00_zenkoku_history_{stamp}.csv");
    let mut utf8 = CsvWriter::new(create(dir, &utf8_name).map_err(io_err)?, TextEncoding::Utf8);
    let mut sjis = CsvWriter::new(
        create(dir, &sjis_name).map_err(io_err)?,
        TextEncoding::ShiftJis,
    );
    let mut hist = CsvWriter::new(create(dir, &hist_name).map_err(io_err)?, TextEncoding::Utf8);
    let envelope = Envelope {
        last_update_date: opts.date,
        count,
        divide_number: 1,
        divide_size: 1,
    };
    let mut xml = if opts.xml {
        Some(XmlWriter::new(create(dir, &xml_name).map_err(io_err)?, &envelope).map_err(io_err)?)
    } else {
        None
    };
    // The NTA lists corporations in number order (by the 12 digits after the check digit):
    // number every index first, then generate in that order.
    let mut order: Vec<(u64, u64)> = (0..count)
        .map(|i| {
            let p = g.profile(i);
            (g.number(i, &p).base(), i)
        })
        .collect();
    order.sort_unstable();
    let mut hist_seq = 0u64;
    for (position, (_, i)) in order.into_iter().enumerate() {
        let position = position as u64;
        g.generate(i);
        let len = g.len;
        for k in 0..len {
            hist_seq += 1;
            g.rows[k].sequence_number = hist_seq;
            hist.write_row(&g.rows[k]).map_err(io_err)?;
        }
        summary.history_rows += len as u64;
        summary.with_history += u64::from(len > 1);
        let latest = &mut g.rows[len - 1];
        latest.sequence_number = position + 1;
        utf8.write_row(latest).map_err(io_err)?;
        sjis.write_row(latest).map_err(io_err)?;
        if let Some(x) = xml.as_mut() {
            x.write_row(latest).map_err(io_err)?;
        }
        summary.full.add(latest);
    }
    summary.sjis_replacements = sjis.replacements();
    let mut files = vec![
        (utf8_name, utf8.into_inner().map_err(io_err)?.bytes, count),
        (sjis_name, sjis.into_inner().map_err(io_err)?.bytes, count),
        (
            hist_name,
            hist.into_inner().map_err(io_err)?.bytes,
            summary.history_rows,
        ),
    ];
    if let Some(x) = xml {
        files.push((xml_name, x.finish().map_err(io_err)?.bytes, count));
    }
    for (name, bytes, rows) in files {
        summary.files.insert(name, FileInfo { rows, bytes });
    }

    write_diffs(dir, opts, &mut g, &mut summary)?;

    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("expected.json"), json + "\n").map_err(io_err)?;
    Ok(summary)
}

/// The 差分 files: picks targets deterministically, writes the rows, and applies them with
/// `mamori_corp::apply` to compute the state afterwards.
fn write_diffs(
    dir: &Path,
    opts: &Options,
    g: &mut Generator,
    summary: &mut Summary,
) -> Result<(), String> {
    let io_err = |e: io::Error| e.to_string();
    let count = opts.count;
    let special = g.special.len() as u64;
    if count <= special + 10 || opts.days == 0 {
        summary.after_diffs.corporations = count;
        summary.after_diffs.closed = summary.full.closed;
        return Ok(());
    }
    let per_day = (count / 50_000).max(1);
    let mut used: HashSet<u64> = HashSet::new();
    // Histories of touched corporations (number → rows), in the order first touched.
    let mut state: BTreeMap<String, Vec<Corporation>> = BTreeMap::new();
    let mut closed_before: BTreeMap<String, bool> = BTreeMap::new();
    let mut next_new = count;
    let mut picker = Rng::for_index(opts.seed, u64::MAX, 7);
    let mut merged_yesterday: Vec<u64> = Vec::new();
    let mut day = opts.date;
    let days = g.cal.days.clone();
    let g_date = |i: usize| days[i.min(days.len() - 1)];

    // Finds an unused regular corporation whose latest row satisfies `ok`.
    let mut find = |g: &mut Generator,
                    used: &mut HashSet<u64>,
                    ok: &dyn Fn(&Corporation, &Profile) -> bool|
     -> Option<(u64, Vec<Corporation>)> {
        for _ in 0..10_000 {
            let j = special + picker.below(count - special);
            if used.contains(&j) {
                continue;
            }
            let p = g.profile(j);
            g.generate(j);
            let rows = g.rows[..g.len].to_vec();
            if rows.last().is_some_and(|l| ok(l, &p)) {
                used.insert(j);
                return Some((j, rows));
            }
        }
        None
    };

    for d in 0..opts.days {
        day = next_business_day(day);
        let di = g.cal.index(day);
        let name = format!("diff_{}.csv", ymd(day));
        let mut out: Vec<Corporation> = Vec::new();
        let mut examples: BTreeMap<String, String> = BTreeMap::new();
        let mut corrections = 0u64;
        let push = |out: &mut Vec<Corporation>,
                    examples: &mut BTreeMap<String, String>,
                    mut c: Corporation,
                    key: &str| {
            c.sequence_number = out.len() as u64 + 1;
            examples
                .entry(key.to_owned())
                .or_insert_with(|| c.number.to_string());
            out.push(c);
        };
        let stamp = |c: &mut Corporation, r: &mut Rng, process: Process| {
            c.process = process;
            c.correct = Some(false);
            c.update_date = Some(day);
            c.change_date = Some(g_date(di.saturating_sub(1 + r.below(7) as usize)));
            c.latest = Some(true);
        };
        let mut r = Rng::for_index(opts.seed, d as u64, 11);
        let active =
            |c: &Corporation, p: &Profile| !c.is_closed() && !c.is_hihyoji() && p.pref.is_some();

        // 01 新規.
        for _ in 0..3 * per_day {
            g.generate(next_new);
            next_new += 1;
            let mut c = g.rows[0].clone();
            c.update_date = Some(day);
            c.assignment_date = Some(day);
            c.change_date = Some(g_date(di.saturating_sub(3 + r.below(10) as usize)));
            push(&mut out, &mut examples, c, "01");
        }
        // 11 / 12 on active corporations.
        for _ in 0..per_day {
            if let Some((_, rows)) = find(g, &mut used, &active) {
                let mut c = rows[rows.len() - 1].clone();
                stamp(&mut c, &mut r, Process::NameChange);
                c.name = renamed(&c.name, "ジャパン");
                if !c.furigana.is_empty() {
                    c.furigana.push_str("ジャパン");
                }
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "11");
            }
            if let Some((_, rows)) = find(g, &mut used, &active) {
                let mut c = rows[rows.len() - 1].clone();
                stamp(&mut c, &mut r, Process::DomesticAddressChange);
                c.street_number = format!("{}（移転）", c.street_number);
                c.change_cause = "住居表示の実施".into();
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "12");
            }
        }
        // 13 on a foreign corporation.
        if let Some((_, rows)) = find(g, &mut used, &|c, p| {
            !c.is_closed() && p.kind == Kind::Foreign
        }) {
            let mut c = rows[rows.len() - 1].clone();
            stamp(&mut c, &mut r, Process::ForeignAddressChange);
            c.address_outside =
                "アメリカ合衆国ニューヨーク州ニューヨーク市ブロードウェイ１００".into();
            c.en_address_outside = "100 Broadway, New York, New York, U.S.A.".into();
            track(&mut state, &mut closed_before, &rows);
            push(&mut out, &mut examples, c, "13");
        }
        // 21 閉鎖.
        for _ in 0..per_day {
            if let Some((_, rows)) = find(g, &mut used, &active) {
                let mut c = rows[rows.len() - 1].clone();
                stamp(&mut c, &mut r, Process::Closed);
                c.close_date = c.change_date;
                c.close_cause = Some(CloseCause::Liquidated);
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "21");
            }
        }
        if d % 2 == 0 {
            // 71 吸収合併: one corporation absorbed into another active one.
            let stock = |c: &Corporation, p: &Profile| active(c, p) && p.kind == Kind::StockCompany;
            if let Some((j, rows)) = find(g, &mut used, &stock)
                && let Some((_, surv)) = find(g, &mut used, &stock)
            {
                let mut c = rows[rows.len() - 1].clone();
                stamp(&mut c, &mut r, Process::Merged);
                c.close_date = c.change_date;
                c.close_cause = Some(CloseCause::Merger);
                c.successor = surv.last().map(|s| s.number);
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "71");
                merged_yesterday.push(j);
            }
            // 99 削除.
            if let Some((_, rows)) = find(g, &mut used, &|_, _| true) {
                let mut c = Corporation::new(rows[0].number);
                c.process = Process::Deleted;
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "99");
            }
        } else {
            // 72 吸収合併無効 for yesterday's merger.
            if let Some(j) = merged_yesterday.pop() {
                let number = {
                    let p = g.profile(j);
                    g.number(j, &p)
                };
                if let Some(h) = state.get(&number.to_string())
                    && let Some(last) = h.last()
                {
                    let mut c = last.clone();
                    stamp(&mut c, &mut r, Process::MergerVoided);
                    c.close_date = None;
                    c.close_cause = None;
                    c.successor = None;
                    c.change_cause = "吸収合併無効の訴えに係る判決の確定".into();
                    push(&mut out, &mut examples, c, "72");
                }
            }
            // 22 復活 of a corporation closed by the registrar.
            if let Some((_, rows)) = find(g, &mut used, &|c, _| {
                c.close_cause == Some(CloseCause::ClosedByRegistrar)
            }) {
                let mut c = rows[rows.len() - 1].clone();
                stamp(&mut c, &mut r, Process::Restored);
                c.close_date = None;
                c.close_cause = None;
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "22");
            }
            // 81 商号の登記の抹消.
            if let Some((_, rows)) = find(g, &mut used, &|c, p| {
                active(c, p) && p.kind == Kind::LimitedCompany
            }) {
                let mut c = rows[rows.len() - 1].clone();
                stamp(&mut c, &mut r, Process::NameErased);
                c.close_date = c.change_date;
                c.close_cause = Some(CloseCause::OtherLiquidation);
                track(&mut state, &mut closed_before, &rows);
                push(&mut out, &mut examples, c, "81");
            }
        }
        // One 訂正 (second file): every history row re-sent with 訂正区分 1.
        if d == 1
            && let Some((_, rows)) = find(g, &mut used, &|c, p| {
                active(c, p) && c.process != Process::New
            })
        {
            track(&mut state, &mut closed_before, &rows);
            for row in &rows {
                let mut c = row.clone();
                c.correct = Some(true);
                c.update_date = Some(day);
                if c.is_latest() {
                    // The corrected fact: the change happened a day earlier.
                    c.change_date = c.change_date.and_then(|d| d.yesterday().ok());
                }
                corrections += 1;
                push(&mut out, &mut examples, c, "correction");
            }
        }

        // Write, apply, count.
        let mut w = CsvWriter::new(create(dir, &name).map_err(io_err)?, TextEncoding::Utf8);
        let mut by_process: BTreeMap<String, u64> = BTreeMap::new();
        for c in &out {
            w.write_row(c).map_err(io_err)?;
            *by_process.entry(c.process.code().into()).or_default() += 1;
        }
        let bytes = w.into_inner().map_err(io_err)?.bytes;
        let mut groups: BTreeMap<String, Vec<Corporation>> = BTreeMap::new();
        for c in &out {
            groups
                .entry(c.number.to_string())
                .or_default()
                .push(c.clone());
        }
        for (number, rows) in groups {
            let h = state.get(&number).cloned().unwrap_or_default();
            closed_before
                .entry(number.clone())
                .or_insert_with(|| h.last().is_some_and(Corporation::is_closed));
            let a = apply(&h, &rows);
            match a.change {
                mamori_corp::Change::Created => summary.after_diffs.created += 1,
                mamori_corp::Change::Deleted => summary.after_diffs.deleted += 1,
                mamori_corp::Change::Corrected => summary.after_diffs.corrected += 1,
                _ => {}
            }
            state.insert(number, a.history);
        }
        summary.files.insert(
            name.clone(),
            FileInfo {
                rows: out.len() as u64,
                bytes,
            },
        );
        summary.diffs.push(DiffInfo {
            file: name,
            date: iso(day),
            rows: out.len() as u64,
            by_process,
            corrections,
            examples,
        });
    }

    let mut closed = summary.full.closed as i64;
    for (number, h) in &state {
        let before = closed_before.get(number).copied().unwrap_or(false);
        let after = h.last().is_some_and(Corporation::is_closed);
        closed += i64::from(after) - i64::from(before);
    }
    let a = &mut summary.after_diffs;
    a.touched = state.len() as u64;
    a.corporations = count + a.created - a.deleted;
    a.closed = closed.max(0) as u64;
    Ok(())
}

/// Records the stored history of a corporation about to be touched.
fn track(
    state: &mut BTreeMap<String, Vec<Corporation>>,
    closed_before: &mut BTreeMap<String, bool>,
    rows: &[Corporation],
) {
    if let Some(last) = rows.last() {
        let n = last.number.to_string();
        closed_before
            .entry(n.clone())
            .or_insert_with(|| last.is_closed());
        state.entry(n).or_insert_with(|| rows.to_vec());
    }
}

/// Parses the command line after `corp-data` and runs the generator.
pub fn run(args: &[String]) -> Result<(PathBuf, Summary, std::time::Duration), String> {
    let mut opts = Options::default();
    let mut dir = None;
    let mut positional = 0;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => {
                opts.seed = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--seed needs a number")?;
            }
            "--date" => {
                opts.date = it
                    .next()
                    .and_then(|s| mamori_corp::record::parse_nta_date(s))
                    .ok_or("--date needs YYYY-MM-DD")?;
            }
            "--days" => {
                opts.days = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--days needs a number")?;
            }
            "--no-xml" => opts.xml = false,
            s if positional == 0 => {
                dir = Some(PathBuf::from(s));
                positional += 1;
            }
            s if positional == 1 => {
                opts.count = s
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("COUNT: {s:?}"))?;
                positional += 1;
            }
            s => return Err(format!("unexpected argument {s:?}")),
        }
    }
    let dir = dir.ok_or("missing DIR")?;
    if opts.count > 9_000_000 {
        return Err("COUNT above 9,000,000 is not supported".into());
    }
    let start = std::time::Instant::now();
    let summary = write_corp_data(&dir, &opts)?;
    Ok((dir, summary, start.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_corp::{Change, read_csv, read_xml, write_csv};
    use std::io::BufReader;

    fn tmp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mamori-corp-data-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn open(dir: &Path, name: &str) -> File {
        File::open(dir.join(name)).unwrap()
    }

    #[test]
    fn generated_files_read_back_cleanly_and_agree_with_expected_json() {
        let dir = tmp("read");
        let opts = Options {
            count: 3000,
            seed: 7,
            ..Options::default()
        };
        let s = write_corp_data(&dir, &opts).unwrap();

        // 全件, Unicode: clean, unique numbers, byte-identical when written back.
        let bytes = std::fs::read(dir.join("00_zenkoku_all_20260529.csv")).unwrap();
        let full = read_csv(&bytes[..]).unwrap();
        assert!(
            full.diagnostics.is_empty(),
            "{:#?}",
            &full.diagnostics[..3.min(full.diagnostics.len())]
        );
        assert_eq!(full.rows.len(), 3000);
        assert_eq!(
            write_csv(&full.rows, TextEncoding::Utf8, false).unwrap(),
            bytes
        );
        let numbers: HashSet<_> = full.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers.len(), 3000);
        let kinds: HashSet<_> = full.rows.iter().filter_map(|r| r.kind).collect();
        assert_eq!(kinds.len(), Kind::ALL.len());
        assert!(full.rows.iter().all(Corporation::is_latest));
        assert_eq!(s.full.rows, 3000);
        assert!(s.full.closed > 0 && s.full.with_successor > 0 && s.full.old_character_forms > 0);
        assert!(s.full.with_furigana > 0 && s.full.with_furigana < 3000);
        assert!(s.full.mae_kabu > 0 && s.full.ato_kabu > 0);

        // Shift_JIS and XML hold the same rows.
        let sjis = read_csv(open(&dir, "00_zenkoku_all_20260529_sjis.csv")).unwrap();
        assert_eq!(sjis.encoding, Some(TextEncoding::ShiftJis));
        assert!(sjis.diagnostics.is_empty());
        assert_eq!(s.sjis_replacements, 0);
        assert_eq!(sjis.rows, full.rows);
        let xml = read_xml(BufReader::new(open(&dir, "00_zenkoku_all_20260529.xml"))).unwrap();
        assert!(xml.diagnostics.is_empty());
        assert_eq!(xml.envelope.map(|e| e.count), Some(3000));
        assert_eq!(xml.rows, full.rows);

        // History: one latest row per corporation, equal to the 全件 row.
        let hist = read_csv(open(&dir, "00_zenkoku_history_20260529.csv")).unwrap();
        assert!(hist.diagnostics.is_empty());
        assert_eq!(hist.rows.len() as u64, s.history_rows);
        let mut state: BTreeMap<CorpNumber, Vec<Corporation>> = BTreeMap::new();
        for r in hist.rows {
            state.entry(r.number).or_default().push(r);
        }
        assert_eq!(state.len(), 3000);
        for row in &full.rows {
            let h = &state[&row.number];
            assert_eq!(h.iter().filter(|r| r.is_latest()).count(), 1);
            assert!(h.last().unwrap().same_content(row));
        }

        // 差分: every 処理区分 and a 訂正; applying them reproduces expected.json, and
        // applying them twice changes nothing.
        let mut processes = HashSet::new();
        let mut corrections = 0;
        for d in &s.diffs {
            let file = read_csv(open(&dir, &d.file)).unwrap();
            assert!(
                file.diagnostics.is_empty(),
                "{}: {:#?}",
                d.file,
                file.diagnostics
            );
            assert_eq!(file.rows.len() as u64, d.rows);
            let mut groups: BTreeMap<CorpNumber, Vec<Corporation>> = BTreeMap::new();
            for r in file.rows {
                processes.insert(r.process);
                corrections += u64::from(r.is_correction());
                groups.entry(r.number).or_default().push(r);
            }
            for (n, rows) in &groups {
                let h = state.remove(n).unwrap_or_default();
                let a = apply(&h, rows);
                assert_ne!(a.change, Change::Unchanged, "{n}");
                let again = apply(&a.history, rows);
                assert_eq!(again.change, Change::Unchanged, "{n}");
                if !a.history.is_empty() {
                    state.insert(*n, a.history);
                }
            }
        }
        assert_eq!(processes.len(), Process::ALL.len());
        assert!(corrections >= 1);
        assert_eq!(state.len() as u64, s.after_diffs.corporations);
        let closed = state
            .values()
            .filter(|h| h.last().is_some_and(Corporation::is_closed))
            .count() as u64;
        assert_eq!(closed, s.after_diffs.closed);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_generator_is_deterministic() {
        let (a, b, c) = (tmp("det-a"), tmp("det-b"), tmp("det-c"));
        let opts = Options {
            count: 500,
            seed: 3,
            xml: false,
            ..Options::default()
        };
        write_corp_data(&a, &opts).unwrap();
        write_corp_data(&b, &opts).unwrap();
        write_corp_data(
            &c,
            &Options {
                seed: 4,
                ..opts.clone()
            },
        )
        .unwrap();
        let name = "00_zenkoku_all_20260529.csv";
        let read = |d: &Path, n: &str| std::fs::read(d.join(n)).unwrap();
        assert_eq!(read(&a, name), read(&b, name));
        assert_eq!(read(&a, "expected.json"), read(&b, "expected.json"));
        assert_ne!(read(&a, name), read(&c, name));
        for d in [a, b, c] {
            let _ = std::fs::remove_dir_all(d);
        }
    }

    #[test]
    fn local_government_codes_carry_their_check_digit() {
        assert_eq!(local_gov_code(13, 0), 130001);
        assert_eq!(local_gov_code(13, 101), 131016);
        assert_eq!(local_gov_code(1, 100), 11002);
    }
}
