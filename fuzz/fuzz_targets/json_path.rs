//! Fuzzes JSONPath extraction as the runtime runs it (the `jsonPath`
//! template function and ExtractVariables' `<JSONPayload>`): the input's
//! first line is the path (Jayway dialect), the rest the JSON document.
//! Never panics, a path compiled once gives what the same path read from a
//! variable gives, and a document parsed pruned to what the path can reach
//! answers it as the whole document does (and is malformed alike), as does
//! the one-pass selection of a path made only of member names.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxyc_runtime::template::tfn::{
    CompiledJsonPath, MemberPaths, Reach, json_path, json_path_compiled,
};

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
    let whole = serde_json::from_str::<serde_json::Value>(json);
    let mut reach = Reach::default();
    reach.add(&compiled);
    match (&whole, reach.parse(json)) {
        (Ok(doc), Ok(pruned)) => assert_eq!(compiled.select(&pruned), compiled.select(doc)),
        (Err(_), Err(_)) => {}
        (whole, pruned) => panic!("whole {:?} but pruned {:?}", whole.as_ref().err(), pruned.err()), // ok: a divergence is the finding this fuzz target reports
    }
    if let Some(plan) = MemberPaths::new([&compiled]) {
        match (&whole, plan.select(json)) {
            (Ok(doc), Ok(found)) => assert_eq!(found.as_slice(), [compiled.select(doc)]),
            (Err(w), Err(m)) => assert_eq!(w.to_string(), m.to_string()),
            (whole, members) => panic!("whole {:?} but member walk {:?}", whole.as_ref().err(), members.err()), // ok: as above
        }
    }
});
