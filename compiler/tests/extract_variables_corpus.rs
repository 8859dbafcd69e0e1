//! Every `<ExtractVariables>` policy found in the public bundles of
//! /work/shared/corpus (copied to tests/data/ev_corpus) is compiled alone in
//! a minimal bundle: it must compile, or fail with the diagnostic listed here.

use std::path::{Path, PathBuf};

use proxyc_compiler::{Options, compile};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ev_corpus");

/// Policies expected to be rejected: file, error code, why.
const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[];

/// Writes a bundle whose only Step runs the policy `name` from `xml`.
fn bundle(dir: &Path, name: &str, xml: &str) -> PathBuf {
    let root = dir.join("apiproxy");
    for sub in ["proxies", "policies"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("ev.xml"), "<APIProxy name=\"ev\"/>").unwrap();
    std::fs::write(root.join("policies").join(format!("{name}.xml")), xml).unwrap();
    let proxy = format!(
        "<ProxyEndpoint name=\"default\">\
           <PreFlow><Request><Step><Name>{name}</Name></Step></Request></PreFlow>\
           <HTTPProxyConnection><BasePath>/ev</BasePath></HTTPProxyConnection>\
           <RouteRule name=\"null\"/>\
         </ProxyEndpoint>"
    );
    std::fs::write(root.join("proxies").join("default.xml"), proxy).unwrap();
    dir.to_path_buf()
}

fn policy_name(xml: &str) -> String {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.root_element().attribute("name").unwrap().to_owned()
}

#[test]
fn corpus_extract_variables_policies_compile() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        44,
        "the corpus holds 44 ExtractVariables policies"
    );
    let tmp = std::env::temp_dir().join(format!("proxyc-ev-corpus-{}", std::process::id()));
    let mut surprises = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
        let xml = std::fs::read_to_string(file).unwrap();
        let dir = bundle(&tmp.join(i.to_string()), &policy_name(&xml), &xml);
        let expected = EXPECTED_FAILURES.iter().find(|(f, _, _)| *f == file_name);
        match (compile(&dir, &Options::default()), expected) {
            (Ok(_), None) => {}
            (Err(d), Some((_, code, _))) => {
                let codes: Vec<&str> = d.errors().map(|e| e.code).collect();
                if codes != [*code] {
                    surprises.push(format!("{file_name}: expected {code}, got {codes:?}"));
                }
                for e in d.errors() {
                    assert!(d.location(e).is_some(), "{file_name}: no location");
                }
            }
            (Err(d), None) => surprises.push(format!("{file_name}:\n{}", d.render())),
            (Ok(_), Some((_, code, _))) => {
                surprises.push(format!("{file_name}: compiled, expected {code}"))
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(surprises.is_empty(), "{}", surprises.join("\n"));
}
