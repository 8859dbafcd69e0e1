//! The validated model of a bundle. Only `sema` constructs these types;
//! `codegen` reads them and never re-validates. No XML, no syn here.

pub mod integration;
pub mod policy;
pub mod shared_flow;
pub mod transport;
pub mod var;

pub use integration::*;
pub use policy::*;
pub use shared_flow::*;
pub use transport::*;
pub use var::*;

use crate::expr::{condition, template};
use std::collections::BTreeMap;

/// A compiled condition: the folded expression and its resolved variables.
#[derive(Debug, Clone)]
pub struct Condition {
    /// Source text (for docs and traces).
    pub text: String,
    /// Folded expression.
    pub expr: condition::Expr,
    /// Every variable it reads, resolved.
    pub vars: BTreeMap<String, Var>,
}

/// A compiled message template and its resolved variables.
#[derive(Debug, Clone)]
pub struct Template {
    /// Parsed template.
    pub tpl: template::Template,
    /// Every variable it reads, resolved.
    pub vars: BTreeMap<String, Var>,
}

impl Template {
    /// The text of a template without references.
    pub fn literal_text(&self) -> Option<String> {
        if !self.tpl.is_literal() {
            return None;
        }
        let mut out = String::new();
        for p in self.tpl.pieces() {
            if let template::Piece::Lit(s) = p {
                out.push_str(s);
            }
        }
        Some(out)
    }
}

/// `file:line:col` of a source element, for generated doc comments.
pub type SourceRef = String;

/// A whole proxy.
#[derive(Debug, Clone)]
pub struct Proxy {
    /// `apiproxy.name`.
    pub name: String,
    /// `apiproxy.revision`.
    pub revision: String,
    /// Descriptor file, for the generated header.
    pub source: String,
    /// ProxyEndpoints, in name order.
    pub endpoints: Vec<ProxyEndpoint>,
    /// TargetEndpoints, in name order.
    pub targets: Vec<TargetEndpoint>,
    /// Policies used by at least one Step, in name order.
    pub policies: Vec<Policy>,
    /// User-variable slot names (index = slot).
    pub slots: Vec<String>,
    /// Whether any policy or condition reads the request content.
    pub needs_request_content: bool,
    /// Whether any policy or condition reads the response content.
    pub needs_response_content: bool,
    /// The flow of a SharedFlow bundle (`sharedflowbundle/`); a shared flow
    /// bundle has no endpoints.
    pub shared_flow: Option<SharedFlow>,
}

impl Proxy {
    /// Whether a FlowCallout runs in it: a shared flow it calls may read
    /// or write anything, so analyses of the generated code that look for
    /// readers must assume the worst.
    pub fn has_flow_callout(&self) -> bool {
        self.policies
            .iter()
            .any(|p| matches!(p.body, PolicyBody::FlowCallout(_)))
    }
}

/// A Step: a policy, optionally guarded.
#[derive(Debug, Clone)]
pub struct Step {
    /// Index into [`Proxy::policies`].
    pub policy: usize,
    /// `Step/Condition`.
    pub condition: Option<Condition>,
    /// Where the Step is.
    pub source: SourceRef,
}

/// Request and response Steps of a PreFlow or PostFlow.
#[derive(Debug, Clone, Default)]
pub struct FlowSteps {
    /// `Request` Steps.
    pub request: Vec<Step>,
    /// `Response` Steps.
    pub response: Vec<Step>,
}

/// A conditional flow.
#[derive(Debug, Clone)]
pub struct ConditionalFlow {
    /// `name`.
    pub name: String,
    /// `Condition` (none = always).
    pub condition: Option<Condition>,
    /// Steps.
    pub steps: FlowSteps,
    /// Where the flow is.
    pub source: SourceRef,
}

/// PreFlow, conditional flows and PostFlow of an endpoint.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    /// PreFlow.
    pub pre: FlowSteps,
    /// Conditional flows in order.
    pub conditional: Vec<ConditionalFlow>,
    /// PostFlow.
    pub post: FlowSteps,
}

