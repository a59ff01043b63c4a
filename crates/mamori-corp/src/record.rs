//! One row of the NTA 法人番号 data: the 30 columns of リソース定義書 v4 (項番 7–36) with typed
//! fields, plus what is needed to write the row back byte-identically.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

/// Number of columns in a v4 row.
pub const COLUMN_COUNT: usize = 30;

/// The 30 columns in file order: Japanese 項目 name and XML element name.
pub const COLUMNS: [(&str, &str); COLUMN_COUNT] = [
    ("一連番号", "sequenceNumber"),
    ("法人番号", "corporateNumber"),
    ("処理区分", "process"),
    ("訂正区分", "correct"),
    ("更新年月日", "updateDate"),
    ("変更年月日", "changeDate"),
    ("商号又は名称", "name"),
    ("商号又は名称イメージID", "nameImageId"),
    ("法人種別", "kind"),
    ("国内所在地(都道府県)", "prefectureName"),
    ("国内所在地(市区町村)", "cityName"),
    ("国内所在地(丁目番地等)", "streetNumber"),
    ("国内所在地イメージID", "addressImageId"),
    ("都道府県コード", "prefectureCode"),
    ("市区町村コード", "cityCode"),
    ("郵便番号", "postCode"),
    ("国外所在地", "addressOutside"),
    ("国外所在地イメージID", "addressOutsideImageId"),
    ("登記記録の閉鎖等年月日", "closeDate"),
    ("登記記録の閉鎖等の事由", "closeCause"),
    ("承継先法人番号", "successorCorporateNumber"),
    ("変更事由の詳細", "changeCause"),
    ("法人番号指定年月日", "assignmentDate"),
    ("最新履歴", "latest"),
    ("商号又は名称(英語表記)", "enName"),
    ("国内所在地(都道府県)(英語表記)", "enPrefectureName"),
    ("国内所在地(市区町村丁目番地等)(英語表記)", "enCityName"),
    ("国外所在地(英語表記)", "enAddressOutside"),
    ("フリガナ", "furigana"),
    ("検索対象除外", "hihyoji"),
];

/// Columns holding free text. In the NTA CSV layout these are double-quoted when non-empty;
/// every other column (numbers, codes, dates, image ids) is written bare. 0-based indices.
pub const TEXT_COLUMNS: [usize; 11] = [6, 9, 10, 11, 16, 21, 24, 25, 26, 27, 28];

/// Whether the 0-based column holds free text (quoted in the NTA layout).
pub fn is_text_column(index: usize) -> bool {
    TEXT_COLUMNS.contains(&index)
}

/// The quote mask of the NTA layout for a row: bit i set = column i is double-quoted.
/// Text columns are quoted when non-empty; empty fields are always written as nothing.
pub fn nta_quote_mask(fields: &[&str; COLUMN_COUNT]) -> u32 {
    let mut mask = 0;
    for i in TEXT_COLUMNS {
        if !fields[i].is_empty() {
            mask |= 1 << i;
        }
    }
    mask
}

/// A column named for diagnostics: 1-based index and the Japanese 項目 name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column(u8);

impl Column {
    /// The column with the given 0-based index (values ≥ 30 are clamped to the last column).
    pub fn from_index(index: usize) -> Column {
        Column(index.min(COLUMN_COUNT - 1) as u8)
    }

    /// 0-based index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// 1-based number as in the リソース定義書 row layout.
    pub fn number(self) -> usize {
        usize::from(self.0) + 1
    }

    /// Japanese name, e.g. 法人番号.
    pub fn name(self) -> &'static str {
        COLUMNS[self.index()].0
    }

    /// XML element name, e.g. corporateNumber.
    pub fn element(self) -> &'static str {
        COLUMNS[self.index()].1
    }
}

impl fmt::Display for Column {
    /// `2 法人番号`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.number(), self.name())
    }
}

/// A problem with one row (or the whole file when `line` is 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based physical line where the row starts (CSV) or where the `<corporation>` element
    /// starts (XML); 0 for file-level problems.
    pub line: u64,
    /// The column at fault, if one.
    pub column: Option<Column>,
    /// What is wrong, in English, with the offending text where it helps.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {}: {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why a corporate number was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorpNumberError {
    /// Not exactly 13 ASCII digits.
    Shape,
    /// 13 digits, but the first (check) digit does not match the other 12.
    CheckDigit {
        /// The check digit the 12-digit base calls for.
        expected: u8,
    },
}

impl fmt::Display for CorpNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorpNumberError::Shape => f.write_str("not 13 digits"),
            CorpNumberError::CheckDigit { expected } => {
                write!(f, "check digit does not match (expected {expected})")
            }
        }
    }
}

