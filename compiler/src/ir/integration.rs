//! SetIntegrationRequest, IntegrationCallout and IntegrationEndpoint routes.

use super::{MsgSel, Var};

/// An element with an optional `ref` (name as written, resolved) and text:
/// the `ref` wins when it resolves, the text is the fallback.
#[derive(Debug, Clone, Default)]
pub struct RefOrText {
    /// `ref`.
    pub reference: Option<(String, Var)>,
    /// Trimmed text (empty when none).
    pub text: String,
}

/// Declared type of an integration parameter (the runtime `ParamType` variant name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `boolean`.
    Boolean,
    /// `double`.
    Double,
    /// `json` (not for arrays).
    Json,
}

/// A `Parameter` or `ParameterArray`.
#[derive(Debug, Clone)]
pub struct IntegrationParam {
    /// `name`.
    pub name: String,
    /// `type`.
    pub kind: ParamType,
    /// `ParameterArray`.
    pub array: bool,
    /// `ref` and text (`ParameterArray`: `ref` only).
    pub value: RefOrText,
    /// `ParameterArray/Value` children.
    pub values: Vec<RefOrText>,
}

/// The `integration.*` variables SetIntegrationRequest sets and the callout reads.
#[derive(Debug, Clone)]
pub struct IntegrationVars {
    /// `integration.project.id`.
    pub project: Var,
    /// `integration.name`.
    pub name: Var,
    /// `integration.region`.
    pub region: Var,
    /// `integration.trigger`.
    pub trigger: Var,
}

/// SetIntegrationRequest.
#[derive(Debug, Clone)]
pub struct SetIntegrationRequest {
    /// `ProjectId` (omitted: `ref="organization.name"`).
    pub project: RefOrText,
    /// `IntegrationName` (omitted: `-`).
    pub name: Option<RefOrText>,
    /// `IntegrationRegion`.
    pub region: RefOrText,
    /// `ApiTrigger` (text: the trigger id, `api_trigger/` prefixed).
    pub trigger: RefOrText,
    /// `ScheduleTime`.
    pub schedule_time: Option<RefOrText>,
    /// `Parameters`, in document order (names are unique).
    pub params: Vec<IntegrationParam>,
    /// Indices into `params` sorted by name (byte order): the order of the
    /// body's `inputParameters` keys, decided here rather than per request.
    pub key_order: Vec<usize>,
    /// Slot of the `Request` variable.
    pub request_slot: usize,
    /// Variables set.
    pub vars: IntegrationVars,
}

/// IntegrationCallout.
#[derive(Debug, Clone)]
pub struct IntegrationCallout {
    /// `Request` (name, resolution).
    pub request: (String, Var),
    /// `Request@clearPayload`.
    pub clear_payload: bool,
    /// `AsyncExecution`.
    pub async_execution: bool,
    /// `Response`.
    pub response: MsgSel,
    /// Variables read.
    pub vars: IntegrationVars,
}

/// A RouteRule's IntegrationEndpoint.
#[derive(Debug, Clone)]
pub struct IntegrationRoute {
    /// The endpoint's `name`.
    pub name: String,
    /// `AsyncExecution`.
    pub async_execution: bool,
    /// SetIntegrationRequest's default request variable (name, resolution).
    pub request: (String, Var),
    /// Variables read.
    pub vars: IntegrationVars,
}
