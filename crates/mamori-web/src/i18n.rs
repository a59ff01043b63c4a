//! Messages for the user interface, from `i18n/ja.toml` and `i18n/en.toml` (embedded). Keys are
//! dotted paths (`nav.systems`); both files must define the same keys (a test checks it).

use std::collections::HashMap;
use std::sync::OnceLock;

pub use mamori_catalog::Lang;

const FILES: [(Lang, &str, &str); 2] = [
    (Lang::Ja, "i18n/ja.toml", include_str!("../i18n/ja.toml")),
    (Lang::En, "i18n/en.toml", include_str!("../i18n/en.toml")),
];

#[derive(Debug, Default)]
pub struct Messages {
    ja: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, format!("{other:?}"));
            }
        }
    }
}

impl Messages {
    /// Parses the embedded message files; an error names the file.
    pub fn load() -> Result<Messages, String> {
        let mut m = Messages::default();
        for (lang, name, text) in FILES {
            let table: toml::Table = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            let map = match lang {
                Lang::Ja => &mut m.ja,
                Lang::En => &mut m.en,
            };
            flatten("", &table, map);
        }
        Ok(m)
    }

    /// The message, or the key itself when it is missing (visible, never a crash).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        let map = match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        };
        map.get(key).map_or(key, String::as_str)
    }

    /// The message, if defined.
    pub fn lookup(&self, lang: Lang, key: &str) -> Option<&str> {
        let map = match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        };
        map.get(key).map(String::as_str)
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        match lang {
            Lang::Ja => self.ja.contains_key(key),
            Lang::En => self.en.contains_key(key),
        }
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let map = match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        };
        let mut k: Vec<&str> = map.keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }
}

static MESSAGES: OnceLock<Messages> = OnceLock::new();

/// The process-wide messages (loaded on first use; an unreadable file leaves them empty, which
/// shows keys instead of text and is caught by the tests long before a release).
pub fn messages() -> &'static Messages {
    MESSAGES.get_or_init(|| Messages::load().unwrap_or_default())
}

/// A message in `lang`; `?` when the key is not defined (the tests make sure none is missing).
pub fn t(lang: Lang, key: &str) -> &'static str {
    messages().lookup(lang, key).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_define_the_same_keys() {
        let m = Messages::load().unwrap();
        let ja = m.keys(Lang::Ja);
        let en = m.keys(Lang::En);
        let only_ja: Vec<_> = ja.iter().filter(|k| !m.has(Lang::En, k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !m.has(Lang::Ja, k)).collect();
        assert!(only_ja.is_empty(), "missing in en.toml: {only_ja:?}");
        assert!(only_en.is_empty(), "missing in ja.toml: {only_en:?}");
        assert!(ja.len() > 100);
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let m = Messages::load().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in ["templates", "src"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                files.push(e.unwrap().path());
            }
        }
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // `t("key")` in templates and `t(lang, "key")`/`tr("key")` in code.
            for pat in ["t(\"", "tr(\"", ", \""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    let looks_like_key = key.contains('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                        });
                    if pat == ", \"" && !text[..i].ends_with("lang") {
                        continue;
                    }
                    if looks_like_key && !m.has(Lang::Ja, key) {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "undefined message keys: {missing:#?}");
    }
}
