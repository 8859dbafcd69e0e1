//! Fuzzes JSONPath extraction as the runtime runs it (the `jsonPath`
//! template function and ExtractVariables' `<JSONPayload>`): the input's
//! first line is the path (Jayway dialect), the rest the JSON document.
//! Never panics; an array result is always valid JSON.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxyc_runtime::template::tfn::{CompiledJsonPath, json_path, json_path_compiled};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (path, json) = src.split_once('\n').unwrap_or((src, "{}"));
    let as_array = json_path(Some(path), Some(json), Some("true"));
    if !as_array.is_empty() {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&as_array);
        assert!(parsed.is_ok_and(|v| v.is_array()), "{as_array:?}");
    }
    let compiled = CompiledJsonPath::new(path);
    let first = json_path_compiled(&compiled, Some(json), None);
    assert_eq!(first, json_path(Some(path), Some(json), Some("false")));
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(json) {
        let _ = compiled.select(&doc);
    }
});
