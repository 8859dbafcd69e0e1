//! Shared flows, FlowCallout and LocalTargetConnection targets in the
//! validated model.

use super::{LocalTarget, SourceRef, Step, Var};

/// The flow a SharedFlow bundle runs when a FlowCallout calls it.
#[derive(Debug, Clone)]
pub struct SharedFlow {
    /// `SharedFlow/@name` (usually `default`).
    pub name: String,
    /// Its Steps, in order.
    pub steps: Vec<Step>,
    /// Where it is.
    pub source: SourceRef,
}

/// A FlowCallout `<Parameter>`: a variable set before the shared flow runs.
#[derive(Debug, Clone)]
pub struct FlowParam {
    /// `@name`, for docs.
    pub name: String,
    /// The variable it sets (in the caller's context).
    pub target: Var,
    /// Its value.
    pub value: FlowParamValue,
}

/// Where a FlowCallout parameter's value comes from.
#[derive(Debug, Clone)]
pub enum FlowParamValue {
    /// Element text (`<Parameter name="x">literal</Parameter>`).
    Literal(String),
    /// `ref="var"`: the variable's value (unset stays unset).
    Ref(Var),
}

/// How a FlowCallout reaches its shared flow.
#[derive(Debug, Clone)]
pub enum SharedFlowCall {
    /// The shared flow is compiled in the same build: a direct call of its
    /// generated function.
    Compiled {
        /// Rust module of the shared flow bundle (a sibling module).
        module: String,
        /// For each slot of the shared flow (index), the caller's slot
        /// holding the same variable.
        slot_map: Vec<usize>,
    },
    /// Not in this build: looked up among the shared flows mounted on the
    /// gateway (checked at start-up).
    Mounted,
}

/// A FlowCallout policy.
#[derive(Debug, Clone)]
pub struct FlowCallout {
    /// `SharedFlowBundle`.
    pub shared_flow: String,
    /// `Parameters`, in order.
    pub params: Vec<FlowParam>,
    /// How it is called.
    pub call: SharedFlowCall,
}

/// How a TargetEndpoint reaches its backend.
#[derive(Debug, Clone)]
pub enum TargetConnection {
    /// `HTTPTargetConnection`.
    Http {
        /// `URL`, or its `Path` with a LoadBalancer.
        url: super::Template,
        /// Transport properties (boxed: much larger than a local target).
        props: Box<super::TargetProps>,
    },
    /// `LocalTargetConnection`: another proxy of the environment, in-process.
    Local(LocalTarget),
}
