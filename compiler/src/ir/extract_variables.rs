//! ExtractVariables in the validated model (policies.md §5).

use super::{MsgSel, Template, Var};

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvPiece {
    /// Literal text (escapes removed).
    Lit(String),
    /// `{name}`: index into [`ExtractVariables::targets`].
    Capture(usize),
    /// `*`.
    Star,
    /// `**` (URIPath only).
    DoubleStar,
}

/// A compiled `<Pattern>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvPattern {
    /// Pieces.
    pub pieces: Vec<EvPiece>,
    /// `ignoreCase`.
    pub ignore_case: bool,
    /// Path segments of the pattern text.
    pub segments: usize,
}

/// Which value of a header or parameter is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvItem {
    /// `name="h"`.
    First(String),
    /// `name="h.2"`.
    Nth(String, usize),
    /// `name="h.values"`.
    Values(String),
}

/// `type` of a JSON/XML variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvType {
    /// `string`.
    String,
    /// `boolean`.
    Boolean,
    /// `integer`.
    Integer,
    /// `long`.
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `nodeset`.
    Nodeset,
}

/// A JSONPath: literal (checked here) or a template rendered at run time.
#[derive(Debug, Clone)]
pub enum EvJsonPath {
    /// A literal path.
    Literal(String),
    /// A message template.
    Template(Template),
}

/// `<JSONPayload><Variable>`.
#[derive(Debug, Clone)]
pub struct EvJsonVar {
    /// Index into [`ExtractVariables::targets`].
    pub target: usize,
    /// `type`.
    pub ty: EvType,
    /// The path.
    pub path: EvJsonPath,
}

/// `<XMLPayload><Variable>`.
#[derive(Debug, Clone)]
pub struct EvXmlVar {
    /// Index into [`ExtractVariables::targets`].
    pub target: usize,
    /// `type`.
    pub ty: EvType,
    /// XPath 1.0 expression.
    pub xpath: String,
}

/// One extraction element, in document order.
#[derive(Debug, Clone)]
pub enum EvStep {
    /// `<URIPath>`.
    UriPath(Vec<EvPattern>),
    /// `<QueryParam>`.
    Query(EvItem, Vec<EvPattern>),
    /// `<Header>`.
    Header(EvItem, Vec<EvPattern>),
    /// `<FormParam>`.
    Form(EvItem, Vec<EvPattern>),
    /// Top-level `<Variable>`.
    Variable(Var, Vec<EvPattern>),
    /// `<JSONPayload>`.
    Json(Vec<EvJsonVar>),
    /// `<XMLPayload>`.
    Xml {
        /// `stopPayloadProcessing`.
        stop: bool,
        /// `prefix:uri` bindings.
        namespaces: Vec<String>,
        /// Variables.
        vars: Vec<EvXmlVar>,
    },
}

/// `<Source>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvSource {
    /// A known message.
    Message(MsgSel),
    /// Another variable.
    Var(Var),
}

/// ExtractVariables.
#[derive(Debug, Clone)]
pub struct ExtractVariables {
    /// `Source`.
    pub source: EvSource,
    /// `Source` as written.
    pub source_name: String,
    /// `clearPayload`.
    pub clear_payload: bool,
    /// `IgnoreUnresolvedVariables`.
    pub ignore_unresolved: bool,
    /// Variables it may create: full name and where it lives.
    pub targets: Vec<(String, Var)>,
    /// Extraction elements in document order.
    pub steps: Vec<EvStep>,
}
