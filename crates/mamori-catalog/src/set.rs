//! The set of catalogs in force: the built-in ones, plus a user directory laid on top.

use std::path::Path;

use crate::check::{check_catalog, check_references};
use crate::load::{Diagnostic, Fragment, Mode, parse_file};
use crate::model::{Catalog, Item, ItemRef};

/// The catalogs compiled into the binary, as (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("builtin:sbd.toml", include_str!("../catalogs/sbd.toml")),
    (
        "builtin:ppc-safety.toml",
        include_str!("../catalogs/ppc-safety.toml"),
    ),
    (
        "builtin:wlan-lgwan.toml",
        include_str!("../catalogs/wlan-lgwan.toml"),
    ),
    (
        "builtin:wlan-mynumber.toml",
        include_str!("../catalogs/wlan-mynumber.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read catalog directory {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{} problem(s) in the catalogs:\n{}", .0.len(), render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Validated catalogs, by ID.
#[derive(Debug, Clone)]
pub struct CatalogSet {
    catalogs: Vec<Catalog>,
}

impl CatalogSet {
    /// The built-in catalogs. They are checked in CI, so an error here is a build defect,
    /// reported as an error all the same.
    pub fn builtin() -> Result<CatalogSet, LoadError> {
        Self::from_files(BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())))
    }

    /// The built-in catalogs with every `*.toml` file of `dir` (sorted by name) laid on top.
    pub fn with_overlay(dir: Option<&Path>) -> Result<CatalogSet, LoadError> {
        let mut files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = dir {
            files.extend(read_dir(dir)?);
        }
        Self::from_files(files)
    }

    /// Parses, merges and validates files in order. Reports every problem at once.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<CatalogSet, LoadError> {
        let mut diags = Vec::new();
        let mut catalogs: Vec<Catalog> = Vec::new();
        for (name, text) in files {
            match parse_file(&name, &text) {
                Ok(fragment) => merge(&mut catalogs, fragment, &mut diags),
                Err(mut d) => diags.append(&mut d),
            }
        }
        for c in &catalogs {
            diags.extend(check_catalog(c));
        }
        diags.extend(check_references(&catalogs));
        if diags.is_empty() {
            Ok(CatalogSet { catalogs })
        } else {
            Err(LoadError::Invalid(diags))
        }
    }

    /// Cross-catalog references (`implements`, `twins`, measure `implements`) that do not
    /// resolve. Empty for a set built by [`CatalogSet::from_files`], which refuses such sets;
    /// `mamori catalog check` reports these problems through it.
    pub fn check_references(&self) -> Vec<Diagnostic> {
        check_references(&self.catalogs)
    }

    /// Resolves a `catalog:item` reference.
    pub fn resolve(&self, r: &ItemRef) -> Option<(&Catalog, &Item)> {
        let c = self.get(&r.catalog)?;
        c.item(&r.item).map(|i| (c, i))
    }

    pub fn get(&self, id: &str) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| c.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Catalog> {
        self.catalogs.iter()
    }

    /// Finds an item by ID in any catalog, e.g. for `catalog show AT-1-1`.
    pub fn find_item(&self, id: &str) -> Vec<(&Catalog, &crate::model::Item)> {
        self.catalogs
            .iter()
            .filter_map(|c| c.item(id).map(|i| (c, i)))
            .collect()
    }
}

fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            std::fs::read_to_string(&p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|source| LoadError::Io {
                    path: p.display().to_string(),
                    source,
                })
        })
        .collect()
}

fn merge(catalogs: &mut Vec<Catalog>, fragment: Fragment, diags: &mut Vec<Diagnostic>) {
    let Fragment {
        mode,
        catalog: new,
        header_set,
    } = fragment;
    let existing = catalogs.iter_mut().find(|c| c.id == new.id);
    match (mode, existing) {
        (Mode::Full, Some(old)) => *old = new,
        (Mode::Full, None) => catalogs.push(new),
        (Mode::Extend, None) => diags.push(Diagnostic {
            loc: new.loc.clone(),
            field: "catalog.id".into(),
            message: format!(
                "`mode = \"extend\"` but no catalog `{}` was loaded before this file",
                new.id
            ),
        }),
        (Mode::Extend, Some(old)) => {
            if header_set.version {
                old.version = new.version;
            }
            if header_set.title {
                old.title = new.title;
            }
            if header_set.description {
                old.description = new.description;
            }
            if header_set.levels {
                old.levels = new.levels;
            }
            if header_set.recommendation {
                old.recommendation = new.recommendation;
            }
            upsert(&mut old.sources, new.sources, |s| s.id.clone());
            upsert(&mut old.conditions, new.conditions, |s| s.id.clone());
            upsert(&mut old.groups, new.groups, |s| s.id.clone());
            upsert(&mut old.items, new.items, |s| s.id.clone());
            upsert(&mut old.measures, new.measures, |m| m.number.to_string());
            old.origins.extend(new.origins);
        }
    }
}

fn upsert<T>(into: &mut Vec<T>, from: Vec<T>, key: impl Fn(&T) -> String) {
    for x in from {
        let k = key(&x);
        match into.iter_mut().find(|y| key(y) == k) {
            Some(slot) => *slot = x,
            None => into.push(x),
        }
    }
}
