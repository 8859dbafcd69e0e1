//! IntegrationCallout (policies.md §4, IntegrationCallout.xsd) and the
//! IntegrationEndpoints RouteRules may target.

use super::super::Sema;
use super::set_integration_request::DEFAULT_REQUEST;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{IntegrationCallout, IntegrationRoute, MsgSel, Var};
use crate::syntax::xml::Element;

/// Response variable when `<Response>` is omitted.
pub(crate) const DEFAULT_RESPONSE: &str = "integration.response";

impl Sema<'_> {
    pub(super) fn integration_callout(&mut self, el: &Element) -> Option<IntegrationCallout> {
        self.check_children(
            el,
            &[
                "DisplayName",
                "Description",
                "AsyncExecution",
                "Request",
                "Response",
                "Properties",
                "FaultRules",
            ],
        );
        let async_execution = self.bool_text(el.child("AsyncExecution"), false);
        let Some(request_el) = el.child("Request") else {
            self.missing(
                el,
                "Request",
                "add <Request clearPayload=\"true\">VAR</Request> naming the variable SetIntegrationRequest filled",
            );
            return None;
        };
        let clear_payload = self.attr_bool(request_el, "clearPayload", true);
        let name = request_el.text_str().trim().to_owned();
        let request = if name.is_empty() {
            None
        } else {
            match self.vars.resolve(&name) {
                var @ (Var::Slot(_) | Var::MsgObject(_)) => Some((name.clone(), var)),
                _ => None,
            }
        };
        let Some(request) = request else {
            self.diags.push(
                Diagnostic::error(
                    Code::INTEGRATION_VARIABLE,
                    format!("RequestVariableNotMessageType: `{name}` cannot hold a request object"),
                )
                .at(request_el.span(), "request object variable")
                .help("name the <Request> variable of a SetIntegrationRequest policy"),
            );
            return None;
        };
        self.note_content_need(&request.1);
        let response_name = el
            .child("Response")
            .map(|r| r.text_str().trim().to_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| DEFAULT_RESPONSE.to_owned());
        let response = match self.vars.message_sel(&response_name) {
            Some(sel @ (MsgSel::Slot(_) | MsgSel::Response)) => sel,
            _ => {
                let span = el.child("Response").map_or_else(|| el.span(), |r| r.span());
                self.diags.push(
                    Diagnostic::error(
                        Code::INTEGRATION_VARIABLE,
                        format!("<Response> `{response_name}` cannot receive the integration response"),
                    )
                    .at(span, "response variable")
                    .help(format!("name a new variable, `response`, or omit <Response> for `{DEFAULT_RESPONSE}`")),
                );
                return None;
            }
        };
        Some(IntegrationCallout {
            request,
            clear_payload,
            async_execution,
            response,
            vars: self.integration_vars(),
        })
    }

    /// Indexes `apiproxy/integration-endpoints/*.xml`: name → `AsyncExecution`.
    pub(crate) fn index_integration_endpoints(&mut self, files: &[Element]) {
        for ep in files {
            if ep.name != "IntegrationEndpoint" {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNEXPECTED_ROOT,
                        format!("expected <IntegrationEndpoint>, found <{}>", ep.name),
                    )
                    .at(ep.span(), "root element")
                    .help("files in apiproxy/integration-endpoints/ each hold one <IntegrationEndpoint>"),
                );
                continue;
            }
            self.check_children(ep, &["AsyncExecution", "Description", "DisplayName"]);
            let name = ep
                .attr("name")
                .map_or_else(|| "default".into(), |n| n.trimmed().to_owned());
            let async_execution = self.bool_text(ep.child("AsyncExecution"), false);
            if self
                .integration_endpoints
                .insert(name.clone(), async_execution)
                .is_some()
            {
                self.diags.push(
                    Diagnostic::error(
                        Code::DUPLICATE_NAME,
                        format!("two IntegrationEndpoints are named `{name}`"),
                    )
                    .at(ep.span(), "second endpoint")
                    .help("IntegrationEndpoint names must be unique within a bundle"),
                );
            }
        }
    }

    /// A RouteRule's `<IntegrationEndpoint>NAME</IntegrationEndpoint>`.
    pub(crate) fn integration_route(&mut self, target: &Element) -> Option<IntegrationRoute> {
        let name = target.text_str().trim().to_owned();
        let Some(&async_execution) = self.integration_endpoints.get(&name) else {
            let known: Vec<String> = self.integration_endpoints.keys().cloned().collect();
            self.diags.push(
                Diagnostic::error(
                    Code::UNKNOWN_TARGET,
                    format!("no IntegrationEndpoint named `{name}`"),
                )
                .at(
                    target.span(),
                    "not found in apiproxy/integration-endpoints/",
                )
                .help(format!(
                    "known IntegrationEndpoints: {}",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                )),
            );
            return None;
        };
        Some(IntegrationRoute {
            name,
            async_execution,
            request: (
                DEFAULT_REQUEST.to_owned(),
                self.vars.resolve(DEFAULT_REQUEST),
            ),
            vars: self.integration_vars(),
        })
    }
}
