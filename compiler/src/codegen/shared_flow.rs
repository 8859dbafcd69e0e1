//! A shared flow bundle's module: its flow as one `pub async fn
//! shared_flow`, its policies and conditions, and a `SharedFlow` type to
//! mount on a gateway for proxies compiled in other builds.
//!
//! The flow is a function, not inlined into each FlowCallout: a shared flow
//! is typically called from several proxies and several places, its Steps
//! keep their own `#[doc]` source locations, and the call is a plain
//! `.await` of a known function (no dynamic dispatch), so inlining would
//! only duplicate code.

use super::Gen;
use crate::ir;
use proc_macro2::TokenStream;
use quote::quote;

impl Gen<'_> {
    /// The items of a shared flow bundle's module.
    pub(super) fn shared_flow_items(&mut self, flow: &ir::SharedFlow) -> TokenStream {
        let proxy = self.proxy;
        let name = &proxy.name;
        let revision = &proxy.revision;
        let slot_names = proxy.slots.iter();
        let policies = self.policies();
        let steps = self.steps(&flow.steps);
        let request = proxy.needs_request_content;
        let response = proxy.needs_response_content;
        let buffer = (request || response)
            .then(|| quote!(__rt::fc::buffer_content(ctx, #request, #response).await?;));
        let doc = format!(" Shared flow `{}`, {}.", flow.name, flow.source);
        let transport = super::transport::statics(proxy);
        let (transport_statics, connections) = (&transport.items, transport.connections());
        quote! {
            /// The compiled shared flow bundle; mount it on a
            /// `proxyc_runtime::Gateway` for proxies compiled in other builds.
            #[derive(Debug, Clone, Copy, Default)]
            pub struct SharedFlow;

            /// Static description of the shared flow bundle.
            pub static META: __rt::SharedFlowMeta = __rt::SharedFlowMeta {
                name: #name,
                revision: #revision,
                slots: &[#(#slot_names),*],
                connections: #connections,
            };

            #transport_statics

            impl __rt::CompiledSharedFlow for SharedFlow {
                fn meta(&self) -> &'static __rt::SharedFlowMeta {
                    &META
                }

                fn run<'a>(&'a self, ctx: &'a mut __rt::Ctx) -> __rt::BoxFuture<'a, Result<(), __rt::Fault>> {
                    Box::pin(shared_flow(ctx))
                }
            }

            #[doc = #doc]
            /// `ctx.slots` are this bundle's slots (the caller maps its own
            /// onto them); a fault propagates to the caller's FlowCallout.
            pub async fn shared_flow(ctx: &mut __rt::Ctx) -> Result<(), __rt::Fault> {
                #buffer
                #steps
                Ok(())
            }

            #policies
        }
    }
}
