//! Fuzzes XPath extraction as the runtime runs it (the `xpath` template
//! function and ExtractVariables' `<XMLPayload>`): the first input byte
//! picks the result type, the first line is the XPath 1.0 expression, the
//! rest the XML document; prefixes `p` and `q` are bound. Never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxyc_runtime::template::tfn::xpath;

const TYPES: [&str; 5] = ["nodeset", "node", "number", "boolean", "string"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(src) = std::str::from_utf8(rest) else {
        return;
    };
    let (expr, xml) = src.split_once('\n').unwrap_or((src, "<a/>"));
    let ty = TYPES[usize::from(pick) % TYPES.len()];
    let _ = xpath(
        Some(expr),
        Some(xml),
        &[Some("p:urn:p"), Some("q: urn:q"), Some(ty)],
    );
});
