//! Any bytes as an SBD profile, decided against the built-in catalog: errors, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mamori_catalog::{Catalog, CatalogSet};
use mamori_sbd::{Profile, decide};

fn catalog() -> Option<&'static Catalog> {
    static SET: OnceLock<Option<CatalogSet>> = OnceLock::new();
    SET.get_or_init(|| CatalogSet::builtin().ok()).as_ref()?.get("sbd")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(catalog) = catalog() else { return };
    match Profile::from_toml("fuzz.toml", text) {
        Ok(p) => {
            if let Err(e) = decide(catalog, &p) {
                let _ = e.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