impl std::error::Error for CorpNumberError {}

/// A 法人番号: 13 ASCII digits whose first digit is the check digit of the other twelve
/// (財務省令第七十号 第二条; computed by [`mamori_mynumber::corporate_check_digit`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CorpNumber([u8; 13]);

impl CorpNumber {
    /// Parses 13 digits and checks the check digit.
    pub fn parse(s: &str) -> Result<CorpNumber, CorpNumberError> {
        let b = s.as_bytes();
        if b.len() != 13 || !b.iter().all(u8::is_ascii_digit) {
            return Err(CorpNumberError::Shape);
        }
        let mut digits = [0u8; 13];
        for (d, c) in digits.iter_mut().zip(b) {
            *d = c - b'0';
        }
        if mamori_mynumber::is_valid_corporate(&digits) {
            let mut ascii = [0u8; 13];
            ascii.copy_from_slice(b);
            Ok(CorpNumber(ascii))
        } else {
            let mut base = [0u8; 12];
            base.copy_from_slice(&digits[1..]);
            Err(CorpNumberError::CheckDigit {
                expected: mamori_mynumber::corporate_check_digit(&base),
            })
        }
    }

    /// The number for a 12-digit base (the 会社法人等番号 or other base, `< 10^12`), with
    /// its check digit prefixed. `None` if `base` has more than 12 digits.
    pub fn from_base(base: u64) -> Option<CorpNumber> {
        if base >= 1_000_000_000_000 {
            return None;
        }
        let mut digits = [0u8; 12];
        let mut n = base;
        for d in digits.iter_mut().rev() {
            *d = (n % 10) as u8;
            n /= 10;
        }
        let check = mamori_mynumber::corporate_check_digit(&digits);
        let mut ascii = [0u8; 13];
        ascii[0] = b'0' + check;
        for (a, d) in ascii[1..].iter_mut().zip(digits) {
            *a = b'0' + d;
        }
        Some(CorpNumber(ascii))
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 12-digit base (without the check digit) as a number.
    pub fn base(&self) -> u64 {
        self.0[1..]
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
    }
}

impl fmt::Display for CorpNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CorpNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CorpNumber({})", self.as_str())
    }
}

impl FromStr for CorpNumber {
    type Err = CorpNumberError;
    fn from_str(s: &str) -> Result<CorpNumber, CorpNumberError> {
        CorpNumber::parse(s)
    }
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $width:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $ja:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $code, "` ", $ja)] $variant, )*
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code as written in the files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The official Japanese name.
            pub fn name_ja(self) -> &'static str {
                match self { $($name::$variant => $ja),* }
            }

            /// The value for a code as written in the files (exact width).
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.code(), self.name_ja())
            }
        }
    };
}

code_enum! {
    /// 処理区分: what the row records.
    Process, 2 {
        New = "01", "新規";
        NameChange = "11", "商号又は名称の変更";
        DomesticAddressChange = "12", "国内所在地の変更";
        ForeignAddressChange = "13", "国外所在地の変更";
        Closed = "21", "登記記録の閉鎖等";
        Restored = "22", "登記記録の復活等";
        Merged = "71", "吸収合併";
        MergerVoided = "72", "吸収合併無効";
        NameErased = "81", "商号の登記の抹消";
        Deleted = "99", "削除";
    }
}

code_enum! {
    /// 法人種別.
    Kind, 3 {
        State = "101", "国の機関";
        LocalGovernment = "201", "地方公共団体";
        StockCompany = "301", "株式会社";
        LimitedCompany = "302", "有限会社";
        GeneralPartnership = "303", "合名会社";
        LimitedPartnership = "304", "合資会社";
        LimitedLiabilityCompany = "305", "合同会社";
        OtherRegistered = "399", "その他の設立登記法人";
        Foreign = "401", "外国会社等";
        Other = "499", "その他";
    }
}

code_enum! {
    /// 登記記録の閉鎖等の事由. Blank in the files means the corporation is active.
    CloseCause, 2 {
        Liquidated = "01", "清算の結了等";
        Merger = "11", "合併による解散等";
        ClosedByRegistrar = "21", "登記官による閉鎖";
        OtherLiquidation = "31", "その他の清算の結了等";
    }
}

