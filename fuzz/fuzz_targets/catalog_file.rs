//! Any bytes as a catalog file laid over the built-in catalogs: diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_catalog::{BUILTIN, CatalogSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut files: Vec<(String, String)> =
        BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    files.push(("fuzz.toml".into(), text.to_owned()));
    if let Err(e) = CatalogSet::from_files(files) {
        // Rendering every diagnostic exercises the locator on arbitrary offsets.
        let _ = e.to_string();
    }
});
