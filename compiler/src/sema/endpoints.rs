//! ProxyEndpoints and TargetEndpoints: flows, Steps, RouteRules,
//! FaultRules, connections.

use super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::syntax::xml::Element;

const PROXY_CHILDREN: &[&str] = &[
    "Description",
    "FaultRules",
    "DefaultFaultRule",
    "PreFlow",
    "Flows",
    "PostFlow",
    "PostClientFlow",
    "HTTPProxyConnection",
    "RouteRule",
];
const TARGET_CHILDREN: &[&str] = &[
    "Description",
    "FaultRules",
    "DefaultFaultRule",
    "PreFlow",
    "Flows",
    "PostFlow",
    "HTTPTargetConnection",
    "LocalTargetConnection",
    "ScriptTarget",
    "EventFlow",
];
const FLOW_CHILDREN: &[&str] = &["Description", "Condition", "Request", "Response"];

/// Documented target transport properties (bundle.md §8) proxyc accepts
/// but does not apply; each one used is warned about (PXW303).
const UNAPPLIED_TARGET_PROPERTIES: &[&str] = &[
    "supports.http11",
    "allow.post.without.content.length",
    "allow.put.without.content.length",
    "compression.algorithm",
    "request.streaming.enabled",
    "response.streaming.enabled",
    "response.payload.parse.limit",
    "ignore.allow.header.for.405",
    "allow.http10",
    "enable.method.override",
    "use.proxy",
];