/// How a row was written in its source file, where that differs from what the NTA layout
/// and the typed fields would produce. Rows built in code, and rows read from files in the
/// exact NTA layout, carry the default (empty) form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceForm {
    /// Which columns were double-quoted (bit i = 0-based column i), when that differs from
    /// [`nta_quote_mask`].
    pub quoted: Option<u32>,
    /// Original text of typed columns whose canonical rendering differs (for example a
    /// sequence number with leading zeros), by 0-based column index.
    pub verbatim: Vec<(u8, Box<str>)>,
}

impl SourceForm {
    /// Whether the row is in the exact NTA layout.
    pub fn is_canonical(&self) -> bool {
        self.quoted.is_none() && self.verbatim.is_empty()
    }
}

/// One row of the 法人番号 data (one state of one corporation).
///
/// Text columns hold their original text; typed columns are parsed. Writing a row back
/// (CSV or XML) reproduces the input text: canonical renderings plus [`SourceForm`] where the
/// input deviated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Corporation {
    /// 1 一連番号 (position in the file or response).
    pub sequence_number: u64,
    /// 2 法人番号.
    pub number: CorpNumber,
    /// 3 処理区分.
    pub process: Process,
    /// 4 訂正区分: `Some(true)` = 1 訂正, `Some(false)` = 0; `None` when blank (99 rows).
    pub correct: Option<bool>,
    /// 5 更新年月日.
    pub update_date: Option<Date>,
    /// 6 変更年月日.
    pub change_date: Option<Date>,
    /// 7 商号又は名称.
    pub name: String,
    /// 8 商号又は名称イメージID.
    pub name_image_id: String,
    /// 9 法人種別 (blank only in 99 rows).
    pub kind: Option<Kind>,
    /// 10 国内所在地(都道府県).
    pub prefecture_name: String,
    /// 11 国内所在地(市区町村).
    pub city_name: String,
    /// 12 国内所在地(丁目番地等).
    pub street_number: String,
    /// 13 国内所在地イメージID.
    pub address_image_id: String,
    /// 14 都道府県コード (JIS X 0401, 1–47; 99 accepted).
    pub prefecture_code: Option<u8>,
    /// 15 市区町村コード (JIS X 0402, 3 digits).
    pub city_code: Option<u16>,
    /// 16 郵便番号 (7 digits, no hyphen), or empty.
    pub post_code: String,
    /// 17 国外所在地.
    pub address_outside: String,
    /// 18 国外所在地イメージID.
    pub address_outside_image_id: String,
    /// 19 登記記録の閉鎖等年月日.
    pub close_date: Option<Date>,
    /// 20 登記記録の閉鎖等の事由.
    pub close_cause: Option<CloseCause>,
    /// 21 承継先法人番号.
    pub successor: Option<CorpNumber>,
    /// 22 変更事由の詳細.
    pub change_cause: String,
    /// 23 法人番号指定年月日.
    pub assignment_date: Option<Date>,
    /// 24 最新履歴: `Some(true)` = 1 最新, `Some(false)` = 0 過去.
    pub latest: Option<bool>,
    /// 25 商号又は名称(英語表記).
    pub en_name: String,
    /// 26 国内所在地(都道府県)(英語表記).
    pub en_prefecture_name: String,
    /// 27 国内所在地(市区町村丁目番地等)(英語表記).
    pub en_city_name: String,
    /// 28 国外所在地(英語表記).
    pub en_address_outside: String,
    /// 29 フリガナ.
    pub furigana: String,
    /// 30 検索対象除外: `Some(true)` = 1 excluded from search.
    pub hihyoji: Option<bool>,
    /// How the source file wrote the row, where it deviates from the NTA layout.
    pub source: SourceForm,
}

impl Corporation {
    /// An empty row for a number: 処理区分 01, everything else blank.
    pub fn new(number: CorpNumber) -> Corporation {
        Corporation {
            sequence_number: 0,
            number,
            process: Process::New,
            correct: None,
            update_date: None,
            change_date: None,
            name: String::new(),
            name_image_id: String::new(),
            kind: None,
            prefecture_name: String::new(),
            city_name: String::new(),
            street_number: String::new(),
            address_image_id: String::new(),
            prefecture_code: None,
            city_code: None,
            post_code: String::new(),
            address_outside: String::new(),
            address_outside_image_id: String::new(),
            close_date: None,
            close_cause: None,
            successor: None,
            change_cause: String::new(),
            assignment_date: None,
            latest: None,
            en_name: String::new(),
            en_prefecture_name: String::new(),
            en_city_name: String::new(),
            en_address_outside: String::new(),
            furigana: String::new(),
            hihyoji: None,
            source: SourceForm::default(),
        }
    }

    /// 訂正区分 = 1.
    pub fn is_correction(&self) -> bool {
        self.correct == Some(true)
    }

