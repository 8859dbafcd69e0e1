//! SharedFlow bundles (`sharedflowbundle/`): the SharedFlowBundle
//! descriptor, `sharedflows/*.xml` and the policies their Steps run, with
//! the same Step machinery as proxy flows.
//!
//! A FlowCallout runs the bundle's `default` shared flow (a bundle with a
//! single shared flow runs that one whatever its name); other shared flows
//! of the bundle cannot be reached and are reported (PXW310).
//!
//! # Variables across bundles
//!
//! A shared flow and the proxy calling it share one message context. Each
//! bundle is still analysed on its own, with its own slot table, so that a
//! proxy's generated code does not change when another bundle is added to
//! the build. A build that compiles a shared flow records its
//! [`SharedFlowSig`] (module and slot names); a FlowCallout calling it
//! resolves every slot name of the shared flow in the *caller's* table at
//! compile time and emits that mapping as static data. At run time the call
//! moves the mapped values into a slot array of the shared flow's size, runs
//! the shared flow's function directly and moves them back: no name lookup,
//! no copy of a value. Variables the shared flow sets therefore stay visible
//! to the caller and to later shared flows, as in Apigee. A shared flow from
//! another build (mounted on the gateway) is mapped by name at call time.

use super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::syntax::xml::Element;
use std::collections::BTreeMap;

/// What a FlowCallout needs to know about a shared flow compiled in the
/// same build.
#[derive(Debug, Clone)]
pub struct SharedFlowSig {
    /// The Rust module of the shared flow bundle.
    pub module: String,
    /// Its user-variable slot names (index = slot).
    pub slots: Vec<String>,
}

/// The shared flows of one build, by SharedFlowBundle name.
#[derive(Debug, Clone, Default)]
pub struct SharedFlowSigs {
    /// Name → signature.
    pub flows: BTreeMap<String, SharedFlowSig>,
}

impl SharedFlowSigs {
    /// Records a compiled shared flow bundle.
    pub fn add(&mut self, bundle: &ir::Proxy) {
        self.flows.insert(
            bundle.name.clone(),
            SharedFlowSig {
                module: crate::codegen::naming::module_of(bundle).to_string(),
                slots: bundle.slots.clone(),
            },
        );
    }
}

impl<'a> Sema<'a> {
    /// Analyses a SharedFlow bundle.
    pub(super) fn shared_flow_bundle(&mut self, xml: &'a super::BundleXml) -> Option<ir::Proxy> {
        let (name, revision, source) = self.descriptor(xml, "SharedFlowBundle");
        self.shared_flow_name = Some(name.clone());
        self.index_policies(&xml.policies);
        for stray in xml.proxies.iter().chain(&xml.targets) {
            self.diags.push(
                Diagnostic::error(
                    Code::UNEXPECTED_ROOT,
                    format!("a shared flow bundle cannot hold a <{}>", stray.name),
                )
                .at(stray.span(), "not allowed in sharedflowbundle/")
                .help("shared flows have no endpoints: move the file to an API proxy bundle"),
            );
        }
        let flow = self.entry_shared_flow(xml);
        self.report_unused_policies();
        if self.diags.has_errors() {
            return None;
        }
        // No unset-variable lint: a shared flow reads what its callers set.
        Some(ir::Proxy {
            name,
            revision,
            source,
            endpoints: Vec::new(),
            targets: Vec::new(),
            policies: std::mem::take(&mut self.policies),
            slots: std::mem::take(&mut self.vars).into_slots(),
            needs_request_content: self.needs_request_content,
            needs_response_content: self.needs_response_content,
            shared_flow: flow,
        })
    }

    /// The shared flow a FlowCallout runs: `default`, or the only one.
    fn entry_shared_flow(&mut self, xml: &super::BundleXml) -> Option<ir::SharedFlow> {
        let mut flows: Vec<(&Element, String)> = Vec::new();
        for el in &xml.shared_flows {
            if el.name != "SharedFlow" {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNEXPECTED_ROOT,
                        format!("expected <SharedFlow>, found <{}>", el.name),
                    )
                    .at(el.span(), "root element")
                    .help("files in sharedflowbundle/sharedflows/ must each hold one <SharedFlow>"),
                );
                continue;
            }
            let name = el
                .attr("name")
                .map_or_else(|| "default".into(), |n| n.trimmed().to_owned());
            flows.push((el, name));
        }
        let entry = match flows.iter().position(|(_, n)| n == "default") {
            Some(i) => i,
            None if flows.len() == 1 => 0,
            None => {
                let names: Vec<&str> = flows.iter().map(|(_, n)| n.as_str()).collect();
                let mut d = Diagnostic::error(
                    Code::SHARED_FLOW_ENTRY,
                    if flows.is_empty() {
                        "the shared flow bundle has no shared flow".to_owned()
                    } else {
                        format!(
                            "the shared flow bundle has several shared flows ({}) and none is named `default`",
                            names.join(", ")
                        )
                    },
                )
                .help("add sharedflowbundle/sharedflows/default.xml with <SharedFlow name=\"default\"><Step>…</Step></SharedFlow>");
                if let Some(el) = flows.first().map(|(el, _)| *el).or(xml.descriptor.as_ref()) {
                    d = d.at(el.span(), "in this bundle");
                }
                self.diags.push(d);
                return None;
            }
        };
        for (i, (el, name)) in flows.iter().enumerate() {
            if i != entry {
                self.diags.push(
                    Diagnostic::warning(
                        Code::SHARED_FLOW_UNREACHABLE,
                        format!("shared flow `{name}` never runs: a FlowCallout runs `default`"),
                    )
                    .at(el.span(), "not compiled")
                    .help("move its Steps into the `default` shared flow, or into a bundle of its own"),
                );
            }
        }
        let (el, name) = flows.get(entry)?;
        self.check_children(el, &["Description", "Step"]);
        Some(ir::SharedFlow {
            name: name.clone(),
            steps: self.steps(Some(el)),
            source: self.source_ref(&el.span()),
        })
    }
}
