//! Tokens for resolved flow variables.

use crate::ir::{MsgProp, MsgSel, Var};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

fn id(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

fn sel(s: MsgSel) -> TokenStream {
    match s {
        MsgSel::Request => quote!(__rt::MsgSel::Request),
        MsgSel::Response => quote!(__rt::MsgSel::Response),
        MsgSel::Message => quote!(__rt::MsgSel::Message),
        MsgSel::Error => quote!(__rt::MsgSel::Error),
        MsgSel::Slot(i) => quote!(__rt::MsgSel::Slot(#i)),
    }
}

/// The constant `__rt::Var` for a variable.
pub fn var(v: &Var) -> TokenStream {
    match v {
        Var::Msg(s, prop) => {
            let s = sel(*s);
            let p = match prop {
                MsgProp::Plain(p) => {
                    let p = id(p);
                    quote!(__rt::MsgProp::#p)
                }
                MsgProp::Named(p, name) => {
                    let p = id(p);
                    quote!(__rt::MsgProp::#p(#name))
                }
                MsgProp::Indexed(p, name, i) => {
                    let p = id(p);
                    quote!(__rt::MsgProp::#p(#name, #i))
                }
            };
            quote!(__rt::Var::Msg(#s, #p))
        }
        Var::MsgObject(s) => {
            let s = sel(*s);
            quote!(__rt::Var::MsgObject(#s))
        }
        Var::Builtin(b) => {
            let b = id(b);
            quote!(__rt::Var::#b)
        }
        Var::TimePart(p) => {
            let p = id(p);
            quote!(__rt::Var::SystemTimePart(__rt::TimePart::#p))
        }
        Var::Slot(i) => quote!(__rt::Var::Slot(#i)),
    }
}

/// An expression reading a variable (`__rt::Value<'_>`), with the variable
/// name as a trailing comment-like doc in the slot constant.
pub fn read(v: &Var) -> TokenStream {
    let v = var(v);
    quote!(__rt::read(ctx, &#v))
}

/// A message selector.
pub fn msg_sel(s: MsgSel) -> TokenStream {
    sel(s)
}
