//! Condition expressions: parse, print, re-parse to the same expression.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_catalog::Condition;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = Condition::parse(text) {
        let printed = c.to_string();
        let again = Condition::parse(&printed);
        assert_eq!(again.as_ref().ok(), Some(&c), "round trip of {text:?} via {printed:?}");
        let _ = c.eval(|v| v.len() % 2 == 0);
    }
});
