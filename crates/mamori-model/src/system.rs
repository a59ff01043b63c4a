//! Information systems (情報システム) and their classification.

use serde::{Deserialize, Serialize};

use crate::{FieldError, choices};

choices!(
    /// The network segment of the three-layer separation (三層の対策), or other.
    Segment, "segment" {
        /// マイナンバー利用事務系
        MyNumber => "mynumber",
        /// LGWAN接続系
        Lgwan => "lgwan",
        /// インターネット接続系
        Internet => "internet",
        /// その他 (e.g. a stand-alone or cloud system outside the three segments)
        Other => "other",
    }
);

choices!(
    /// 機密性 classification.
    Confidentiality, "confidentiality" {
        C3 => "3",
        C2 => "2",
        C1 => "1",
    }
);

choices!(
    /// 完全性 classification.
    Integrity, "integrity" {
        I2 => "2",
        I1 => "1",
    }
);

choices!(
    /// 可用性 classification.
    Availability, "availability" {
        A2 => "2",
        A1 => "1",
    }
);

choices!(
    /// Who uses the system.
    UserBase, "user_base" {
        /// 職員のみ
        Staff => "staff",
        /// 住民
        Residents => "residents",
        /// 事業者
        Businesses => "businesses",
        /// 他の行政機関
        Agencies => "agencies",
        /// 不特定多数
        Public => "public",
    }
);

choices!(
    /// Where the system is in its life.
    SystemStatus, "status" {
        /// 企画中
        Planning => "planning",
        /// 調達中
        Procurement => "procurement",
        /// 構築中
        Building => "building",
        /// 運用中
        Operating => "operating",
        /// 廃止
        Retired => "retired",
    }
);

/// The most characters a system name may have.
pub const NAME_MAX: usize = 100;
/// The most characters an overview may have.
pub const OVERVIEW_MAX: usize = 2000;

/// A system as typed into a form or sent to the API: every field as text, checked by
/// [`SystemInput::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SystemInput {
    pub name: String,
    pub department_id: String,
    pub segment: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    /// `on`, `true` or `1` (a ticked checkbox); anything else or absent is no.
    pub external_access: Option<String>,
    pub user_base: String,
    pub status: String,
    pub overview: String,
}

/// A system whose fields have been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidSystem {
    pub name: String,
    pub department_id: i64,
    pub segment: Segment,
    pub confidentiality: Confidentiality,
    pub integrity: Integrity,
    pub availability: Availability,
    pub external_access: bool,
    pub user_base: UserBase,
    pub status: SystemStatus,
    pub overview: String,
}

impl ValidSystem {
    /// The form's view of a stored system (for the edit page).
    pub fn to_input(&self) -> SystemInput {
        SystemInput {
            name: self.name.clone(),
            department_id: self.department_id.to_string(),
            segment: self.segment.key().to_owned(),
            confidentiality: self.confidentiality.key().to_owned(),
            integrity: self.integrity.key().to_owned(),
            availability: self.availability.key().to_owned(),
            external_access: self.external_access.then(|| "on".to_owned()),
            user_base: self.user_base.key().to_owned(),
            status: self.status.key().to_owned(),
            overview: self.overview.clone(),
        }
    }

    /// Lines describing what differs from `other`, for audit entries and history.
    pub fn diff(&self, other: &ValidSystem) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name}: {a} → {b}"));
            }
        };
        field("name", self.name.clone(), other.name.clone());
        field(
            "department_id",
            self.department_id.to_string(),
            other.department_id.to_string(),
        );
        field(
            "segment",
            self.segment.to_string(),
            other.segment.to_string(),
        );
        field(
            "confidentiality",
            self.confidentiality.to_string(),
            other.confidentiality.to_string(),
        );
        field(
            "integrity",
            self.integrity.to_string(),
            other.integrity.to_string(),
        );
        field(
            "availability",
            self.availability.to_string(),
            other.availability.to_string(),
        );
        field(
            "external_access",
            self.external_access.to_string(),
            other.external_access.to_string(),
        );
        field(
            "user_base",
            self.user_base.to_string(),
            other.user_base.to_string(),
        );
        field("status", self.status.to_string(), other.status.to_string());
        if self.overview != other.overview {
            out.push("overview: changed".to_owned());
        }
        out
    }
}

fn choice<T: Copy>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "required"));
        return None;
    }
    let got = parse(v);
    if got.is_none() {
        errors.push(FieldError::new(field, "invalid_choice"));
    }
    got
}

/// Text without control characters other than newlines and tabs (what a browser sends for a
/// text area), trimmed.
fn clean_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errors.push(FieldError::new(field, "too_long"));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.push(FieldError::new(field, "control_characters"));
    }
    v.replace("\r\n", "\n")
}

