//! AssignMessage code.

use super::super::Gen;
use super::super::vars;
use super::message_ops::OpsTarget;
use crate::ir::{AssignMessage, AssignTo, MsgKind};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

fn kind(k: MsgKind) -> TokenStream {
    match k {
        MsgKind::Request => quote!(__rt::am::NewKind::Request),
        MsgKind::Response => quote!(__rt::am::NewKind::Response),
        MsgKind::ByFlow => quote!(__rt::am::NewKind::ByFlow),
    }
}

impl Gen<'_> {
    pub(super) fn assign_message(&self, meta: &Ident, am: &AssignMessage) -> TokenStream {
        let to = match &am.assign_to {
            AssignTo::Ambient => quote!(__rt::am::AssignTo::Ambient),
            AssignTo::ReplaceAmbient(k) => {
                let k = kind(*k);
                quote!(__rt::am::AssignTo::ReplaceAmbient(#k))
            }
            AssignTo::Var {
                sel,
                create_new,
                kind: k,
            } => {
                let sel = vars::msg_sel(*sel);
                let cn = match create_new {
                    Some(b) => quote!(Some(#b)),
                    None => quote!(None),
                };
                let k = kind(*k);
                quote!(__rt::am::AssignTo::Var { sel: #sel, create_new: #cn, kind: #k })
            }
        };
        let ops = self.message_ops(
            &am.ops,
            &OpsTarget {
                message: quote!(__rt::am::target(ctx, &TO, &#meta)?),
                unresolved: quote!(__rt::am::unresolved),
                op_failed: quote!(__rt::am::op_failed),
                meta: quote!(#meta),
                ignore_unresolved: am.ignore_unresolved,
                unresolved_code: "steps.assignmessage.UnresolvedVariable",
            },
        );
        quote! {
            static TO: __rt::am::AssignTo = #to;
            __rt::am::prepare(ctx, &TO, &#meta)?;
            #ops
            Ok(())
        }
    }
}
