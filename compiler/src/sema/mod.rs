//! Semantic analysis: from the element trees of a bundle to the validated
//! [`ir::Proxy`]. The only code that constructs `ir` types.

mod endpoints;
mod expr;
mod lints;
mod local_target;
mod policies;
pub mod shared_flows;
mod transport;
pub mod vars;

use crate::Options;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Span};
use crate::ir;
use crate::syntax::xml::Element;
use shared_flows::SharedFlowSigs;
use std::collections::BTreeMap;
use vars::VarTable;

/// The parsed files of a bundle, grouped by folder.
#[derive(Debug, Default)]
pub struct BundleXml {
    /// The APIProxy descriptor, if found.
    pub descriptor: Option<Element>,
    /// `proxies/*.xml`.
    pub proxies: Vec<Element>,
    /// `targets/*.xml`.
    pub targets: Vec<Element>,
    /// `policies/*.xml`.
    pub policies: Vec<Element>,
    /// `integration-endpoints/*.xml`.
    pub integration_endpoints: Vec<Element>,
    /// Fallback proxy name (the descriptor file stem or bundle folder).
    pub fallback_name: String,
    /// Files found in `proxies/`, parsed or not.
    pub proxy_files: usize,
    /// `sharedflows/*.xml` (shared flow bundles).
    pub shared_flows: Vec<Element>,
    /// Whether the bundle folder is `sharedflowbundle/`.
    pub is_shared_flow_bundle: bool,
}

impl BundleXml {
    /// Whether this is a SharedFlow bundle (by folder or descriptor).
    pub fn is_shared_flow(&self) -> bool {
        self.is_shared_flow_bundle
            || self
                .descriptor
                .as_ref()
                .is_some_and(|d| d.name == "SharedFlowBundle")
    }
}

/// State of one analysis.
pub(crate) struct Sema<'a> {
    pub(crate) opts: &'a Options,
    pub(crate) diags: &'a mut Diagnostics,
    pub(crate) vars: VarTable,
    pub(crate) needs_request_content: bool,
    pub(crate) needs_response_content: bool,
    /// Policy elements by name.
    policy_xml: BTreeMap<String, &'a Element>,
    /// Policies already looked up by a Step: their IR index, or `None` when
    /// disabled or invalid (so they are neither reported unused nor retried).
    policy_index: BTreeMap<String, Option<usize>>,
    policies: Vec<ir::Policy>,
    /// Variables read, for the unset-variable lint.
    reads: Vec<(String, Span)>,
    /// IntegrationEndpoints: name → `AsyncExecution`.
    integration_endpoints: BTreeMap<String, bool>,
    /// Shared flows compiled in the same build (for FlowCallout).
    pub(crate) linked: &'a SharedFlowSigs,
    /// The shared flow bundle being analysed, if it is one (its own name).
    pub(crate) shared_flow_name: Option<String>,
}

impl<'a> Sema<'a> {
    /// `file:line:col` of a span, for generated doc comments.
    pub(crate) fn source_ref(&self, span: &Span) -> String {
        let name = self
            .diags
            .sources
            .get(span.file)
            .map_or("?", |f| f.name.as_str())
            .to_owned();
        let (l, c) = self.diags.sources.line_col(span.file, span.range.start);
        format!("{name}:{l}:{c}")
    }

