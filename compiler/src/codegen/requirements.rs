//! What a proxy needs from its environment that the build could not link:
//! shared flows its FlowCallouts call through the gateway, and the proxies
//! or base paths its TargetEndpoints' LocalTargetConnections name. The
//! gateway checks them at start-up, before serving. (A ServiceCallout's
//! LocalTargetConnection stays a run-time `ExecutionFailed`, as it was
//! before: a missing callout target fails the callout, not the deployment.)

use super::Gen;
use super::local_target::local_target;
use crate::ir::{PolicyBody, SharedFlowCall, TargetConnection};
use proc_macro2::TokenStream;
use quote::quote;

impl Gen<'_> {
    /// The `CompiledProxy::requirements` override, or nothing when the
    /// proxy needs nothing from its environment.
    pub(super) fn requirements(&self) -> TokenStream {
        let mut shared_flows = Vec::new();
        let mut local_targets = Vec::new();
        for p in &self.proxy.policies {
            if let PolicyBody::FlowCallout(fc) = &p.body
                && matches!(fc.call, SharedFlowCall::Mounted)
            {
                let policy = &p.name;
                let sf = &fc.shared_flow;
                shared_flows
                    .push(quote!(__rt::SharedFlowRef { policy: #policy, shared_flow: #sf }));
            }
        }
        for te in &self.proxy.targets {
            if let TargetConnection::Local(t) = &te.connection {
                let from = format!("TargetEndpoint `{}`", te.name);
                let t = local_target(t);
                local_targets.push(quote!(__rt::LocalTargetRef { from: #from, target: #t }));
            }
        }
        if shared_flows.is_empty() && local_targets.is_empty() {
            return TokenStream::new();
        }
        quote! {
            fn requirements(&self) -> &'static __rt::Requirements {
                static REQUIREMENTS: __rt::Requirements = __rt::Requirements {
                    shared_flows: &[#(#shared_flows),*],
                    local_targets: &[#(#local_targets),*],
                };
                &REQUIREMENTS
            }
        }
    }
}