    /// 最新履歴 = 1.
    pub fn is_latest(&self) -> bool {
        self.latest == Some(true)
    }

    /// 検索対象除外 = 1.
    pub fn is_hihyoji(&self) -> bool {
        self.hihyoji == Some(true)
    }

    /// Whether the registration is closed (a 閉鎖等年月日 or 事由 is set).
    pub fn is_closed(&self) -> bool {
        self.close_date.is_some() || self.close_cause.is_some()
    }

    /// Whether two rows record the same state: every column equal except the 一連番号
    /// (a position in one file), the 最新履歴 flag (which later rows change) and the source
    /// form. This is the identity used to make 差分 application idempotent.
    pub fn same_content(&self, other: &Corporation) -> bool {
        let mut a = self.clone();
        a.sequence_number = other.sequence_number;
        a.latest = other.latest;
        a.source = other.source.clone();
        a == *other
    }

    /// The 30 columns as text, in file order, with the original text where the source
    /// deviated from the canonical rendering. `scratch` receives the rendered typed columns.
    pub fn to_fields<'a>(&'a self, scratch: &'a mut Scratch) -> [&'a str; COLUMN_COUNT] {
        scratch.render(self);
        let s = &*scratch;
        let mut f: [&str; COLUMN_COUNT] = [
            &s.seq,
            self.number.as_str(),
            self.process.code(),
            flag(self.correct),
            &s.dates[0],
            &s.dates[1],
            &self.name,
            &self.name_image_id,
            self.kind.map(Kind::code).unwrap_or(""),
            &self.prefecture_name,
            &self.city_name,
            &self.street_number,
            &self.address_image_id,
            &s.pref,
            &s.city,
            &self.post_code,
            &self.address_outside,
            &self.address_outside_image_id,
            &s.dates[2],
            self.close_cause.map(CloseCause::code).unwrap_or(""),
            self.successor
                .as_ref()
                .map(CorpNumber::as_str)
                .unwrap_or(""),
            &self.change_cause,
            &s.dates[3],
            flag(self.latest),
            &self.en_name,
            &self.en_prefecture_name,
            &self.en_city_name,
            &self.en_address_outside,
            &self.furigana,
            flag(self.hihyoji),
        ];
        for (i, text) in &self.source.verbatim {
            if let Some(slot) = f.get_mut(usize::from(*i)) {
                *slot = text;
            }
        }
        f
    }

    /// Builds a row from 30 texts (already unquoted and decoded), validating every typed
    /// column. On failure, every problem found is returned as `(0-based column, message)`.
    pub fn from_fields(f: &[&str; COLUMN_COUNT]) -> Result<Corporation, Vec<(usize, String)>> {
        let mut errors: Vec<(usize, String)> = Vec::new();
        let mut verbatim: Vec<(u8, Box<str>)> = Vec::new();

        let sequence_number = match parse_u64(f[0]) {
            Some(n) => {
                if n.to_string() != f[0] {
                    verbatim.push((0, f[0].into()));
                }
                n
            }
            None => {
                errors.push((0, bad("not a number", f[0])));
                0
            }
        };
        let number = match CorpNumber::parse(f[1]) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push((1, format!("{e}: {:?}", f[1])));
                None
            }
        };
        let process = Process::from_code(f[2]);
        if process.is_none() {
            errors.push((2, bad("unknown 処理区分", f[2])));
        }
        let deleted = process == Some(Process::Deleted);
        let correct = parse_flag(f[3], 3, &mut errors);
        let update_date = parse_date(f[4], 4, &mut errors);
        let change_date = parse_date(f[5], 5, &mut errors);
        let kind = if f[8].is_empty() {
            None
        } else {
            let k = Kind::from_code(f[8]);
            if k.is_none() {
                errors.push((8, bad("unknown 法人種別", f[8])));
            }
            k
        };
        let prefecture_code = if f[13].is_empty() {
            None
        } else {
            match f[13].parse::<u8>() {
                Ok(n) if f[13].len() == 2 && ((1..=47).contains(&n) || n == 99) => Some(n),
                _ => {
                    errors.push((13, bad("not a 2-digit prefecture code 01–47", f[13])));
                    None
                }
            }
        };
        let city_code = if f[14].is_empty() {
            None
        } else {
            match f[14].parse::<u16>() {
                Ok(n) if f[14].len() == 3 && f[14].bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => {
                    errors.push((14, bad("not a 3-digit city code", f[14])));
                    None
                }
            }
        };
        let post_ok = f[15].len() == 7 && f[15].bytes().all(|b| b.is_ascii_digit());
        if !f[15].is_empty() && !post_ok {
            errors.push((15, bad("not a 7-digit post code", f[15])));
        }
        let close_date = parse_date(f[18], 18, &mut errors);
        let close_cause = if f[19].is_empty() {
            None
        } else {
            let c = CloseCause::from_code(f[19]);
            if c.is_none() {
                errors.push((19, bad("unknown 閉鎖等の事由", f[19])));
            }
            c
        };
        let successor = if f[20].is_empty() {
            None
        } else {
            match CorpNumber::parse(f[20]) {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.push((20, format!("{e}: {:?}", f[20])));
                    None
                }
            }
        };
        let assignment_date = parse_date(f[22], 22, &mut errors);
        let latest = parse_flag(f[23], 23, &mut errors);
        let hihyoji = parse_flag(f[29], 29, &mut errors);
        for i in [7usize, 12, 17] {
            if !f[i].bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push((i, bad("not an image id", f[i])));
            }
        }
        if !deleted {
            let required = [
                (3usize, correct.is_some()),
                (4, update_date.is_some()),
                (8, kind.is_some()),
                (22, assignment_date.is_some()),
                (23, latest.is_some()),
            ];
            for (i, present) in required {
                if !present && f[i].is_empty() {
                    errors.push((i, "blank, but required unless 処理区分 is 99".into()));
                }
            }
            if f[6].is_empty() && f[7].is_empty() {
                errors.push((6, "blank name without a name image id".into()));
            }
        }
        let (Some(number), Some(process), true) = (number, process, errors.is_empty()) else {
            return Err(errors);
        };
        Ok(Corporation {
            sequence_number,
            number,
            process,
            correct,
            update_date,
            change_date,
            name: f[6].into(),
            name_image_id: f[7].into(),
            kind,
            prefecture_name: f[9].into(),
            city_name: f[10].into(),
            street_number: f[11].into(),
            address_image_id: f[12].into(),
            prefecture_code,
            city_code,
            post_code: f[15].into(),
            address_outside: f[16].into(),
            address_outside_image_id: f[17].into(),
            close_date,
            close_cause,
            successor,
            change_cause: f[21].into(),
            assignment_date,
            latest,
            en_name: f[24].into(),
            en_prefecture_name: f[25].into(),
            en_city_name: f[26].into(),
            en_address_outside: f[27].into(),
            furigana: f[28].into(),
            hihyoji,
            source: SourceForm {
                quoted: None,
                verbatim,
            },
        })
    }
}

