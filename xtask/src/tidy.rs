//! The tidy check keeps architecture invariants true (see ARCHITECTURE.md): domain crates
//! depend on no async runtime, web framework or database driver.

/// Crates that hold domain logic and must stay free of I/O frameworks.
pub const DOMAIN_CRATES: &[&str] = &[
    "mamori-assess",
    "mamori-audit",
    "mamori-catalog",
    "mamori-corp",
    "mamori-export",
    "mamori-model",
    "mamori-mynumber",
    "mamori-sbd",
    "mamori-sha",
    "mamori-wlan",
];

/// Dependencies a domain crate must not pull in, directly or transitively.
pub const FORBIDDEN: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "futures",
    "axum",
    "hyper",
    "actix-web",
    "tower",
    "reqwest",
    "sqlx",
    "rusqlite",
    "diesel",
    "sea-orm",
    "postgres",
    "askama",
];

/// Returns one message per violation.
pub fn tidy(metadata: &serde_json::Value) -> Vec<String> {
    let empty = Vec::new();
    let packages = metadata["packages"].as_array().unwrap_or(&empty);
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap_or(&empty);
    let name_of = |id: &str| {
        packages
            .iter()
            .find(|p| p["id"] == id)
            .and_then(|p| p["name"].as_str())
            .unwrap_or(id)
            .to_owned()
    };
    let deps_of = |id: &str| -> Vec<String> {
        nodes
            .iter()
            .find(|n| n["id"] == id)
            .and_then(|n| n["deps"].as_array())
            .map(|d| {
                d.iter()
                    .filter(|dep| {
                        // Normal (non-dev, non-build) dependencies only.
                        dep["dep_kinds"]
                            .as_array()
                            .is_some_and(|k| k.iter().any(|k| k["kind"].is_null()))
                    })
                    .filter_map(|dep| dep["pkg"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for krate in DOMAIN_CRATES {
        let Some(root) = packages.iter().find(|p| p["name"] == *krate) else {
            out.push(format!("domain crate {krate} not found in the workspace"));
            continue;
        };
        let root_id = root["id"].as_str().unwrap_or_default().to_owned();
        let mut stack = vec![(root_id.clone(), vec![krate.to_string()])];
        let mut seen = std::collections::HashSet::new();
        while let Some((id, path)) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            for dep in deps_of(&id) {
                let name = name_of(&dep);
                let mut p = path.clone();
                p.push(name.clone());
                if FORBIDDEN.contains(&name.as_str()) {
                    out.push(format!("{krate} depends on {name}: {}", p.join(" -> ")));
                }
                stack.push((dep, p));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn metadata() -> serde_json::Value {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    #[test]
    fn domain_crates_have_no_async_web_or_database_dependency() {
        let problems = tidy(&metadata());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_check_detects_a_forbidden_dependency() {
        // A synthetic graph: mamori-sbd -> helper -> tokio.
        let m = serde_json::json!({
            "packages": [
                {"id": "a", "name": "mamori-catalog"},
                {"id": "b", "name": "mamori-sbd"},
                {"id": "c", "name": "mamori-export"},
                {"id": "d", "name": "mamori-audit"},
                {"id": "e", "name": "mamori-mynumber"},
                {"id": "m", "name": "mamori-model"},
                {"id": "w", "name": "mamori-wlan"},
                {"id": "s", "name": "mamori-assess"},
                {"id": "p", "name": "mamori-corp"},
                {"id": "x", "name": "mamori-sha"},
                {"id": "h", "name": "helper"},
                {"id": "t", "name": "tokio"},
            ],
            "resolve": {"nodes": [
                {"id": "a", "deps": []},
                {"id": "d", "deps": []},
                {"id": "e", "deps": []},
                {"id": "m", "deps": []},
                {"id": "w", "deps": []},
                {"id": "s", "deps": []},
                {"id": "p", "deps": []},
                {"id": "x", "deps": []},
                {"id": "b", "deps": [{"pkg": "h", "dep_kinds": [{"kind": null}]}]},
                {"id": "c", "deps": [{"pkg": "t", "dep_kinds": [{"kind": "dev"}]}]},
                {"id": "h", "deps": [{"pkg": "t", "dep_kinds": [{"kind": null}]}]},
            ]}
        });
        assert_eq!(
            tidy(&m),
            ["mamori-sbd depends on tokio: mamori-sbd -> helper -> tokio"]
        );
    }
}
