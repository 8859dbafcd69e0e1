//! Policies: the common attributes, the registry of supported types, and
//! one module per policy type.

mod assign_message;
mod extract_variables;
mod flow_callout;
mod integration_callout;
mod message_ops;
mod raise_fault;
mod service_callout;
mod set_integration_request;

use super::Sema;
use super::vars::failed_flag;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::syntax::xml::{Element, Text};

/// Policy types proxyc compiles.
const SUPPORTED: &[&str] = &[
    "AssignMessage",
    "ExtractVariables",
    "FlowCallout",
    "IntegrationCallout",
    "RaiseFault",
    "ServiceCallout",
    "SetIntegrationRequest",
];

impl<'a> Sema<'a> {
    /// Indexes policy files by name; declares message variables they create.
    pub(super) fn index_policies(&mut self, files: &'a [Element]) {
        for p in files {
            let Some(name) = self.required_attr(
                p,
                "name",
                Code::MISSING_ELEMENT,
                format!("<{}> has no name attribute", p.name),
                "unnamed policy",
                "add name=\"…\"; Steps refer to policies by this name",
            ) else {
                continue;
            };
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ._-$%".contains(c))
                || name.len() > 255
            {
                self.diags.push(
                    Diagnostic::warning(
                        Code::NAME_CHARS,
                        format!("policy name `{name}` uses characters outside the documented set"),
                    )
                    .at(p.span(), "policy name")
                    .help("use letters, digits, spaces, `-`, `_` and `.`; at most 255 characters"),
                );
            }
            if let Some(prev) = self.policy_xml.get(&name) {
                let first = prev.span();
                self.diags.push(
                    Diagnostic::error(
                        Code::DUPLICATE_NAME,
                        format!("two policies are named `{name}`"),
                    )
                    .at(p.span(), "second policy")
                    .also(first, "first policy")
                    .help("policy names must be unique within a bundle"),
                );
                continue;
            }
            self.declare_policy_messages(p);
            self.policy_xml.insert(name, p);
        }
        self.declare_callout_messages(files);
    }

    /// Declares the message variables a policy creates.
    fn declare_policy_messages(&mut self, p: &Element) {
        if p.name == "AssignMessage"
            && let Some(v) = p.child_text("AssignTo")
        {
            let name = v.trimmed().to_owned();
            self.vars.declare_message(&name);
        }
        let (child, default) = match p.name.as_str() {
            "SetIntegrationRequest" => ("Request", set_integration_request::DEFAULT_REQUEST),
            "IntegrationCallout" => ("Response", integration_callout::DEFAULT_RESPONSE),
            _ => return,
        };
        let name = p.child(child).map_or("", |c| c.text_str().trim());
        self.vars
            .declare_message(if name.is_empty() { default } else { name });
    }

    /// The IR index of the policy a Step names, compiling it on first use.
    pub(super) fn use_policy(&mut self, name: &Text) -> Option<usize> {
        let key = name.trimmed();
        if let Some(&i) = self.policy_index.get(key) {
            return i;
        }
        let Some(&el) = self.policy_xml.get(key) else {
            let known: Vec<&str> = self.policy_xml.keys().map(String::as_str).collect();
            let root = if self.shared_flow_name.is_some() {
                "sharedflowbundle"
            } else {
                "apiproxy"
            };
            let mut d = Diagnostic::error(Code::UNKNOWN_POLICY, format!("no policy named `{key}`"))
                .at(name.span(), format!("not found in {root}/policies/"));
            d = match crate::suggest::closest(key, &known) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "add the policy file to {root}/policies/ or fix the Step's <Name>"
                )),
            };
            self.diags.push(d);
            return None;
        };
        let enabled = self.attr_bool(el, "enabled", true);
        if !enabled {
            self.diags.push(
                Diagnostic::warning(
                    Code::DISABLED_STEP,
                    format!("policy `{key}` is disabled; this Step never runs"),
                )
                .at(name.span(), "disabled policy")
                .help("remove the Step or set enabled=\"true\""),
            );
            // Used (so not reported unused) but compiled to nothing.
            self.policy_index.insert(key.to_owned(), None);
            return None;
        }
        let index = self.compile_policy(key, el).map(|policy| {
            self.policies.push(policy);
            self.policies.len() - 1
        });
        self.policy_index.insert(key.to_owned(), index);
        index
    }

    /// Warns about policy files no Step uses.
    pub(super) fn report_unused_policies(&mut self) {
        let unused: Vec<(String, crate::diagnostics::Span)> = self
            .policy_xml
            .iter()
            .filter(|(n, _)| !self.policy_index.contains_key(*n))
            .map(|(n, el)| (n.clone(), el.span()))
            .collect();
        for (name, span) in unused {
            self.diags.push(
                Diagnostic::warning(
                    Code::UNUSED_POLICY,
                    format!("policy `{name}` is not used by any Step"),
                )
                .at(span, "unused policy")
                .help("attach it to a flow with a <Step>, or delete the file"),
            );
        }
    }

    /// A boolean attribute.
    pub(crate) fn attr_bool(&mut self, el: &Element, attr: &str, default: bool) -> bool {
        let Some(v) = el.attr(attr) else {
            return default;
        };
        match v.trimmed().to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::INVALID_VALUE,
                        format!("attribute {attr}=\"{other}\" is not a boolean"),
                    )
                    .at(v.span(), "expected true or false")
                    .help(format!("write {attr}=\"true\" or {attr}=\"false\"")),
                );
                default
            }
        }
    }

    fn compile_policy(&mut self, name: &str, el: &Element) -> Option<ir::Policy> {
        let kind: &'static str = match SUPPORTED.iter().find(|k| **k == el.name) {
            Some(k) => k,
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNSUPPORTED_POLICY,
                        format!(
                            "policy type `{}` (policy `{name}`) is not supported by proxyc yet",
                            el.name
                        ),
                    )
                    .at(el.span(), "unsupported policy type")
                    .help(format!("supported policy types: {}", SUPPORTED.join(", "))),
                );
                return None;
            }
        };
        let continue_on_error = self.attr_bool(el, "continueOnError", false);
        if el.attr("async").is_some() {
            self.diags.push(
                Diagnostic::warning(
                    Code::ASYNC_ATTRIBUTE,
                    "the async attribute is deprecated and ignored",
                )
                .at(el.span(), "async attribute")
                .help("remove async=\"…\""),
            );
        }
        let display_name = el
            .child_text("DisplayName")
            .map(|t| t.trimmed().to_owned())
            .filter(|d| d != name);
        let failed_slot = self.vars.slot(&failed_flag(kind, name));
        let source = self.source_ref(&el.span());
        let body = match kind {
            "AssignMessage" => ir::PolicyBody::AssignMessage(self.assign_message(el)?),
            "SetIntegrationRequest" => {
                ir::PolicyBody::SetIntegrationRequest(Box::new(self.set_integration_request(el)?))
            }
            "IntegrationCallout" => {
                ir::PolicyBody::IntegrationCallout(Box::new(self.integration_callout(el)?))
            }
            "ExtractVariables" => ir::PolicyBody::ExtractVariables(self.extract_variables(el)?),
            "ServiceCallout" => {
                ir::PolicyBody::ServiceCallout(Box::new(self.service_callout(el, name)?))
            }
            "FlowCallout" => ir::PolicyBody::FlowCallout(Box::new(self.flow_callout(el)?)),
            _ => ir::PolicyBody::RaiseFault(self.raise_fault(el)?),
        };
        Some(ir::Policy {
            name: name.to_owned(),
            kind,
            continue_on_error,
            failed_slot,
            source,
            display_name,
            body,
        })
    }
}