/// A FaultRule.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// `name`.
    pub name: String,
    /// `Condition` (none = always).
    pub condition: Option<Condition>,
    /// Steps (each with its own condition).
    pub steps: Vec<Step>,
    /// Where it is.
    pub source: SourceRef,
}

/// The DefaultFaultRule.
#[derive(Debug, Clone)]
pub struct DefaultFaultRule {
    /// The rule.
    pub rule: FaultRule,
    /// `AlwaysEnforce`.
    pub always_enforce: bool,
}

/// Fault handling of an endpoint.
#[derive(Debug, Clone, Default)]
pub struct FaultHandling {
    /// FaultRules in evaluation order (already reversed for ProxyEndpoints).
    pub rules: Vec<FaultRule>,
    /// DefaultFaultRule.
    pub default: Option<DefaultFaultRule>,
}

/// Where a RouteRule sends the request.
#[derive(Debug, Clone)]
pub enum RouteTarget {
    /// A TargetEndpoint (index into [`Proxy::targets`]).
    Endpoint(usize),
    /// A direct URL.
    Url(Template),
    /// No backend call.
    Null,
    /// An IntegrationEndpoint.
    Integration(Box<IntegrationRoute>),
}

/// A RouteRule.
#[derive(Debug, Clone)]
pub struct RouteRule {
    /// `name`.
    pub name: String,
    /// `Condition`.
    pub condition: Option<Condition>,
    /// Target.
    pub target: RouteTarget,
}

/// A ProxyEndpoint.
#[derive(Debug, Clone)]
pub struct ProxyEndpoint {
    /// `name`.
    pub name: String,
    /// `HTTPProxyConnection/BasePath`.
    pub base_path: String,
    /// Flows.
    pub flows: Flows,
    /// PostClientFlow response Steps.
    pub post_client: Vec<Step>,
    /// RouteRules in order.
    pub routes: Vec<RouteRule>,
    /// Fault handling.
    pub faults: FaultHandling,
    /// Where it is.
    pub source: SourceRef,
}

/// Transport properties of a target connection.
#[derive(Debug, Clone)]
pub struct TargetProps {
    /// `connect.timeout.millis`.
    pub connect_timeout_ms: u64,
    /// `io.timeout.millis`.
    pub io_timeout_ms: u64,
    /// `keepalive.timeout.millis`.
    pub keepalive_timeout_ms: u64,
    /// `success.codes` as inclusive ranges.
    pub success_codes: Vec<(u16, u16)>,
    /// `request.retain.headers.enabled` / `request.retain.headers`.
    pub retain_request_headers: Retain,
    /// `response.retain.headers.enabled` / `response.retain.headers`.
    pub retain_response_headers: Retain,
    /// `retain.queryparams.enabled` / `retain.queryparams`.
    pub retain_query_params: Retain,
    /// `SSLInfo`.
    pub tls: Option<SslInfo>,
    /// `LoadBalancer` (the URL template is then its `Path`).
    pub balancer: Option<LoadBalancer>,
}

/// Which headers or query parameters pass through: all when `enabled`,
/// else only `names`.
#[derive(Debug, Clone)]
pub struct Retain {
    /// `*.enabled` (default true).
    pub enabled: bool,
    /// The names listed.
    pub names: Vec<String>,
}

impl Default for Retain {
    fn default() -> Self {
        Retain {
            enabled: true,
            names: Vec::new(),
        }
    }
}

impl Default for TargetProps {
    fn default() -> Self {
        TargetProps {
            connect_timeout_ms: 3000,
            io_timeout_ms: 55_000,
            keepalive_timeout_ms: 60_000,
            success_codes: vec![(100, 399)],
            retain_request_headers: Retain::default(),
            retain_response_headers: Retain::default(),
            retain_query_params: Retain::default(),
            tls: None,
            balancer: None,
        }
    }
}

/// A TargetEndpoint.
#[derive(Debug, Clone)]
pub struct TargetEndpoint {
    /// `name`.
    pub name: String,
    /// Flows.
    pub flows: Flows,
    /// `HTTPTargetConnection` or `LocalTargetConnection`.
    pub connection: TargetConnection,
    /// Fault handling.
    pub faults: FaultHandling,
    /// Where it is.
    pub source: SourceRef,
}
