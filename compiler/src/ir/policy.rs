//! Policies in the validated model.

mod service_callout;

pub use service_callout::*;

use super::{
    FlowCallout, IntegrationCallout, MsgSel, SetIntegrationRequest, SourceRef, Template, Var,
};

#[path = "extract_variables.rs"]
mod extract_variables;
pub use extract_variables::*;

/// A policy with its common attributes.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `name`.
    pub name: String,
    /// Policy type (root element).
    pub kind: &'static str,
    /// `continueOnError`.
    pub continue_on_error: bool,
    /// Slot of its `<ns>.<name>.failed` flag.
    pub failed_slot: usize,
    /// Where it is.
    pub source: SourceRef,
    /// `DisplayName`, when it differs from the name.
    pub display_name: Option<String>,
    /// Type-specific configuration.
    pub body: PolicyBody,
}

/// Type-specific policy configuration.
#[derive(Debug, Clone)]
pub enum PolicyBody {
    /// AssignMessage.
    AssignMessage(AssignMessage),
    /// RaiseFault.
    RaiseFault(RaiseFault),
    /// SetIntegrationRequest.
    SetIntegrationRequest(Box<SetIntegrationRequest>),
    /// IntegrationCallout.
    IntegrationCallout(Box<IntegrationCallout>),
    /// ExtractVariables.
    ExtractVariables(ExtractVariables),
    /// ServiceCallout.
    ServiceCallout(Box<ServiceCallout>),
    /// FlowCallout.
    FlowCallout(Box<FlowCallout>),
}

/// Whether a created message is a request or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgKind {
    /// Request.
    Request,
    /// Response.
    Response,
    /// Request in request flows, response in response flows.
    ByFlow,
}

/// AssignMessage's `<AssignTo>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignTo {
    /// No AssignTo (or empty): the ambient `message`.
    Ambient,
    /// `createNew="true"` without a variable: a new message replaces the ambient one.
    ReplaceAmbient(MsgKind),
    /// A named variable: `request`/`response` or a message slot.
    Var {
        /// The message.
        sel: MsgSel,
        /// `createNew`: Some(true) always create, Some(false) must exist, None create if missing.
        create_new: Option<bool>,
        /// `type`.
        kind: MsgKind,
    },
}

/// Which parts of a collection (headers, query or form params) an operation touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartSel {
    /// None.
    None,
    /// All of them (`<Headers/>`).
    All,
    /// Named ones, with an optional 1-based index (`name="h.2"`).
    Named(Vec<(String, Option<usize>)>),
}

/// `<Copy>` specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySpec {
    /// `source`.
    pub source: MsgSel,
    /// Headers.
    pub headers: PartSel,
    /// Query parameters.
    pub query: PartSel,
    /// Form parameters.
    pub form: PartSel,
    /// Payload.
    pub payload: bool,
    /// Path.
    pub path: bool,
    /// Verb.
    pub verb: bool,
    /// Version.
    pub version: bool,
    /// Status code.
    pub status: bool,
    /// Reason phrase.
    pub reason: bool,
}

/// `<Remove>` specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveSpec {
    /// Headers.
    pub headers: PartSel,
    /// Query parameters.
    pub query: PartSel,
    /// Form parameters.
    pub form: PartSel,
    /// Payload.
    pub payload: bool,
}

/// Sources of an `<AssignVariable>`, in precedence order.
#[derive(Debug, Clone)]
pub struct AssignVariable {
    /// `Name` (as written).
    pub name: String,
    /// The destination variable.
    pub target: Var,
    /// `Template@ref`: variable whose value is a template (rendered at run time).
    pub template_ref: Option<Var>,
    /// `Template` text.
    pub template: Option<Template>,
    /// `Ref`.
    pub reference: Option<(String, Var)>,
    /// `Value`.
    pub value: Option<String>,
}

/// Which single-valued part a `Set` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Verb.
    Verb,
    /// Path.
    Path,
    /// Version.
    Version,
    /// Status code.
    StatusCode,
    /// Reason phrase.
    ReasonPhrase,
}

/// Which collection an item operation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Headers.
    Header,
    /// Query parameters.
    Query,
    /// Form parameters.
    Form,
}

/// One message operation, applied in document order.
/// Whether `text` is what `HeaderValue::from_static` accepts (visible ASCII
/// and tabs): such a header value is emitted as a constant, checked when the
/// generated code compiles.
pub fn is_static_header_value(text: &str) -> bool {
    text.bytes().all(|b| (32..127).contains(&b) || b == b'\t')
}

#[derive(Debug, Clone)]
pub enum MessageOp {
    /// `<Set>` of a header/param: replace its values.
    SetItem(Collection, String, Template),
    /// `<Add>` of a header/param: append a value.
    AddItem(Collection, String, Template),
    /// `<Set><Payload>`.
    SetPayload {
        /// `contentType` attribute ([`is_static_header_value`]).
        content_type: Option<String>,
        /// The payload template.
        payload: Template,
    },
    /// `<Set>` of a scalar part.
    SetScalar(Scalar, Template),
    /// `<Remove>`.
    Remove(RemoveSpec),
    /// `<Copy>`.
    Copy(CopySpec),
    /// `<AssignVariable>`.
    AssignVariable(Box<AssignVariable>),
}

/// AssignMessage.
#[derive(Debug, Clone)]
pub struct AssignMessage {
    /// `AssignTo`.
    pub assign_to: AssignTo,
    /// `IgnoreUnresolvedVariables`.
    pub ignore_unresolved: bool,
    /// Operations in document order.
    pub ops: Vec<MessageOp>,
}

/// RaiseFault.
#[derive(Debug, Clone)]
pub struct RaiseFault {
    /// `IgnoreUnresolvedVariables`.
    pub ignore_unresolved: bool,
    /// `ShortFaultReason`.
    pub short_reason: bool,
    /// Whether a `FaultResponse` element exists.
    pub has_fault_response: bool,
    /// `FaultResponse` operations in document order.
    pub ops: Vec<MessageOp>,
}

impl Policy {
    /// Whether the policy does I/O (its function is `async`).
    pub fn is_async(&self) -> bool {
        match self.body {
            PolicyBody::AssignMessage(_)
            | PolicyBody::RaiseFault(_)
            | PolicyBody::ExtractVariables(_)
            | PolicyBody::SetIntegrationRequest(_) => false,
            PolicyBody::IntegrationCallout(_)
            | PolicyBody::ServiceCallout(_)
            | PolicyBody::FlowCallout(_) => true,
        }
    }
}
