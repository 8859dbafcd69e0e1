//! Every bundle of the shared corpus (public bundles written by others) is
//! compiled or rejected with precise diagnostics, never a panic. The outcome
//! per bundle is one snapshot; regenerate it after adding support for a
//! policy with
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p proxyc-tests --test corpus
//! ```
//!
//! (set `PROXYC_CORPUS` when the corpus is not at `../shared/corpus`).
//! The bundles of each corpus folder (one public repository) are compiled
//! together as one environment, so a proxy's FlowCallout to a shared flow of
//! the same repository calls it directly; the snapshot names those links.
//! The bundles that compile are also built (each on its own, FlowCallouts
//! then going through the gateway): see build.rs and `proxyc_tests::corpus`.

use proxyc_compiler::{Options, compile_all};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// The policy types a rejected bundle names as unsupported (from PXC013).
fn unsupported_types(diags: &proxyc_compiler::Diagnostics) -> BTreeSet<String> {
    diags
        .errors()
        .filter(|d| d.code == "PXC013")
        .filter_map(|d| {
            let rest = d.message.strip_prefix("policy type `")?;
            Some(rest.split('`').next()?.to_owned())
        })
        .collect()
}

#[test]
fn every_corpus_bundle_compiles_or_is_rejected_precisely() {
    let Some(dir) = proxyc_tests::corpus_dir::bundles_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
    else {
        eprintln!(
            "SKIPPED: no corpus at ../shared/corpus beside the repository (set {} to its folder)",
            proxyc_tests::corpus_dir::ENV
        );
        return;
    };
    let bundles = proxyc::walk::bundles(&dir).expect("the corpus folder is readable");
    assert!(bundles.len() > 10, "expected the corpus bundles");
    let mut report = String::new();
    let mut compiled = 0;
    // One environment per repository folder.
    let mut groups: std::collections::BTreeMap<String, Vec<&std::path::PathBuf>> =
        std::collections::BTreeMap::new();
    for bundle in &bundles {
        let rel = bundle.strip_prefix(&dir).unwrap_or(bundle);
        let group = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        groups.entry(group).or_default().push(bundle);
    }
    let mut outcomes = Vec::new();
    for (group, members) in &groups {
        let results = std::panic::catch_unwind(|| compile_all(members, &Options::default()))
            .unwrap_or_else(|_| panic!("the compiler panicked on the bundles of {group}"));
        outcomes.extend(members.iter().copied().zip(results));
    }
    for (bundle, outcome) in outcomes {
        let rel = bundle
            .strip_prefix(&dir)
            .unwrap_or(bundle)
            .display()
            .to_string();
        match outcome {
            Ok(generated) => {
                generated.render().expect("generated code formats");
                compiled += 1;
                if generated.linked_shared_flows.is_empty() {
                    let _ = writeln!(report, "{rel}: compiled");
                } else {
                    let _ = writeln!(
                        report,
                        "{rel}: compiled, calling shared flows {}",
                        generated.linked_shared_flows.join(", ")
                    );
                }
            }
            Err(diags) => {
                assert!(diags.has_errors(), "{rel}: rejected without an error");
                for d in diags.errors() {
                    if d.code != "PXC001" {
                        assert!(
                            diags.location(d).is_some(),
                            "{rel}: {} has no location",
                            d.code
                        );
                    }
                }
                let codes: BTreeSet<&str> = diags.errors().map(|d| d.code).collect();
                let codes: Vec<&str> = codes.into_iter().collect();
                let _ = write!(report, "{rel}: rejected {}", codes.join(", "));
                let unsupported = unsupported_types(&diags);
                if !unsupported.is_empty() {
                    let list: Vec<String> = unsupported.into_iter().collect();
                    let _ = write!(report, " (unsupported: {})", list.join(", "));
                }
                report.push('\n');
            }
        }
    }
    let _ = writeln!(
        report,
        "\n{} bundles: {compiled} compiled, {} rejected",
        bundles.len(),
        bundles.len() - compiled
    );
    insta::assert_snapshot!("corpus", report);
}
