//! Every invalid fixture bundle (tests/invalid/*) is rejected; its rendered
//! diagnostics (rustc style and JSON) are snapshotted.

use std::path::Path;

#[test]
fn invalid_bundles_are_rejected_with_precise_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("invalid");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/invalid exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let diags = match proxyc_compiler::compile(&dir, &proxyc_compiler::Options::default()) {
            Ok(_) => panic!("{name} should be rejected"),
            Err(d) => d,
        };
        assert!(diags.has_errors(), "{name}: no error reported");
        for d in diags.errors() {
            assert!(
                diags.location(d).is_some(),
                "{name}: error {} has no location",
                d.code
            );
            assert!(
                d.help.is_some(),
                "{name}: error {} has no help line",
                d.code
            );
        }
        insta::assert_snapshot!(format!("diagnostics_{name}"), diags.render());
        insta::assert_snapshot!(format!("diagnostics_{name}_json"), diags.render_json());
    }
}
