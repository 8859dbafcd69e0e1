//! Conditions and templates: glue between the expression compilers and the
//! resolved variables.

use super::Gen;
use super::vars;
use crate::expr::{condition, template};
use crate::ir;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use std::ops::Range;

impl Gen<'_> {
    /// A `String` expression rendering `t`: a literal for literal templates;
    /// otherwise the compiled template, with unresolved references mapped by
    /// `on_unresolved` (a function from `Unresolved` to a fault, applied with
    /// `?`) or rendered empty when ignored.
    pub(crate) fn template_string(
        &self,
        t: &ir::Template,
        ignore_unresolved: bool,
        on_unresolved: &TokenStream,
    ) -> TokenStream {
        if let Some(lit) = t.literal_text() {
            return quote!(::std::string::String::from(#lit));
        }
        let expr = self.template(t, ignore_unresolved);
        if ignore_unresolved {
            quote!(#expr.unwrap_or_default())
        } else {
            quote!(#expr.map_err(#on_unresolved)?)
        }
    }

    /// Like [`Self::template_string`], as a `Cow<'static, str>`: a literal is
    /// borrowed from the binary instead of copied on every request.
    pub(crate) fn template_cow(
        &self,
        t: &ir::Template,
        ignore_unresolved: bool,
        on_unresolved: &TokenStream,
    ) -> TokenStream {
        if let Some(lit) = t.literal_text() {
            return quote!(::std::borrow::Cow::Borrowed(#lit));
        }
        let owned = self.template_string(t, ignore_unresolved, on_unresolved);
        quote!(::std::borrow::Cow::Owned(#owned))
    }

    /// Like [`Self::template_string`], as a `Cow<'_, str>` borrowing from
    /// the binary (a literal) or from the context (a single variable
    /// reference); the context stays borrowed while the value lives.
    pub(crate) fn template_text(
        &self,
        t: &ir::Template,
        ignore_unresolved: bool,
        on_unresolved: &TokenStream,
    ) -> TokenStream {
        match template::codegen_text(
            &t.tpl,
            &self.runtime,
            ignore_unresolved,
            &mut reader(&t.vars),
        ) {
            (expr, false) => expr,
            (expr, true) if ignore_unresolved => quote!(#expr.unwrap_or_default()),
            (expr, true) => quote!(#expr.map_err(#on_unresolved)?),
        }
    }

    /// A call to the function evaluating `c` (emitted once per condition),
    /// recorded in the trace: `ctx.trace_cond("text", condition_N(ctx))`.
    pub(crate) fn condition(&mut self, c: &ir::Condition) -> TokenStream {
        let text = &c.text;
        if let Some(name) = self.condition_names.get(text) {
            return quote!(ctx.trace_cond(#text, #name(ctx)));
        }
        let n = self.conditions.len();
        let name = format_ident!("condition_{n}");
        self.condition_names.insert(text.clone(), name.clone());
        let rt = self.runtime.clone();
        let body = condition::codegen(&c.expr, &rt, &mut reader(&c.vars));
        let doc = format!(" `{}`", c.text);
        self.conditions.push(quote! {
            #[doc = #doc]
            fn #name(ctx: &__rt::Ctx) -> bool {
                #body
            }
        });
        quote!(ctx.trace_cond(#text, #name(ctx)))
    }

    /// An expression of type `Result<String, Unresolved>` rendering `t`.
    pub(crate) fn template(&self, t: &ir::Template, ignore_unresolved: bool) -> TokenStream {
        template::codegen(
            &t.tpl,
            &self.runtime,
            ignore_unresolved,
            &mut reader(&t.vars),
        )
    }
}

/// Reads an expression's variables through their resolutions (`null` for
/// a name the expression does not resolve).
fn reader(
    resolved: &BTreeMap<String, ir::Var>,
) -> impl FnMut(&str, Range<usize>) -> TokenStream + '_ {
    |var_name, _| {
        resolved
            .get(var_name)
            .map_or_else(|| quote!(__rt::Value::Null), vars::read)
    }
}
