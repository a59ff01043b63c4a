//! `mamori serve --demo`: a fictional municipality (サンプル市) so a new user sees a living
//! product at once. Everything is invented; demo users get random passwords that must be
//! changed at first sign-in.

use jiff::civil::Date;
use mamori_assess::{
    DEFAULT_EVIDENCE_MAX_AGE_DAYS, EvidenceKind, Outcome, Remediation, RemediationStatus, Target,
};
use mamori_model::{Role, Segment, SystemInput};
use mamori_store::StoreError;
use mamori_store::app::{Actor, AppDb, NewUser, SbdAnswer, SbdOverride};
use mamori_store::assess::{NewAssessment, NewEvidence};

use crate::auth;

/// A demo account as created: user name, role and its one-time password.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub role: Role,
    pub password: String,
}

const DEPARTMENTS: [&str; 5] = [
    "総務部 情報政策課",
    "市民部 市民課",
    "税務部 税務課",
    "福祉部 福祉課",
    "教育委員会 学校教育課",
];

/// (name, department index, segment, C, I, A, external, user base, status, overview)
type DemoSystem = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static str,
);

const SYSTEMS: [DemoSystem; 8] = [
    (
        "住民記録システム",
        1,
        "mynumber",
        "3",
        "2",
        "2",
        false,
        "staff",
        "operating",
        "住民基本台帳の記録・証明書交付（標準準拠システム）",
    ),
    (
        "税務システム（個人住民税）",
        2,
        "mynumber",
        "3",
        "2",
        "2",
        false,
        "staff",
        "operating",
        "個人住民税の賦課・収納",
    ),
    (
        "福祉総合システム",
        3,
        "mynumber",
        "3",
        "2",
        "2",
        false,
        "staff",
        "building",
        "障害福祉・介護保険の給付管理",
    ),
    (
        "財務会計システム",
        0,
        "lgwan",
        "2",
        "2",
        "2",
        false,
        "staff",
        "operating",
        "予算編成・執行管理",
    ),
    (
        "文書管理・電子決裁システム",
        0,
        "lgwan",
        "2",
        "2",
        "1",
        false,
        "staff",
        "procurement",
        "公文書の起案・決裁・保存",
    ),
    (
        "電子申請システム",
        0,
        "internet",
        "2",
        "2",
        "1",
        true,
        "residents",
        "planning",
        "住民・事業者からのオンライン申請受付",
    ),
    (
        "市公式ウェブサイトCMS",
        0,
        "internet",
        "1",
        "2",
        "1",
        true,
        "public",
        "operating",
        "市の広報・お知らせの公開",
    ),
    (
        "校務支援システム",
        4,
        "other",
        "2",
        "1",
        "1",
        false,
        "staff",
        "operating",
        "成績・出欠管理（クラウドサービス）",
    ),
];

fn answers(values: [bool; 6], reasons: [&str; 6]) -> Vec<SbdAnswer> {
    ["A", "B", "C", "D", "E", "F"]
        .iter()
        .zip(values)
        .zip(reasons)
        .map(|((c, v), r)| SbdAnswer {
            condition_id: (*c).to_owned(),
            value: v,
            reason: r.to_owned(),
        })
        .collect()
}

