//! One insta snapshot per fixture and example bundle: the exact file the
//! Builder writes, each folder compiled as one environment as build.rs
//! does. (Each of these bundles is also compiled and run: see build.rs and
//! the other tests.)

use std::path::{Path, PathBuf};

fn bundles(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.join("apiproxy").is_dir() || p.join("sharedflowbundle").is_dir());
    out.sort();
    out
}

#[test]
fn generated_code_of_every_bundle() {
    let mut count = 0;
    for dir in ["bundles", "../examples/bundles", "remote"] {
        let bundles = bundles(dir);
        let results = proxyc_compiler::compile_all(&bundles, &proxyc_compiler::Options::default());
        for (bundle, result) in bundles.iter().zip(results) {
            let name = bundle
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let generated = result.unwrap_or_else(|d| {
                panic!("{} does not compile:\n{}", bundle.display(), d.render())
            });
            let text = generated.render().expect("generated code parses");
            insta::assert_snapshot!(format!("generated_{name}"), text);
            count += 1;
        }
    }
    assert!(count >= 2, "expected the fixture and example bundles");
}