impl Sema<'_> {
    pub(super) fn steps(&mut self, parent: Option<&Element>) -> Vec<ir::Step> {
        let Some(parent) = parent else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for step in parent.children_named("Step") {
            let Some(name) = step.child_text("Name") else {
                self.missing(
                    step,
                    "Name",
                    "a Step names the policy it runs: <Name>policy-name</Name>",
                );
                continue;
            };
            let condition = self.condition(step.child("Condition").and_then(|c| c.text.as_ref()));
            let source = self.source_ref(&step.span());
            if let Some(policy) = self.use_policy(name) {
                out.push(ir::Step {
                    policy,
                    condition,
                    source,
                });
            }
        }
        out
    }

    fn flow_steps(&mut self, el: Option<&Element>) -> ir::FlowSteps {
        let Some(el) = el else {
            return ir::FlowSteps::default();
        };
        self.check_children(el, FLOW_CHILDREN);
        for half in ["Request", "Response"] {
            if let Some(h) = el.child(half) {
                self.check_children(h, &["Step"]);
            }
        }
        ir::FlowSteps {
            request: self.steps(el.child("Request")),
            response: self.steps(el.child("Response")),
        }
    }

    pub(super) fn flows(&mut self, ep: &Element) -> ir::Flows {
        let pre = self.flow_steps(ep.child("PreFlow"));
        let post = self.flow_steps(ep.child("PostFlow"));
        let mut conditional = Vec::new();
        if let Some(flows) = ep.child("Flows") {
            let mut reach = Vec::new();
            for f in flows.children_named("Flow") {
                let name = f
                    .attr("name")
                    .map_or_else(String::new, |n| n.trimmed().to_owned());
                let cond_text = f.child("Condition").and_then(|c| c.text.as_ref());
                let condition = self.condition(cond_text);
                let unparsed =
                    cond_text.is_some_and(|t| !t.trimmed().is_empty()) && condition.is_none();
                reach.push((
                    f,
                    !unparsed && super::lints::always_matches(condition.as_ref()),
                ));
                let steps = self.flow_steps(Some(f));
                let source = self.source_ref(&f.span());
                conditional.push(ir::ConditionalFlow {
                    name,
                    condition,
                    steps,
                    source,
                });
            }
            self.report_unreachable_flows(&reach);
        }
        ir::Flows {
            pre,
            conditional,
            post,
        }
    }

    fn fault_rule(&mut self, el: &Element) -> ir::FaultRule {
        let known: &[&str] = if el.name == "DefaultFaultRule" {
            &["Step", "Condition", "AlwaysEnforce"]
        } else {
            &["Step", "Condition"]
        };
        self.check_children(el, known);
        ir::FaultRule {
            name: el
                .attr("name")
                .map_or_else(String::new, |n| n.trimmed().to_owned()),
            condition: self.condition(el.child("Condition").and_then(|c| c.text.as_ref())),
            steps: self.steps(Some(el)).into_iter().collect(),
            source: self.source_ref(&el.span()),
        }
    }

    /// FaultRules (`reverse` = ProxyEndpoint order, bottom to top) and the DefaultFaultRule.
    pub(super) fn fault_handling(&mut self, ep: &Element, reverse: bool) -> ir::FaultHandling {
        let mut rules: Vec<ir::FaultRule> = ep
            .child("FaultRules")
            .map(|frs| {
                frs.children_named("FaultRule")
                    .map(|fr| self.fault_rule(fr))
                    .collect()
            })
            .unwrap_or_default();
        if reverse {
            rules.reverse();
        }
        let default = ep.child("DefaultFaultRule").map(|d| {
            let always_enforce = self.bool_text(d.child("AlwaysEnforce"), false);
            ir::DefaultFaultRule {
                rule: self.fault_rule(d),
                always_enforce,
            }
        });
        ir::FaultHandling { rules, default }
    }

    /// Checks an endpoint file's root element and children; returns the
    /// endpoint's name (default `default`), or `None` for a wrong root.
    fn endpoint_root(
        &mut self,
        ep: &Element,
        root: &str,
        folder: &str,
        children: &[&str],
    ) -> Option<String> {
        if ep.name != root {
            self.diags.push(
                Diagnostic::error(
                    Code::UNEXPECTED_ROOT,
                    format!("expected <{root}>, found <{}>", ep.name),
                )
                .at(ep.span(), "root element")
                .help(format!(
                    "files in apiproxy/{folder}/ must each hold one <{root}>"
                )),
            );
            return None;
        }
        self.check_children(ep, children);
        Some(
            ep.attr("name")
                .map_or_else(|| "default".into(), |n| n.trimmed().to_owned()),
        )
    }

    /// Compiles every ProxyEndpoint.
    pub(super) fn proxy_endpoints(
        &mut self,
        files: &[Element],
        targets: &[String],
    ) -> Vec<ir::ProxyEndpoint> {
        let mut out: Vec<ir::ProxyEndpoint> = Vec::new();
        for ep in files {
            let Some(name) = self.endpoint_root(ep, "ProxyEndpoint", "proxies", PROXY_CHILDREN)
            else {
                continue;
            };
            let base_path = ep
                .child("HTTPProxyConnection")
                .and_then(|c| c.child_text("BasePath"))
                .map_or_else(|| "/".to_owned(), |t| t.trimmed().to_owned());
            if let Some(dup) = out.iter().find(|e| e.base_path == base_path) {
                self.diags.push(
                    Diagnostic::error(
                        Code::DUPLICATE_NAME,
                        format!(
                            "base path `{base_path}` is used by ProxyEndpoints `{}` and `{name}`",
                            dup.name
                        ),
                    )
                    .at(ep.span(), "second endpoint with this base path")
                    .help("give each ProxyEndpoint its own BasePath"),
                );
            }
            let flows = self.flows(ep);
            let post_client =
                self.steps(ep.child("PostClientFlow").and_then(|p| p.child("Response")));
            let routes = self.route_rules(ep, targets);
            let faults = self.fault_handling(ep, true);
            let source = self.source_ref(&ep.span());
            out.push(ir::ProxyEndpoint {
                name,
                base_path,
                flows,
                post_client,
                routes,
                faults,
                source,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    fn route_rules(&mut self, ep: &Element, targets: &[String]) -> Vec<ir::RouteRule> {
        let mut out: Vec<ir::RouteRule> = Vec::new();
        let mut unconditional: Option<&Element> = None;
        for rr in ep.children_named("RouteRule") {
            let name = rr
                .attr("name")
                .map_or_else(String::new, |n| n.trimmed().to_owned());
            let condition = self.condition(rr.child("Condition").and_then(|c| c.text.as_ref()));
            if let Some(first) = unconditional {
                self.diags.push(
                    Diagnostic::warning(
                        Code::UNREACHABLE_ROUTE,
                        format!("RouteRule `{name}` can never be chosen"),
                    )
                    .at(rr.span(), "after an unconditional RouteRule")
                    .also(first.span(), "this RouteRule always matches")
                    .help("move the unconditional RouteRule last"),
                );
            }
            if condition.is_none() && unconditional.is_none() {
                unconditional = Some(rr);
            }
            let target = if let Some(t) = rr.child_text("TargetEndpoint") {
                match targets.iter().position(|n| n == t.trimmed()) {
                    Some(i) => ir::RouteTarget::Endpoint(i),
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::UNKNOWN_TARGET,
                                format!("no TargetEndpoint named `{}`", t.trimmed()),
                            )
                            .at(t.span(), "not found in apiproxy/targets/")
                            .help(format!(
                                "known TargetEndpoints: {}",
                                if targets.is_empty() {
                                    "none".into()
                                } else {
                                    targets.join(", ")
                                }
                            )),
                        );
                        continue;
                    }
                }
            } else if let Some(u) = rr.child_text("URL") {
                match self.value_template(u) {
                    Some(t) => ir::RouteTarget::Url(t),
                    None => continue,
                }
            } else if let Some(ie) = rr.child("IntegrationEndpoint") {
                match self.integration_route(ie) {
                    Some(route) => ir::RouteTarget::Integration(Box::new(route)),
                    None => continue,
                }
            } else {
                ir::RouteTarget::Null
            };
            out.push(ir::RouteRule {
                name,
                condition,
                target,
            });
        }
        out
    }

    /// Compiles every TargetEndpoint.
    pub(super) fn target_endpoints(&mut self, files: &[Element]) -> Vec<ir::TargetEndpoint> {
        let mut out = Vec::new();
        for ep in files {
            let Some(name) = self.endpoint_root(ep, "TargetEndpoint", "targets", TARGET_CHILDREN)
            else {
                continue;
            };
            let Some(conn) = ep.child("HTTPTargetConnection") else {
                if let Some(local) = ep.child("LocalTargetConnection") {
                    out.extend(self.local_target_endpoint(ep, name, local));
                    continue;
                }
                let what = ep.children.iter().find(|c| c.name == "ScriptTarget");
                let d = match what {
                    Some(c) => Diagnostic::error(Code::UNSUPPORTED_FEATURE, format!("<{}> targets are not supported by proxyc yet", c.name))
                        .at(c.span(), "unsupported connection")
                        .help("use an HTTPTargetConnection with a URL, or a LocalTargetConnection"),
                    None => Diagnostic::error(Code::MISSING_ELEMENT, format!("TargetEndpoint `{name}` has no HTTPTargetConnection"))
                        .at(ep.span(), "no connection")
                        .help("add <HTTPTargetConnection><URL>https://backend.example.com</URL></HTTPTargetConnection>"),
                };
                self.diags.push(d);
                continue;
            };
            self.check_children(conn, super::transport::HTTP_CONNECTION_CHILDREN);
            if let Some(c) = conn.child("Authentication") {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNSUPPORTED_FEATURE,
                        "<Authentication> in a TargetEndpoint is not supported by proxyc yet",
                    )
                    .at(c.span(), "not supported yet")
                    .help("add the token with a ServiceCallout or AssignMessage for now"),
                );
            }
            if conn.child("LoadBalancer").is_none() && conn.child_text("URL").is_none() {
                self.missing(
                    conn,
                    "URL",
                    "set the backend URL: <URL>https://backend.example.com/base</URL>",
                );
                continue;
            }
            let Some((url, props)) = self.http_transport(conn, |s, text| {
                let url = s.value_template(text)?;
                // Same URL rules as ServiceCallout: a literal scheme (PXC054).
                s.check_callout_url(text, &url, false)?;
                Some(url)
            }) else {
                continue;
            };
            let flows = self.flows(ep);
            let faults = self.fault_handling(ep, false);
            let source = self.source_ref(&ep.span());
            out.push(ir::TargetEndpoint {
                name,
                flows,
                connection: ir::TargetConnection::Http {
                    url,
                    props: Box::new(props),
                },
                faults,
                source,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// A `true`/`false` property value.
    fn property_bool(&mut self, p: &Element) -> bool {
        self.bool_text(Some(p), true)
    }

    /// `Properties` of an HTTPTargetConnection.
    pub(crate) fn target_props(&mut self, conn: &Element) -> ir::TargetProps {
        let mut props = ir::TargetProps::default();
        let Some(list) = conn.child("Properties") else {
            return props;
        };
        for p in list.children_named("Property") {
            let name = p.attr("name").map_or("", |n| n.trimmed());
            let value = p.text_str();
            let bad = |s: &mut Self, why: &str| {
                s.diags.push(
                    Diagnostic::error(Code::INVALID_VALUE, format!("property `{name}`: {why}"))
                        .at(p.span(), "invalid value")
                        .help("give the property a value of the documented form, or remove it"),
                );
            };
            match name {
                "connect.timeout.millis" => match value.parse() {
                    Ok(v) => props.connect_timeout_ms = v,
                    Err(_) => bad(self, "expected milliseconds"),
                },
                "io.timeout.millis" => match value.parse() {
                    Ok(v) => props.io_timeout_ms = v,
                    Err(_) => bad(self, "expected milliseconds"),
                },
                "keepalive.timeout.millis" => match value.parse() {
                    Ok(v) => props.keepalive_timeout_ms = v,
                    Err(_) => bad(self, "expected milliseconds"),
                },
                "success.codes" => match parse_success_codes(value) {
                    Some(c) => props.success_codes = c,
                    None => bad(self, "expected a list like `1xx,2xx,3xx,404`"),
                },
                "request.retain.headers.enabled" => {
                    props.retain_request_headers.enabled = self.property_bool(p);
                }
                "response.retain.headers.enabled" => {
                    props.retain_response_headers.enabled = self.property_bool(p);
                }
                "retain.queryparams.enabled" => {
                    props.retain_query_params.enabled = self.property_bool(p);
                }
                "request.retain.headers" => props.retain_request_headers.names = names(value),
                "response.retain.headers" => props.retain_response_headers.names = names(value),
                "retain.queryparams" => props.retain_query_params.names = names(value),
                n if UNAPPLIED_TARGET_PROPERTIES.contains(&n) => self.diags.push(
                    Diagnostic::warning(
                        Code::PROPERTY_NOT_APPLIED,
                        format!("transport property `{n}` is accepted but not applied by proxyc"),
                    )
                    .at(p.span(), "not applied")
                    .help("remove it, or expect proxyc's default behaviour"),
                ),
                n => self.diags.push(
                    Diagnostic::warning(
                        Code::UNKNOWN_PROPERTY,
                        format!("unknown transport property `{n}` is ignored"),
                    )
                    .at(p.span(), "unknown property")
                    .help("see the endpoint properties reference for the supported names"),
                ),
            }
        }
        props
    }
}

/// A comma-separated list of names.
fn names(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses `success.codes` (`1xx,2xx,3xx,400`).
fn parse_success_codes(s: &str) -> Option<Vec<(u16, u16)>> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            if let Some(d) = t.strip_suffix("xx").or_else(|| t.strip_suffix("XX")) {
                let d: u16 = d.parse().ok().filter(|d| (1..=5).contains(d))?;
                Some((d * 100, d * 100 + 99))
            } else {
                let c: u16 = t.parse().ok().filter(|c| (100..=599).contains(c))?;
                Some((c, c))
            }
        })
        .collect()
}