/// Fills an empty database with サンプル市. Refuses when systems already exist.
pub async fn load_demo(db: &AppDb, time: &str) -> Result<Vec<DemoUser>, StoreError> {
    if db.counts().await?.systems > 0 {
        return Err(StoreError::Conflict(
            "the database already holds systems".into(),
        ));
    }
    let actor = Actor {
        name: "demo".into(),
        time: time.to_owned(),
    };
    db.set_organisation("サンプル市", &actor).await?;
    let mut dept_ids = Vec::new();
    for d in DEPARTMENTS {
        dept_ids.push(db.add_department(d, &actor).await?);
    }
    let mut users = Vec::new();
    for (username, name, role, dept) in [
        ("tanaka", "田中 一郎", Role::SecurityOfficer, 0usize),
        ("suzuki", "鈴木 花子", Role::Assessor, 0),
        ("takahashi", "高橋 健", Role::Auditor, 0),
        ("ito", "伊藤 美咲", Role::Viewer, 1),
    ] {
        let password = auth::random_hex(8).map_err(StoreError::Corrupt)?;
        let hash = auth::hash_password(&password).map_err(StoreError::Corrupt)?;
        db.create_user(
            &NewUser {
                username: username.into(),
                display_name: name.into(),
                role,
                department_id: dept_ids.get(dept).copied(),
                password_hash: hash,
                must_change_password: true,
            },
            &actor,
        )
        .await?;
        users.push(DemoUser {
            username: username.into(),
            role,
            password,
        });
    }
    let mut system_ids = Vec::new();
    for (name, dept, seg, c, i, a, ext, base, status, overview) in SYSTEMS {
        let input = SystemInput {
            name: name.into(),
            department_id: dept_ids.get(dept).copied().unwrap_or(0).to_string(),
            segment: seg.into(),
            confidentiality: c.into(),
            integrity: i.into(),
            availability: a.into(),
            external_access: ext.then(|| "on".to_owned()),
            user_base: base.into(),
            status: status.into(),
            overview: overview.into(),
        };
        let valid = input
            .validate()
            .map_err(|e| StoreError::Corrupt(format!("demo system {name}: {e:?}")))?;
        system_ids.push(db.create_system(&valid, &actor).await?);
    }
    // 電子申請システム: the worked example of the SBD manual (活用例①) in spirit.
    if let Some(id) = system_ids.get(5) {
        db.save_sbd(
            *id,
            &answers(
                [true, false, false, false, false, true],
                [
                    "インターネット経由で住民・事業者が申請する",
                    "申請データに特定個人情報は含めない設計",
                    "外部サービスとの常時連携はない",
                    "停止時は窓口受付で代替できる",
                    "年間の申請件数は限定的",
                    "申請者の個人情報を扱う",
                ],
            ),
            &[SbdOverride {
                requirement_id: "AU-1-1".into(),
                level: "high".into(),
                justification: "申請者の本人確認を強化するため（デモ）".into(),
            }],
            &actor,
        )
        .await?;
    }
    if let Some(id) = system_ids.get(6) {
        db.save_sbd(
            *id,
            &answers(
                [true, false, false, false, false, false],
                [
                    "インターネットに公開する",
                    "機密情報は扱わない",
                    "他システム連携なし",
                    "停止しても業務継続可能",
                    "小規模",
                    "個人情報は掲載しない",
                ],
            ),
            &[],
            &actor,
        )
        .await?;
    }
    demo_assessment(db, time, &actor).await?;
    Ok(users)
}

/// The catalog of the demo assessment.
pub const DEMO_CATALOG: &str = "wlan-mynumber";

/// (requirement, result, comment) of the demo assessment; requirements not listed stay 未評価.
const DEMO_RESULTS: [(&str, Outcome, &str); 24] = [
    (
        "MN-01",
        Outcome::Compliant,
        "全APで WPA3-Enterprise（AES-256）を設定済み。",
    ),
    (
        "MN-02",
        Outcome::Compliant,
        "EAP-TLS による端末証明書認証。証明書は庁内CAで発行。",
    ),
    (
        "MN-03",
        Outcome::Compliant,
        "初期パスワードは導入時に変更済み。特権IDは個人に割り当て。",
    ),
    (
        "MN-04",
        Outcome::Partial,
        "RADIUS ログは取得しているが、定期的な確認の手順が未整備。",
    ),
    (
        "MN-05",
        Outcome::Compliant,
        "端末台帳の MAC アドレスと証明書の両方で照合している。",
    ),
    (
        "MN-06",
        Outcome::Compliant,
        "AP ファームウェアは四半期ごとに更新（直近 2026年10月）。",
    ),
    (
        "MN-07",
        Outcome::NotApplicable,
        "無線LANは庁舎3階の執務室内に限定し、電波監視（MN-15）で代替するため導入しない。",
    ),
    (
        "MN-08",
        Outcome::Compliant,
        "AP 管理者パスワードは20文字以上で設定し、保守事業者と共有しない。",
    ),
    (
        "MN-09",
        Outcome::Compliant,
        "クライアント間通信の遮断（プライバシーセパレータ）を有効化。",
    ),
    (
        "MN-10",
        Outcome::Compliant,
        "マイナンバー利用事務系の SSID のみを端末に配布（ステルス設定）。",
    ),
    (
        "MN-11",
        Outcome::Compliant,
        "無線LAN区間からインターネットへの経路はない（FW で遮断）。",
    ),
    (
        "MN-12",
        Outcome::Compliant,
        "無線LAN機器の構成台帳を情報政策課で管理。",
    ),
    (
        "MN-13",
        Outcome::Partial,
        "脆弱性情報は収集しているが、適用判断の記録が残っていない。",
    ),
    (
        "MN-16",
        Outcome::Compliant,
        "事務取扱担当者名簿を市民課・税務課・福祉課ごとに作成済み。",
    ),
    (
        "MN-17",
        Outcome::Compliant,
        "無線LAN利用許可者のリストを年度初めに更新。",
    ),
    ("MN-18", Outcome::NonCompliant, "令和8年度の監査は未実施。"),
    (
        "MN-19",
        Outcome::Compliant,
        "月次で接続状況を情報政策課が確認。",
    ),
    (
        "MN-20",
        Outcome::Compliant,
        "端末はワイヤーロックで固定し、持ち出しを禁止。",
    ),
    (
        "MN-21",
        Outcome::NonCompliant,
        "市民課窓口側の端末5台にのぞき見防止フィルターが未装着。",
    ),
    (
        "MN-22",
        Outcome::Compliant,
        "事務取扱担当者の執務エリアをパーティションで区分。",
    ),
    (
        "MN-23",
        Outcome::Compliant,
        "認証サーバはサーバ室（入退室管理あり）に設置。",
    ),
    (
        "MN-24",
        Outcome::Compliant,
        "AP は天井裏に設置し、利用者の手の届かない位置。",
    ),
    (
        "MN-25",
        Outcome::Compliant,
        "保守は専用の保守端末からのみ行う。",
    ),
    (
        "MN-26",
        Outcome::Partial,
        "保守端末の貸出記録はあるが、特権IDの棚卸しが年1回に満たない。",
    ),
];

