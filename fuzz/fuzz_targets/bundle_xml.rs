//! Fuzzes the whole compiler on one hostile file: the first input byte picks
//! which file of a small, valid bundle the rest of the input replaces (the
//! policy `P` that the request PreFlow runs, the ProxyEndpoint, the
//! TargetEndpoint or the APIProxy descriptor); the bundle is written to a
//! folder and compiled from disk exactly as `Builder` does, rendering the
//! generated code when the compile succeeds. Any panic is a bug; errors
//! must carry a code and a help line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;

const DESCRIPTOR: &str = r#"<APIProxy name="fuzz" revision="1"/>"#;
const PROXY: &str = r#"<ProxyEndpoint name="default">
  <PreFlow><Request><Step><Name>P</Name></Step></Request></PreFlow>
  <HTTPProxyConnection><BasePath>/fuzz</BasePath></HTTPProxyConnection>
  <RouteRule name="r"><TargetEndpoint>default</TargetEndpoint></RouteRule>
</ProxyEndpoint>"#;
const TARGET: &str = r#"<TargetEndpoint name="default">
  <HTTPTargetConnection><URL>http://backend.invalid/</URL></HTTPTargetConnection>
</TargetEndpoint>"#;
const POLICY: &str = r#"<AssignMessage name="P"><Set><Headers><Header name="x">1</Header></Headers></Set></AssignMessage>"#;

/// The files of the bundle, in slot order (the first input byte picks one).
const SLOTS: [(&str, &str); 4] = [
    ("policies/P.xml", POLICY),
    ("proxies/default.xml", PROXY),
    ("targets/default.xml", TARGET),
    ("fuzz.xml", DESCRIPTOR),
];

/// One bundle folder per fuzzing process, rewritten on every input.
static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("proxyc-fuzz-xml-{}", std::process::id()));
    for sub in ["policies", "proxies", "targets"] {
        std::fs::create_dir_all(dir.join("apiproxy").join(sub)).expect("bundle folder"); // ok: the fuzzer's own scratch folder; not reachable by the input
    }
    dir
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let pick = usize::from(pick) % SLOTS.len();
    let root = DIR.join("apiproxy");
    for (i, (path, text)) in SLOTS.iter().enumerate() {
        let bytes = if i == pick { file } else { text.as_bytes() };
        std::fs::write(root.join(path), bytes).expect("write bundle file"); // ok: the fuzzer's own scratch folder; not reachable by the input
    }
    match proxyc_compiler::compile(&DIR, &proxyc_compiler::Options::default()) {
        Ok(generated) => {
            let _ = generated.render();
        }
        Err(diags) => {
            assert!(diags.has_errors());
            for d in diags.errors() {
                assert!(d.help.is_some(), "{} has no help line: {}", d.code, d.message);
            }
            let _ = diags.render();
            let _ = diags.render_json();
        }
    }
});
