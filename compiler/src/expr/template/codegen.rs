//! Template → Rust expression of type
//! `Result<String, #rt::__private::Unresolved>`.
//!
//! Shape: one `String::with_capacity(literal bytes + 16 per reference)`
//! (a template that is one variable reference copies that variable's text),
//! `push_str` of precomputed literal pieces, variable reads through the
//! caller's callback rendered with `Value::to_text()`, defaults inlined,
//! function calls to `#rt::__private::tfn::*`. Literal regexes, JSONPaths
//! and xeger patterns become block-local `static LazyLock`s compiled once.
//! An unresolved variable without default renders "" when
//! `ignore_unresolved`, otherwise the expression breaks out of a labelled
//! block with `Err(Unresolved("name"))`. Function arguments never fail: an
//! unresolved variable argument is passed as `None`.

use std::ops::Range;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::{Arg, Func, Piece, Template};

/// Bytes reserved per variable or call when sizing the output string.
const REFERENCE_ESTIMATE: usize = 16;

/// Generates the expression building `t` at run time. `var(name, span)`
/// must return an expression of type `#rt::__private::Value<'_>`.
pub fn codegen(
    t: &Template,
    rt: &TokenStream,
    ignore_unresolved: bool,
    var: &mut dyn FnMut(&str, Range<usize>) -> TokenStream,
) -> TokenStream {
    let result =
        quote!(::core::result::Result::<::std::string::String, #rt::__private::Unresolved>);
    if t.is_literal() {
        let text = literal_text(t);
        return quote!(#result::Ok(::std::string::String::from(#text)));
    }
    if let [Piece::Var { .. }] = t.pieces() {
        // One variable: its text copied once, at its length (not pushed
        // into a buffer guessed at 16 bytes and grown).
        return match codegen_text(t, rt, ignore_unresolved, var) {
            (text, true) => quote!(#text.map(::std::borrow::Cow::into_owned)),
            (text, false) => quote!(#result::Ok(#text.into_owned())),
        };
    }
    let label = syn::Lifetime::new("'__proxyc_template", Span::call_site());
    let mut breaks = false;
    let mut stmts = Vec::new();
    for piece in t.pieces() {
        stmts.push(match piece {
            Piece::Lit(text) => {
                let push = push_literal(text);
                quote!(#push;)
            }
            Piece::Var {
                name,
                default,
                span,
            } => {
                let read = var(name, span.clone());
                match default.as_deref() {
                    Some(d) if !d.is_empty() => {
                        let push = push_literal(d);
                        quote! {
                            if !#rt::__private::push_value(&mut __pxs, &#read) {
                                #push;
                            }
                        }
                    }
                    // An empty default, or ignoring unresolved variables: "" when unresolved.
                    Some(_) => push_if_resolved(&read, rt),
                    None if ignore_unresolved => push_if_resolved(&read, rt),
                    None => {
                        breaks = true;
                        quote! {
                            if !#rt::__private::push_value(&mut __pxs, &#read) {
                                break #label #result::Err(#rt::__private::Unresolved(#name));
                            }
                        }
                    }
                }
            }
            Piece::Call { func, args, .. } => call(*func, args, rt, var),
        });
    }
    let references = t
        .pieces()
        .iter()
        .filter(|p| !matches!(p, Piece::Lit(_)))
        .count();
    let capacity = t.literal_len() + REFERENCE_ESTIMATE * references;
    let body = quote! {{
        let mut __pxs = ::std::string::String::with_capacity(#capacity);
        #(#stmts)*
        #result::Ok(__pxs)
    }};
    if breaks {
        quote!({ #label: #body })
    } else {
        body
    }
}

/// Like [`codegen`], for callers that only read the text: an expression
/// of type `Cow<'_, str>`, or of type `Result<Cow<'_, str>, Unresolved>`
/// when the flag returned is `true` (it can fail). A literal is borrowed
/// from the binary and a template that is one variable reference borrows
/// that variable's text, so neither allocates.
pub fn codegen_text(
    t: &Template,
    rt: &TokenStream,
    ignore_unresolved: bool,
    var: &mut dyn FnMut(&str, Range<usize>) -> TokenStream,
) -> (TokenStream, bool) {
    if let [
        Piece::Var {
            name,
            default,
            span,
        },
    ] = t.pieces()
    {
        let read = var(name, span.clone());
        return match default.as_deref() {
            Some(d) => (quote!(#rt::__private::var_text_or(#read, #d)), false),
            None if ignore_unresolved => (quote!(#rt::__private::var_text_or(#read, "")), false),
            None => (quote!(#rt::__private::var_text(#read, #name)), true),
        };
    }
    if t.is_literal() {
        let text = literal_text(t);
        return (quote!(::std::borrow::Cow::Borrowed(#text)), false);
    }
    let owned = codegen(t, rt, ignore_unresolved, var);
    (quote!(#owned.map(::std::borrow::Cow::Owned)), true)
}

/// The text of a template without references.
fn literal_text(t: &Template) -> String {
    t.pieces()
        .iter()
        .filter_map(|p| match p {
            Piece::Lit(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// Pushes the variable's text when it resolves.
fn push_if_resolved(read: &TokenStream, rt: &TokenStream) -> TokenStream {
    quote!(#rt::__private::push_value(&mut __pxs, &#read);)
}

/// `__pxs.push('c')` for one character, `__pxs.push_str("text")` otherwise.
fn push_literal(text: &str) -> TokenStream {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => quote!(__pxs.push(#c)),
        _ => quote!(__pxs.push_str(#text)),
    }
}

/// A block pushing the result of one function call.
fn call(
    func: Func,
    args: &[Arg],
    rt: &TokenStream,
    var: &mut dyn FnMut(&str, Range<usize>) -> TokenStream,
) -> TokenStream {
    let tfn = quote!(#rt::__private::tfn);
    let mut bindings = Vec::new();
    let mut values = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        values.push(match arg {
            Arg::Lit { value, .. } => quote!(::core::option::Option::Some(#value)),
            Arg::Var {
                name,
                default,
                span,
            } => {
                let binding = format_ident!("__pxa{}", i);
                let read = var(name, span.clone());
                bindings.push(quote!(let #binding = #read;));
                match default {
                    Some(d) => {
                        quote!(#binding.to_text().as_deref().or(::core::option::Option::Some(#d)))
                    }
                    None => quote!(#binding.to_text().as_deref()),
                }
            }
        });
    }
    let literal_at = |i: usize| args.get(i).and_then(Arg::literal);
    let compiled = |ty: &str, static_name: &str, text: &str| -> (Ident, TokenStream) {
        let ty = Ident::new(ty, Span::call_site());
        let name = Ident::new(static_name, Span::call_site());
        let item = quote! {
            static #name: ::std::sync::LazyLock<#tfn::#ty> = ::std::sync::LazyLock::new(|| #tfn::#ty::new(#text));
        };
        (name, item)
    };
    let none = quote!(::core::option::Option::None);
    let value = |i: usize| values.get(i).cloned().unwrap_or_else(|| none.clone());
    let (item, invocation) = match (func, literal_at(1), literal_at(0)) {
        (Func::ReplaceAll | Func::ReplaceFirst, Some(pattern), _) => {
            let (name, item) = compiled("CompiledRegex", "__PX_REGEX", pattern);
            let f = format_ident!("{}_compiled", func.runtime_name());
            let (input, replacement) = (value(0), value(2));
            (item, quote!(#tfn::#f(&#name, #input, #replacement)))
        }
        (Func::JsonPath, _, Some(path)) => {
            let (name, item) = compiled("CompiledJsonPath", "__PX_JSON_PATH", path);
            let (json, want_array) = (value(1), value(2));
            (
                item,
                quote!(#tfn::json_path_compiled(&#name, #json, #want_array)),
            )
        }
        (Func::Xeger, _, Some(pattern)) => {
            let (name, item) = compiled("XegerPattern", "__PX_XEGER", pattern);
            (item, quote!(#tfn::xeger_compiled(&#name)))
        }
        (Func::FirstNonNull, _, _) => (quote!(), quote!(#tfn::firstnonnull(&[#(#values),*]))),
        (Func::Xpath, _, _) => {
            let (expr, xml) = (value(0), value(1));
            let extra = values.iter().skip(2);
            (quote!(), quote!(#tfn::xpath(#expr, #xml, &[#(#extra),*])))
        }
        _ => {
            let f = Ident::new(func.runtime_name(), Span::call_site());
            let params = (0..func.arity().1).map(value);
            (quote!(), quote!(#tfn::#f(#(#params),*)))
        }
    };
    quote! {{
        #item
        #(#bindings)*
        __pxs.push_str(&#invocation);
    }}
}