/// Only the demo assessment (part of [`load_demo`]), into any database: for screenshots and
/// tests that already have their own systems. `time` is RFC 3339; its date is the assessment's.
pub async fn load_demo_assessment(db: &AppDb, time: &str) -> Result<i64, StoreError> {
    let actor = Actor {
        name: "demo".into(),
        time: time.to_owned(),
    };
    demo_assessment(db, time, &actor).await
}

/// One assessment of the マイナンバー利用事務系 wireless LAN (a draft with a realistic mix of
/// results, a note and a URL as evidence, one remediation).
async fn demo_assessment(db: &AppDb, time: &str, actor: &Actor) -> Result<i64, StoreError> {
    let date: Date = time
        .get(..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| StoreError::Invalid("time".into()))?;
    let id = db
        .create_assessment(
            &NewAssessment {
                title: "マイナンバー利用事務系 無線LAN 年次評価（デモ）".into(),
                catalog: DEMO_CATALOG.into(),
                catalog_version: mamori_catalog::CatalogSet::builtin()
                    .ok()
                    .and_then(|set| set.get(DEMO_CATALOG).map(|c| c.version.clone()))
                    .unwrap_or_default(),
                target: Target::Segment {
                    segment: Segment::MyNumber,
                },
                date,
                evidence_max_age_days: DEFAULT_EVIDENCE_MAX_AGE_DAYS,
                copy_from: None,
            },
            actor,
        )
        .await?;
    for (item, outcome, comment) in DEMO_RESULTS {
        db.set_result(id, item, outcome, comment, actor).await?;
    }
    db.add_evidence(
        id,
        "MN-04",
        &NewEvidence {
            kind: EvidenceKind::Note,
            title: "RADIUS ログの確認状況".into(),
            url: None,
            note: "情報政策課が月1回 RADIUS サーバの認証失敗ログを目視確認（記録様式は未制定）。"
                .into(),
            file: None,
            analyzer: None,
            added_on: date,
        },
        actor,
    )
    .await?;
    db.add_evidence(
        id,
        "MN-06",
        &NewEvidence {
            kind: EvidenceKind::Url,
            title: "AP ファームウェア更新記録（庁内ポータル）".into(),
            url: Some("https://portal.example.lg.jp/it/wlan/firmware".into()),
            note: String::new(),
            file: None,
            analyzer: None,
            added_on: date,
        },
        actor,
    )
    .await?;
    db.set_remediation(
        id,
        "MN-21",
        Some(&Remediation {
            action: "市民課窓口側の端末5台にのぞき見防止フィルターを装着する。".into(),
            owner: "市民部 市民課".into(),
            due: date.checked_add(jiff::Span::new().days(60)).ok(),
            status: RemediationStatus::InProgress,
        }),
        actor,
    )
    .await?;
    Ok(id)
}
