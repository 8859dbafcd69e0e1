//! Policies: a `static PolicyMeta` and a function per policy.

mod assign_message;
mod extract_variables;
mod flow_callout;
mod integration;
mod message_ops;
mod raise_fault;
mod service_callout;

use super::{Gen, naming};
use crate::ir::PolicyBody;
use proc_macro2::TokenStream;
use quote::quote;

impl Gen<'_> {
    /// Every policy's metadata and function.
    pub(crate) fn policies(&mut self) -> TokenStream {
        let mut out = TokenStream::new();
        for policy in &self.proxy.policies {
            let meta = naming::constant("P_", &policy.name);
            let func = naming::ident("policy_", &policy.name);
            let name = &policy.name;
            let kind = policy.kind;
            let coe = policy.continue_on_error;
            let slot = policy.failed_slot;
            let mut doc = format!(" {kind} `{name}`, {}.", policy.source);
            if let Some(d) = &policy.display_name {
                doc.push_str(&format!(" Display name: {d}."));
            }
            let body = match &policy.body {
                PolicyBody::AssignMessage(am) => self.assign_message(&meta, am),
                PolicyBody::RaiseFault(rf) => self.raise_fault(&meta, rf),
                PolicyBody::SetIntegrationRequest(sir) => self.set_integration_request(&meta, sir),
                PolicyBody::IntegrationCallout(ic) => self.integration_callout(&meta, ic),
                PolicyBody::ExtractVariables(ev) => self.extract_variables(&meta, ev),
                PolicyBody::ServiceCallout(sc) => self.service_callout(&meta, name, sc),
                PolicyBody::FlowCallout(fc) => self.flow_callout(&meta, fc),
            };
            let sig = if policy.is_async() {
                quote!(async fn #func(ctx: &mut __rt::Ctx) -> Result<(), __rt::Fault>)
            } else {
                quote!(fn #func(ctx: &mut __rt::Ctx) -> Result<(), __rt::Fault>)
            };
            out.extend(quote! {
                static #meta: __rt::PolicyMeta = __rt::PolicyMeta {
                    name: #name,
                    kind: #kind,
                    continue_on_error: #coe,
                    failed_slot: #slot,
                };

                #[doc = #doc]
                #sig {
                    #body
                }
            });
        }
        out
    }
}
