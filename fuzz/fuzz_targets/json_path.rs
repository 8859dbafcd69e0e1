//! Fuzzes JSONPath extraction as the runtime runs it (the `jsonPath`
//! template function and ExtractVariables' `<JSONPayload>`): the input's
//! first line is the path (Jayway dialect), the rest the JSON document.
//! Never panics, a path compiled once gives what the same path read from a
//! variable gives, and a document parsed pruned to what the path can reach
//! answers it as the whole document does (and is malformed alike).

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxyc_runtime::template::tfn::{CompiledJsonPath, Reach, json_path, json_path_compiled};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (path, json) = src.split_once('\n').unwrap_or((src, "{}"));
    let compiled = CompiledJsonPath::new(path);
    for want_array in ["true", "false"] {
        assert_eq!(
            json_path_compiled(&compiled, Some(json), Some(want_array)),
            json_path(Some(path), Some(json), Some(want_array))
        );
    }
    let mut reach = Reach::default();
    reach.add(&compiled);
    match (serde_json::from_str::<serde_json::Value>(json), reach.parse(json)) {
        (Ok(doc), Ok(pruned)) => assert_eq!(compiled.select(&pruned), compiled.select(&doc)),
        (Err(_), Err(_)) => {}
        (whole, pruned) => panic!("whole {:?} but pruned {:?}", whole.err(), pruned.err()), // ok: a divergence is the finding this fuzz target reports
    }
});