    /// Reports a missing required child.
    pub(crate) fn missing(&mut self, parent: &Element, child: &str, help: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::MISSING_ELEMENT,
                format!("<{}> requires <{child}>", parent.name),
            )
            .at(parent.span(), format!("no <{child}> here"))
            .help(help.to_owned()),
        );
    }

    /// A required attribute's trimmed value; when it is missing or empty,
    /// reports `message` (code `code`) at the element with `label` and `help`.
    pub(crate) fn required_attr(
        &mut self,
        el: &Element,
        attr: &str,
        code: Code,
        message: String,
        label: &str,
        help: &str,
    ) -> Option<String> {
        let value = el.attr_value(attr);
        if value.is_none() {
            let mut d = Diagnostic::error(code, message).at(el.span(), label);
            if !help.is_empty() {
                d = d.help(help.to_owned());
            }
            self.diags.push(d);
        }
        value
    }

    /// Warns about child elements not in `known`.
    pub(crate) fn check_children(&mut self, el: &Element, known: &[&str]) {
        for c in &el.children {
            if !known.contains(&c.name.as_str()) {
                self.diags.push(
                    Diagnostic::warning(
                        Code::UNKNOWN_ELEMENT,
                        format!(
                            "<{}> is not a known child of <{}>; it is ignored",
                            c.name, el.name
                        ),
                    )
                    .at(c.span(), "unknown element")
                    .help(format!("known children: {}", known.join(", "))),
                );
            }
        }
    }

    /// Parses a boolean element text (`true`/`false`, case-insensitive).
    pub(crate) fn bool_text(&mut self, el: Option<&Element>, default: bool) -> bool {
        let Some(el) = el else { return default };
        match el.text_str().to_ascii_lowercase().as_str() {
            "" => default,
            "true" => true,
            "false" => false,
            other => {
                self.diags.push(
                    Diagnostic::error(Code::INVALID_VALUE, format!("`{other}` is not a boolean"))
                        .at(el.span(), "expected true or false")
                        .help(format!("write <{}>true</{0}> or <{0}>false</{0}>", el.name)),
                );
                default
            }
        }
    }
}

/// Analyses a bundle; `linked` are the shared flows compiled in the same
/// build, which FlowCallouts call directly.
pub fn analyze(
    xml: &BundleXml,
    opts: &Options,
    linked: &SharedFlowSigs,
    diags: &mut Diagnostics,
) -> Option<ir::Proxy> {
    let mut sema = Sema {
        opts,
        diags,
        vars: VarTable::default(),
        needs_request_content: false,
        needs_response_content: false,
        policy_xml: BTreeMap::new(),
        policy_index: BTreeMap::new(),
        policies: Vec::new(),
        reads: Vec::new(),
        integration_endpoints: BTreeMap::new(),
        linked,
        shared_flow_name: None,
    };
    if xml.is_shared_flow() {
        return sema.shared_flow_bundle(xml);
    }
    let (name, revision, source) = sema.descriptor(xml, "APIProxy");
    sema.index_policies(&xml.policies);
    sema.index_integration_endpoints(&xml.integration_endpoints);
    let targets = sema.target_endpoints(&xml.targets);
    let target_names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let endpoints = sema.proxy_endpoints(&xml.proxies, &target_names);
    if xml.proxy_files == 0 {
        let mut d = Diagnostic::error(Code::NO_PROXY_ENDPOINT, "the bundle has no ProxyEndpoint")
            .help("add apiproxy/proxies/default.xml with a <ProxyEndpoint>");
        if let Some(desc) = &xml.descriptor {
            d = d.at(desc.span(), "in this bundle");
        }
        sema.diags.push(d);
    }
    sema.report_unused_policies();
    if sema.diags.has_errors() {
        return None;
    }
    sema.report_unset_variables();
    Some(ir::Proxy {
        name,
        revision,
        source,
        endpoints,
        targets,
        policies: sema.policies,
        needs_request_content: sema.needs_request_content,
        needs_response_content: sema.needs_response_content,
        slots: sema.vars.into_slots(),
        shared_flow: None,
    })
}

impl Sema<'_> {
    /// Name, revision and location of the descriptor, whose root element
    /// must be `root` (`APIProxy` or `SharedFlowBundle`).
    fn descriptor(&mut self, xml: &BundleXml, root: &str) -> (String, String, String) {
        let Some(d) = &xml.descriptor else {
            return (
                xml.fallback_name.clone(),
                "1".into(),
                format!("{}.xml", xml.fallback_name),
            );
        };
        if d.name != root {
            let folder = if root == "APIProxy" {
                "apiproxy"
            } else {
                "sharedflowbundle"
            };
            self.diags.push(
                Diagnostic::error(
                    Code::UNEXPECTED_ROOT,
                    format!("expected <{root}>, found <{}>", d.name),
                )
                .at(d.span(), "root element")
                .help(format!(
                    "the XML file directly in {folder}/ must be the {root} descriptor"
                )),
            );
        }
        let name = d
            .attr_value("name")
            .unwrap_or_else(|| xml.fallback_name.clone());
        let revision = d
            .attr("revision")
            .map_or("1".into(), |t| t.trimmed().to_owned());
        let source = self.source_ref(&d.span());
        (name, revision, source)
    }
}
