//! Shared flows and what a compiled proxy needs from its environment.
//!
//! A shared flow compiled in the same build as its callers is called
//! directly by their generated code. One compiled elsewhere is mounted on
//! the [`Gateway`](crate::Gateway) ([`Gateway::mount_shared_flow`](crate::Gateway::mount_shared_flow))
//! and found by name; each proxy lists such names in its
//! [`Requirements`], which the gateway checks at start-up.

use crate::ctx::Ctx;
use crate::fault::Fault;
use crate::gateway::LocalTarget;
use crate::proxy::{BoxFuture, Connections};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Static description of a compiled shared flow bundle.
#[derive(Debug)]
pub struct SharedFlowMeta {
    /// `SharedFlowBundle/@name`.
    pub name: &'static str,
    /// Revision.
    pub revision: &'static str,
    /// Names of its user-variable slots (index = slot number).
    pub slots: &'static [&'static str],
    /// Its HTTP connections' needs from the environment.
    pub connections: Connections,
}

/// A shared flow bundle compiled by proxyc.
pub trait CompiledSharedFlow: Send + Sync + 'static {
    /// The bundle's static description.
    fn meta(&self) -> &'static SharedFlowMeta;

    /// Runs the shared flow on `ctx`, whose slots must be this bundle's
    /// (see [`crate::policies::flow_callout`]).
    fn run<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), Fault>>;
}

/// The shared flows mounted on a gateway, by name.
pub type SharedFlows = BTreeMap<&'static str, Arc<dyn CompiledSharedFlow>>;

/// A FlowCallout whose shared flow the build did not compile.
#[derive(Debug)]
pub struct SharedFlowRef {
    /// The FlowCallout policy.
    pub policy: &'static str,
    /// The shared flow it calls.
    pub shared_flow: &'static str,
}

/// A TargetEndpoint's LocalTargetConnection.
#[derive(Debug)]
pub struct LocalTargetRef {
    /// Where it is, e.g. "TargetEndpoint `chain`".
    pub from: &'static str,
    /// The proxy or base path it names.
    pub target: LocalTarget,
}

/// Names a compiled proxy needs from its environment, checked by the
/// gateway at start-up.
#[derive(Debug)]
pub struct Requirements {
    /// Shared flows called through the gateway.
    pub shared_flows: &'static [SharedFlowRef],
    /// In-process targets.
    pub local_targets: &'static [LocalTargetRef],
}

impl Requirements {
    /// Nothing needed.
    pub const NONE: Requirements = Requirements {
        shared_flows: &[],
        local_targets: &[],
    };
}
