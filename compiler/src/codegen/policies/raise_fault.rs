//! RaiseFault code.

use super::super::Gen;
use super::message_ops::OpsTarget;
use crate::ir::RaiseFault;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

impl Gen<'_> {
    pub(super) fn raise_fault(&self, meta: &Ident, rf: &RaiseFault) -> TokenStream {
        let short = rf.short_reason;
        if !rf.has_fault_response {
            return quote!(Err(__rt::rf::raise(&#meta, None, #short)));
        }
        let ops = self.message_ops(
            &rf.ops,
            &OpsTarget {
                message: quote!(&mut response),
                unresolved: quote!(__rt::rf::unresolved),
                op_failed: quote!(__rt::rf::op_failed),
                meta: quote!(#meta),
                ignore_unresolved: rf.ignore_unresolved,
                unresolved_code: "entities.UnresolvedVariable",
            },
        );
        quote! {
            let mut response = __rt::rf::new_response();
            #ops
            Err(__rt::rf::raise(&#meta, Some(response), #short))
        }
    }
}