impl SystemInput {
    /// Checks every field; all problems are reported at once, in form order.
    pub fn validate(&self) -> Result<ValidSystem, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = clean_text("name", &self.name, NAME_MAX, &mut errors);
        if name.is_empty() {
            errors.push(FieldError::new("name", "required"));
        } else if name.contains('\n') {
            errors.push(FieldError::new("name", "single_line"));
        }
        let department_id = match self.department_id.trim() {
            "" => {
                errors.push(FieldError::new("department_id", "required"));
                None
            }
            s => match s.parse::<i64>() {
                Ok(v) if v > 0 => Some(v),
                _ => {
                    errors.push(FieldError::new("department_id", "invalid_choice"));
                    None
                }
            },
        };
        let segment = choice("segment", &self.segment, Segment::parse, &mut errors);
        let confidentiality = choice(
            "confidentiality",
            &self.confidentiality,
            Confidentiality::parse,
            &mut errors,
        );
        let integrity = choice("integrity", &self.integrity, Integrity::parse, &mut errors);
        let availability = choice(
            "availability",
            &self.availability,
            Availability::parse,
            &mut errors,
        );
        let external_access = matches!(
            self.external_access.as_deref().map(str::trim),
            Some("on" | "true" | "1" | "yes")
        );
        let user_base = choice("user_base", &self.user_base, UserBase::parse, &mut errors);
        let status = choice("status", &self.status, SystemStatus::parse, &mut errors);
        let overview = clean_text("overview", &self.overview, OVERVIEW_MAX, &mut errors);
        // A My Number system cannot be open to the internet: the separation forbids it.
        if segment == Some(Segment::MyNumber) && external_access {
            errors.push(FieldError::new("external_access", "mynumber_no_external"));
        }
        match (
            department_id,
            segment,
            confidentiality,
            integrity,
            availability,
            user_base,
            status,
        ) {
            (Some(d), Some(s), Some(c), Some(i), Some(a), Some(u), Some(st))
                if errors.is_empty() =>
            {
                Ok(ValidSystem {
                    name,
                    department_id: d,
                    segment: s,
                    confidentiality: c,
                    integrity: i,
                    availability: a,
                    external_access,
                    user_base: u,
                    status: st,
                    overview,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> SystemInput {
        SystemInput {
            name: "住民記録システム".into(),
            department_id: "3".into(),
            segment: "mynumber".into(),
            confidentiality: "3".into(),
            integrity: "2".into(),
            availability: "2".into(),
            external_access: None,
            user_base: "staff".into(),
            status: "operating".into(),
            overview: "住民基本台帳事務\r\n".into(),
        }
    }

    #[test]
    fn a_complete_input_validates() {
        let v = good().validate().unwrap();
        assert_eq!(v.segment, Segment::MyNumber);
        assert_eq!(v.confidentiality, Confidentiality::C3);
        assert_eq!(v.overview, "住民基本台帳事務");
        assert_eq!(v.to_input().validate().unwrap(), v);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = SystemInput {
            name: " ".into(),
            segment: "dmz".into(),
            confidentiality: "4".into(),
            ..SystemInput::default()
        };
        let errs = bad.validate().unwrap_err();
        let got: Vec<(&str, &str)> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("name", "required"),
                ("department_id", "required"),
                ("segment", "invalid_choice"),
                ("confidentiality", "invalid_choice"),
                ("integrity", "required"),
                ("availability", "required"),
                ("user_base", "required"),
                ("status", "required"),
            ]
        );
    }

    #[test]
    fn a_mynumber_system_cannot_have_external_access() {
        let mut i = good();
        i.external_access = Some("on".into());
        let errs = i.validate().unwrap_err();
        assert_eq!(
            errs,
            [FieldError::new("external_access", "mynumber_no_external")]
        );
        i.segment = "internet".into();
        assert!(i.validate().unwrap().external_access);
    }

    #[test]
    fn long_and_control_text_is_refused() {
        let mut i = good();
        i.name = "あ".repeat(NAME_MAX + 1);
        i.overview = "a\u{0}b".into();
        let codes: Vec<&str> = i.validate().unwrap_err().iter().map(|e| e.code).collect();
        assert_eq!(codes, ["too_long", "control_characters"]);
    }

    #[test]
    fn diff_names_changed_fields() {
        let a = good().validate().unwrap();
        let mut b = a.clone();
        b.status = SystemStatus::Retired;
        b.overview = "x".into();
        assert_eq!(
            a.diff(&b),
            ["status: operating → retired", "overview: changed"]
        );
    }
}
