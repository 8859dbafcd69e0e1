//! FlowCallout code: parameters written as flow variables, then the shared
//! flow — a direct call of its generated function when it is compiled in
//! the same build (it is a sibling module, hence `super::`), or a call
//! through the shared flows mounted on the gateway.

use super::super::{Gen, vars};
use crate::ir::{FlowCallout, FlowParamValue, SharedFlowCall};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

impl Gen<'_> {
    pub(super) fn flow_callout(&self, meta: &Ident, fc: &FlowCallout) -> TokenStream {
        let params = fc.params.iter().map(|p| {
            let target = vars::var(&p.target);
            match &p.value {
                FlowParamValue::Literal(text) => {
                    quote!(__rt::fc::set_literal(ctx, &#meta, &#target, #text)?;)
                }
                FlowParamValue::Ref(source) => {
                    let source = vars::var(source);
                    quote!(__rt::fc::set_ref(ctx, &#meta, &#target, &#source)?;)
                }
            }
        });
        let name = &fc.shared_flow;
        let call = match &fc.call {
            SharedFlowCall::Compiled { module, slot_map } => {
                let module = format_ident!("{module}");
                let doc = format!(
                    " Our slot for each slot of shared flow `{name}` (they share the message context)."
                );
                quote! {
                    #[doc = #doc]
                    static SLOT_MAP: &[usize] = &[#(#slot_map),*];
                    let caller = __rt::fc::enter(ctx, SLOT_MAP, super::#module::META.slots);
                    let result = super::#module::shared_flow(ctx).await;
                    __rt::fc::leave(ctx, caller, SLOT_MAP);
                    result
                }
            }
            SharedFlowCall::Mounted => quote!(__rt::fc::call_mounted(ctx, #name).await),
        };
        quote! {
            #(#params)*
            #call
        }
    }
}
