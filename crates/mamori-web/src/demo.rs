//! `mamori serve --demo`: a fictional municipality (サンプル市) so a new user sees a living
//! product at once. Everything is invented; demo users get random passwords that must be
//! changed at first sign-in.

use mamori_model::{Role, SystemInput};
use mamori_store::StoreError;
use mamori_store::app::{Actor, AppDb, NewUser, SbdAnswer, SbdOverride};

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
    Ok(users)
}
