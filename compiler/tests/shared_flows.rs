//! Compiling shared flow bundles with the proxies calling them: the build
//! order, links between bundles, `.zip` exports, duplicate names. (The
//! generated code runs in `tests/tests/shared_flows.rs`.)

use proxyc_compiler::{Options, compile_all};
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/bundles")
        .join(name)
}

#[test]
fn shared_flows_are_compiled_before_their_callers_whatever_the_order_given() {
    let bundles = [fixture("shared"), fixture("tagging"), fixture("audit")];
    let results = compile_all(&bundles, &Options::default());
    let linked: Vec<Vec<String>> = results
        .into_iter()
        .map(|r| r.expect("compiles").linked_shared_flows)
        .collect();
    assert_eq!(
        linked,
        vec![vec!["tagging".to_owned()], vec!["audit".to_owned()], vec![]]
    );
}

#[test]
fn a_shared_flow_missing_from_the_build_is_called_through_the_gateway() {
    let results = compile_all(&[fixture("shared")], &Options::default());
    let generated = results
        .into_iter()
        .next()
        .expect("one result")
        .expect("compiles");
    assert!(generated.linked_shared_flows.is_empty());
    let codes: Vec<&str> = generated.warnings.warnings().map(|w| w.code).collect();
    assert!(codes.contains(&"PXW311"), "{codes:?}");
    let text = generated.render().expect("renders");
    assert!(
        text.contains("__rt::fc::call_mounted(ctx, \"tagging\")"),
        "{text}"
    );
}

/// Zips `dir/<root>/…` as an export would.
fn zip_bundle(dir: &Path, root: &str, out: &Path) {
    let file = std::fs::File::create(out).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    let mut stack = vec![dir.join(root)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            zip.start_file(rel, zip::write::SimpleFileOptions::default())
                .expect("start file");
            zip.write_all(&std::fs::read(&p).expect("read"))
                .expect("write");
        }
    }
    zip.finish().expect("finish zip");
}

#[test]
fn a_zipped_shared_flow_bundle_links_like_a_folder() {
    let tmp = std::env::temp_dir().join(format!("proxyc-sf-zip-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("tmp");
    let zipped = tmp.join("audit.zip");
    zip_bundle(&fixture("audit"), "sharedflowbundle", &zipped);
    let results = compile_all(&[fixture("tagging"), zipped.clone()], &Options::default());
    let mut results = results.into_iter();
    let tagging = results.next().expect("tagging").expect("compiles");
    let audit = results.next().expect("audit").expect("compiles");
    assert_eq!(tagging.linked_shared_flows, vec!["audit".to_owned()]);
    assert_eq!(audit.module_name, "sf_audit");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn two_shared_flows_with_one_name_in_a_build_are_an_error() {
    let results = compile_all(&[fixture("audit"), fixture("audit")], &Options::default());
    let mut results = results.into_iter();
    assert!(results.next().expect("first").is_ok());
    let diags = results.next().expect("second").expect_err("duplicate");
    let d = diags.errors().next().expect("an error");
    assert_eq!(d.code, "PXC015");
    assert!(
        d.message
            .starts_with("shared flow `audit` is also compiled from"),
        "{}",
        d.message
    );
    assert!(diags.location(d).is_some());
}