/// Reusable buffers for rendering the typed columns of a row (see
/// [`Corporation::to_fields`]); keep one per writer to avoid per-row allocations.
#[derive(Debug, Default)]
pub struct Scratch {
    seq: String,
    dates: [String; 4],
    pref: String,
    city: String,
}

impl Scratch {
    fn render(&mut self, c: &Corporation) {
        use std::fmt::Write as _;
        self.seq.clear();
        let _ = write!(self.seq, "{}", c.sequence_number);
        for (buf, d) in self.dates.iter_mut().zip([
            c.update_date,
            c.change_date,
            c.close_date,
            c.assignment_date,
        ]) {
            buf.clear();
            if let Some(d) = d {
                write_date(buf, d);
            }
        }
        self.pref.clear();
        if let Some(p) = c.prefecture_code {
            let _ = write!(self.pref, "{p:02}");
        }
        self.city.clear();
        if let Some(p) = c.city_code {
            let _ = write!(self.city, "{p:03}");
        }
    }
}

/// Appends `YYYY-MM-DD`.
pub fn write_date(out: &mut String, d: Date) {
    use std::fmt::Write as _;
    let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
}

/// Parses exactly `YYYY-MM-DD` (the only date form of the NTA files).
pub fn parse_nta_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b[r].iter().try_fold(0i16, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "1",
        Some(false) => "0",
        None => "",
    }
}

fn bad(what: &str, text: &str) -> String {
    format!("{what}: {text:?}")
}

fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_flag(s: &str, i: usize, errors: &mut Vec<(usize, String)>) -> Option<bool> {
    match s {
        "" => None,
        "0" => Some(false),
        "1" => Some(true),
        _ => {
            errors.push((i, bad("not 0 or 1", s)));
            None
        }
    }
}

fn parse_date(s: &str, i: usize, errors: &mut Vec<(usize, String)>) -> Option<Date> {
    if s.is_empty() {
        return None;
    }
    let d = parse_nta_date(s);
    if d.is_none() {
        errors.push((i, bad("not a date YYYY-MM-DD", s)));
    }
    d
}
