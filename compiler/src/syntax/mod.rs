//! Reading bundles: files from disk or zip, and span-carrying XML trees.

pub mod load;
pub mod xml;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::sema::BundleXml;
use load::LoadedBundle;

/// Parses every XML file of a loaded bundle and groups them by folder.
pub fn parse_bundle(bundle: &LoadedBundle, diags: &mut Diagnostics) -> BundleXml {
    let mut out = BundleXml {
        fallback_name: "proxy".into(),
        is_shared_flow_bundle: bundle.root == "sharedflowbundle",
        ..BundleXml::default()
    };
    let mut descriptors = Vec::new();
    for (rel, id) in &bundle.files {
        let Some(text) = diags.sources.get(*id).map(|f| f.text.clone()) else {
            continue;
        };
        if rel.starts_with("proxies/") {
            out.proxy_files += 1;
        }
        let el = match xml::parse(*id, &text) {
            Ok(el) => el,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        let (folder, file) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
        match folder {
            "" => descriptors.push((file.trim_end_matches(".xml").to_owned(), el)),
            "proxies" => out.proxies.push(el),
            "targets" => out.targets.push(el),
            "policies" => out.policies.push(el),
            "integration-endpoints" => out.integration_endpoints.push(el),
            "sharedflows" => out.shared_flows.push(el),
            // Other folders (manifests) are read where supported; unknown
            // ones are not configuration.
            _ => {}
        }
    }
    match descriptors.len() {
        0 => {}
        1 => {
            if let Some((stem, el)) = descriptors.pop() {
                out.fallback_name = stem;
                out.descriptor = Some(el);
            }
        }
        _ => {
            let names: Vec<String> = descriptors
                .iter()
                .map(|(n, _)| format!("{n}.xml"))
                .collect();
            let mut d = Diagnostic::error(
                Code::DESCRIPTOR_MISSING,
                format!(
                    "{} has several descriptor files: {}",
                    bundle.root,
                    names.join(", ")
                ),
            )
            .help("keep exactly one descriptor (APIProxy or SharedFlowBundle) directly in the bundle folder");
            if let Some((_, el)) = descriptors.first() {
                d = d.at(el.span(), "one of them");
            }
            diags.push(d);
        }
    }
    out
}
