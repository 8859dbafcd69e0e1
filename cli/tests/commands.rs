//! The commands through the library entry point: exit statuses, output
//! formats, graphs (snapshotted).

use proxyc::Output;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
        .display()
        .to_string()
}

/// Runs proxyc; returns (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = proxyc::run(
        args.iter().map(|a| (*a).to_owned()).collect(),
        &mut Output {
            stdout: &mut stdout,
            stderr: &mut stderr,
            stderr_is_terminal: false,
        },
    );
    (
        code,
        String::from_utf8(stdout).expect("utf-8"),
        String::from_utf8(stderr).expect("utf-8"),
    )
}

#[test]
fn check_exit_statuses() {
    let hello = repo("examples/bundles/hello");
    let (code, out, _) = run(&["check", &hello]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("hello: ok\n"), "{out}");

    let invalid = repo("tests/invalid/unknown-policy");
    let (code, out, _) = run(&["check", &hello, &invalid]);
    assert_eq!(code, 1);
    assert!(out.contains("error[PXC012]"), "{out}");
    // File names lead to the file from the current directory.
    assert!(
        out.contains("tests/invalid/unknown-policy/apiproxy/"),
        "{out}"
    );
    assert!(
        out.contains("checked 2 bundles: 1 compile, 1 rejected"),
        "{out}"
    );

    let (code, _, err) = run(&["check", &repo("no/such/folder")]);
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
    let (code, _, err) = run(&["check", &repo("cli/src")]);
    assert_eq!(code, 2);
    assert!(err.contains("no bundle"), "{err}");
    let (code, _, err) = run(&["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("proxyc --help"), "{err}");
}

#[test]
fn check_json_is_one_document() {
    let (code, out, _) = run(&[
        "check",
        "--format",
        "json",
        "--progress",
        &repo("tests/invalid"),
        &repo("examples/bundles"),
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let items = doc.as_array().expect("an array");
    assert!(items.len() >= 6);
    for item in items {
        assert!(item["bundle"].is_string());
        assert!(item["diagnostics"].is_array());
        let status = item["status"].as_str().expect("status");
        let bundle = item["bundle"].as_str().expect("bundle");
        // Every example compiles; every invalid fixture is rejected.
        assert_eq!(status == "compiled", bundle.contains("examples"), "{item}");
    }
    let first = &items[0]["diagnostics"][0];
    assert!(first["code"].as_str().is_some_and(|c| c.starts_with("PXC")));
    assert!(first["line"].is_number());
}

#[test]
fn allow_silences_warnings() {
    let bundle = repo("tests/invalid/unknown-policy");
    let (_, out, _) = run(&["check", &bundle]);
    let codes = |s: &str| s.matches("warning[").count();
    let (_, silenced, _) = run(&["check", "--allow", "PXW001,PXW005", &bundle]);
    assert!(codes(&silenced) <= codes(&out));
    assert!(!silenced.contains("warning[PXW005]"));
}

#[test]
fn expand_prints_what_build_rs_writes() {
    let hello = repo("examples/bundles/hello");
    let (code, out, _) = run(&["expand", &hello]);
    assert_eq!(code, 0);
    let expected =
        proxyc_compiler::compile(&PathBuf::from(&hello), &proxyc_compiler::Options::default())
            .expect("compiles")
            .render()
            .expect("renders");
    assert_eq!(out, expected);
    let (code, out, err) = run(&["expand", &repo("tests/invalid/unknown-policy")]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("error[PXC012]"), "{err}");
}

#[test]
fn graphs_of_the_example_bundle() {
    let hello = repo("examples/bundles/hello");
    let (code, mermaid, _) = run(&["graph", &hello]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("graph_hello_mermaid", mermaid);
    let (code, dot, _) = run(&["graph", "--format", "dot", &hello]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("graph_hello_dot", dot);
}

#[test]
fn help_and_version() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for word in ["check", "expand", "new", "graph", "--allow", "Exit status"] {
        assert!(out.contains(word), "{word}");
    }
    let (code, out, _) = run(&["-V"]);
    assert_eq!((code, out.starts_with("proxyc ")), (0, true));
}
