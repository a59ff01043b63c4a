//! System profiles: the answers and overrides for one information system, read from TOML.

use std::collections::BTreeMap;

use mamori_catalog::{Diagnostic, Level, Loc, Locator};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// What the system is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemInfo {
    pub name: String,
    #[serde(default)]
    pub overview: String,
}

/// One answer to a judgment condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub value: bool,
    pub reason: String,
    #[serde(skip)]
    pub loc: Loc,
}

/// A level chosen against the recommendation, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub level: Level,
    pub justification: String,
    #[serde(skip)]
    pub loc: Loc,
}

/// A system profile: the input of the SBD engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub system: SystemInfo,
    /// Judgment-condition ID → answer.
    pub answers: BTreeMap<String, Answer>,
    /// Requirement ID → override.
    pub overrides: BTreeMap<String, Override>,
    /// Requirement ID → placeholder label → value to print instead of the placeholder.
    pub placeholders: BTreeMap<String, BTreeMap<String, String>>,
    /// Where the profile was read from (for messages).
    #[serde(skip)]
    pub origin: String,
}

/// A profile that could not be read: every problem, with file, line and field.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ProfileError(pub Vec<Diagnostic>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    system: SystemInfo,
    #[serde(default)]
    answers: BTreeMap<String, Spanned<RawAnswer>>,
    #[serde(default)]
    overrides: BTreeMap<String, Spanned<RawOverride>>,
    #[serde(default)]
    placeholders: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    answer: Spanned<AnswerValue>,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AnswerValue {
    Bool(bool),
    Word(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    level: Spanned<String>,
    #[serde(default)]
    justification: String,
}

/// Reads `yes`/`no` in the spellings people write: true/false, yes/no, ○/×, はい/いいえ.
pub fn parse_answer_word(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "○" | "〇" | "o" | "はい" | "該当" => Some(true),
        "no" | "n" | "false" | "×" | "x" | "いいえ" | "非該当" => Some(false),
        _ => None,
    }
}

impl Profile {
    /// Parses a profile. Structural problems only: whether the IDs exist in the catalog is
    /// checked by the engine, which reports with the same file/line/field precision.
    pub fn from_toml(origin: &str, text: &str) -> Result<Profile, ProfileError> {
        let l = Locator::new(origin, text);
        let raw: RawProfile =
            toml::from_str(text).map_err(|e| ProfileError(vec![l.toml_error(&e)]))?;
        let mut diags = Vec::new();
        let mut answers = BTreeMap::new();
        for (id, a) in raw.answers {
            let loc = l.at(&a);
            let a = a.into_inner();
            let value = match a.answer.get_ref() {
                AnswerValue::Bool(b) => Some(*b),
                AnswerValue::Word(w) => parse_answer_word(w),
            };
            let Some(value) = value else {
                diags.push(Diagnostic {
                    loc: l.at(&a.answer),
                    field: format!("answers.{id}.answer"),
                    message: "expected yes or no (true/false, yes/no, ○/×, はい/いいえ)".into(),
                });
                continue;
            };
            if a.reason.trim().is_empty() {
                diags.push(Diagnostic {
                    loc: loc.clone(),
                    field: format!("answers.{id}.reason"),
                    message: "missing: say briefly why the answer is yes or no".into(),
                });
            }
            answers.insert(
                id,
                Answer {
                    value,
                    reason: a.reason.trim().to_owned(),
                    loc,
                },
            );
        }
        let mut overrides = BTreeMap::new();
        for (id, o) in raw.overrides {
            let loc = l.at(&o);
            let o = o.into_inner();
            let Some(level) = Level::parse(o.level.get_ref()) else {
                diags.push(Diagnostic {
                    loc: l.at(&o.level),
                    field: format!("overrides.{id}.level"),
                    message: format!(
                        "unknown level `{}` (expected omit, low, middle, high or 省略/低位/中位/高位)",
                        o.level.get_ref()
                    ),
                });
                continue;
            };
            if o.justification.trim().is_empty() {
                diags.push(Diagnostic {
                    loc: loc.clone(),
                    field: format!("overrides.{id}.justification"),
                    message: "missing: an override needs a justification".into(),
                });
            }
            overrides.insert(
                id,
                Override {
                    level,
                    justification: o.justification.trim().to_owned(),
                    loc,
                },
            );
        }
        if raw.system.name.trim().is_empty() {
            diags.push(Diagnostic {
                loc: l.loc(0),
                field: "system.name".into(),
                message: "missing: the system needs a name".into(),
            });
        }
        if !diags.is_empty() {
            return Err(ProfileError(diags));
        }
        Ok(Profile {
            system: raw.system,
            answers,
            overrides,
            placeholders: raw.placeholders,
            origin: origin.to_owned(),
        })
    }

    /// A profile from a list of condition IDs answered yes (every other condition no).
    pub fn from_yes(name: &str, yes: &[String], all: impl IntoIterator<Item = String>) -> Profile {
        let answers = all
            .into_iter()
            .map(|id| {
                let value = yes.iter().any(|y| y.eq_ignore_ascii_case(&id));
                (
                    id,
                    Answer {
                        value,
                        reason: String::new(),
                        loc: Loc::default(),
                    },
                )
            })
            .collect();
        Profile {
            system: SystemInfo {
                name: name.to_owned(),
                overview: String::new(),
            },
            answers,
            ..Profile::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match Profile::from_toml("p.toml", text) {
            Ok(_) => vec![],
            Err(e) => e.0.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn reads_a_profile() {
        let p = Profile::from_toml(
            "p.toml",
            r#"
[system]
name = "X"
[answers]
A = { answer = "○", reason = "internet" }
B = { answer = false, reason = "public data" }
[overrides.AT-1-1]
level = "低位"
justification = "why"
[placeholders.AU-1-1]
"記録の保存期間" = "5年"
"#,
        )
        .unwrap();
        assert!(p.answers["A"].value);
        assert!(!p.answers["B"].value);
        assert_eq!(p.answers["A"].loc.line, 5);
        assert_eq!(p.overrides["AT-1-1"].level, Level::Low);
        assert_eq!(p.placeholders["AU-1-1"]["記録の保存期間"], "5年");
    }

    #[test]
    fn reports_line_and_field() {
        assert_eq!(
            errors(
                "[system]\nname = \"X\"\n[answers]\nA = { answer = \"maybe\", reason = \"r\" }\n"
            ),
            vec![
                "p.toml:4:16: answers.A.answer: expected yes or no (true/false, yes/no, ○/×, はい/いいえ)"
            ]
        );
        assert_eq!(
            errors(
                "[system]\nname = \"X\"\n[overrides.AT-1-1]\nlevel = \"top\"\njustification = \"j\"\n"
            ),
            vec![
                "p.toml:4:9: overrides.AT-1-1.level: unknown level `top` (expected omit, low, middle, high or 省略/低位/中位/高位)"
            ]
        );
        assert_eq!(
            errors("[system]\nname = \"X\"\n[overrides.AT-1-1]\nlevel = \"low\"\n"),
            vec![
                "p.toml:3:1: overrides.AT-1-1.justification: missing: an override needs a justification"
            ]
        );
        let e = errors("[system]\nname = \"X\"\nanswer = 3\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("p.toml:3:1: answer: unknown field `answer`"),
            "{e:?}"
        );
        let e = errors("[system]\nname = \"X\n");
        assert!(e[0].starts_with("p.toml:2:"), "{e:?}");
    }
}
