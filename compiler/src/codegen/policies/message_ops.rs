//! Code for the shared message operations (Set/Add/Remove/Copy/AssignVariable).

use super::super::Gen;
use super::super::vars;
use crate::ir::{self, Collection, MessageOp, PartSel, Scalar};
use proc_macro2::TokenStream;
use quote::quote;

/// How the hosting policy reaches its message and maps failures.
pub(crate) struct OpsTarget {
    /// Expression of type `&mut Message` (may use `?`).
    pub message: TokenStream,
    /// Function path mapping `(meta, Unresolved)` to a fault.
    pub unresolved: TokenStream,
    /// Function path mapping `(meta, what, why)` to a fault.
    pub op_failed: TokenStream,
    /// The policy's meta static.
    pub meta: TokenStream,
    /// `IgnoreUnresolvedVariables`.
    pub ignore_unresolved: bool,
    /// Fault code for an AssignVariable without any resolvable source.
    pub unresolved_code: &'static str,
}

fn collection(c: Collection) -> (TokenStream, &'static str) {
    match c {
        Collection::Header => (quote!(__rt::ops::Collection::Header), "header"),
        Collection::Query => (quote!(__rt::ops::Collection::Query), "query parameter"),
        Collection::Form => (quote!(__rt::ops::Collection::Form), "form parameter"),
    }
}

fn scalar(s: Scalar) -> (TokenStream, &'static str) {
    match s {
        Scalar::Verb => (quote!(__rt::ops::Scalar::Verb), "verb"),
        Scalar::Path => (quote!(__rt::ops::Scalar::Path), "path"),
        Scalar::Version => (quote!(__rt::ops::Scalar::Version), "version"),
        Scalar::StatusCode => (quote!(__rt::ops::Scalar::StatusCode), "status code"),
        Scalar::ReasonPhrase => (quote!(__rt::ops::Scalar::ReasonPhrase), "reason phrase"),
    }
}

fn part_sel(p: &PartSel) -> TokenStream {
    match p {
        PartSel::None => quote!(__rt::ops::PartSel::None),
        PartSel::All => quote!(__rt::ops::PartSel::All),
        PartSel::Named(items) => {
            let items = items.iter().map(|(n, i)| {
                let i = i.unwrap_or(0);
                quote!((#n, #i))
            });
            quote!(__rt::ops::PartSel::Named(&[#(#items),*]))
        }
    }
}

/// A literal `<StatusCode>` the runtime's `set_scalar` would accept (100 to
/// 599 once trimmed), set without parsing it per request; any other
/// literal keeps the run-time check and its fault.
fn literal_status(text: &str) -> Option<u16> {
    text.trim()
        .parse::<u16>()
        .ok()
        .filter(|c| (100..=599).contains(c))
}

impl Gen<'_> {
    /// The statements applying `ops` in order.
    pub(crate) fn message_ops(&self, ops: &[MessageOp], t: &OpsTarget) -> TokenStream {
        let OpsTarget {
            message,
            unresolved,
            op_failed,
            meta,
            ignore_unresolved,
            unresolved_code,
        } = t;
        let mut out = TokenStream::new();
        for op in ops {
            let on_unresolved = quote!(|u| #unresolved(&#meta, u));
            let render = |g: &Self, tpl| g.template_string(tpl, *ignore_unresolved, &on_unresolved);
            let stmt = match op {
                MessageOp::SetItem(Collection::Header, name, tpl)
                | MessageOp::AddItem(Collection::Header, name, tpl)
                    if let Ok(header) = http::HeaderName::from_bytes(name.as_bytes()) =>
                {
                    let f = if matches!(op, MessageOp::SetItem(..)) {
                        quote!(set_header)
                    } else {
                        quote!(add_header)
                    };
                    let lower = header.as_str();
                    let what = format!("header {name}");
                    let value = match tpl.literal_text() {
                        Some(lit) if ir::is_static_header_value(&lit) => {
                            quote!(__rt::HeaderValue::from_static(#lit))
                        }
                        _ => {
                            let text = self.template_text(tpl, *ignore_unresolved, &on_unresolved);
                            quote! {
                                __rt::ops::header_value(#name, &#text)
                                    .map_err(|e| #op_failed(&#meta, #what, e))?
                            }
                        }
                    };
                    quote! {{
                        static NAME: __rt::HeaderName = __rt::HeaderName::from_static(#lower);
                        let value = #value;
                        __rt::ops::#f(#message, &NAME, value);
                    }}
                }
                MessageOp::SetItem(c, name, tpl) | MessageOp::AddItem(c, name, tpl) => {
                    let (coll, what) = collection(*c);
                    let f = if matches!(op, MessageOp::SetItem(..)) {
                        quote!(set_item)
                    } else {
                        quote!(add_item)
                    };
                    let value = render(self, tpl);
                    let what = format!("{what} {name}");
                    quote! {{
                        let value = #value;
                        __rt::ops::#f(#message, #coll, #name, value).map_err(|e| #op_failed(&#meta, #what, e))?;
                    }}
                }
                MessageOp::SetPayload {
                    content_type,
                    payload,
                } => {
                    let value = render(self, payload);
                    match content_type {
                        // Checked by sema (`ir::is_static_header_value`).
                        Some(c) => quote! {{
                            static CONTENT_TYPE: __rt::HeaderValue = __rt::HeaderValue::from_static(#c);
                            let value = #value;
                            __rt::ops::set_payload(#message, Some(&CONTENT_TYPE), value);
                        }},
                        None => quote! {{
                            let value = #value;
                            __rt::ops::set_payload(#message, None, value);
                        }},
                    }
                }
                MessageOp::SetScalar(Scalar::StatusCode, tpl)
                    if let Some(code) = tpl.literal_text().and_then(|t| literal_status(&t)) =>
                {
                    quote! {
                        __rt::ops::set_status(#message, #code);
                    }
                }
                MessageOp::SetScalar(s, tpl) => {
                    let (s, what) = scalar(*s);
                    let value = render(self, tpl);
                    quote! {{
                        let value = #value;
                        __rt::ops::set_scalar(#message, #s, value).map_err(|e| #op_failed(&#meta, #what, e))?;
                    }}
                }
                MessageOp::Remove(spec) => {
                    let (h, q, f, p) = (
                        part_sel(&spec.headers),
                        part_sel(&spec.query),
                        part_sel(&spec.form),
                        spec.payload,
                    );
                    quote! {{
                        static SPEC: __rt::ops::RemoveSpec = __rt::ops::RemoveSpec { headers: #h, query: #q, form: #f, payload: #p };
                        __rt::ops::remove(#message, &SPEC);
                    }}
                }
                MessageOp::Copy(spec) => {
                    let source = vars::msg_sel(spec.source);
                    let (h, q, f) = (
                        part_sel(&spec.headers),
                        part_sel(&spec.query),
                        part_sel(&spec.form),
                    );
                    let (payload, path, verb, version, status, reason) = (
                        spec.payload,
                        spec.path,
                        spec.verb,
                        spec.version,
                        spec.status,
                        spec.reason,
                    );
                    quote! {{
                        static SPEC: __rt::ops::CopySpec = __rt::ops::CopySpec {
                            source: #source, headers: #h, query: #q, form: #f, payload: #payload,
                            path: #path, verb: #verb, version: #version, status: #status, reason: #reason,
                        };
                        if let Some(source) = __rt::ops::copy_source(ctx, &SPEC) {
                            __rt::ops::copy_into(source, #message, &SPEC);
                        }
                    }}
                }
                MessageOp::AssignVariable(av) => {
                    let name = &av.name;
                    let target = vars::var(&av.target);
                    let mut value = quote!(None::<__rt::Value<'static>>);
                    if let Some(v) = &av.value {
                        value = quote!(Some(__rt::Value::Str(::std::borrow::Cow::Borrowed(#v))));
                    }
                    if let Some((_, r)) = &av.reference {
                        let read = vars::read(r);
                        value =
                            quote!(Some(#read.into_owned()).filter(|v| !v.is_null()).or(#value));
                    }
                    if let Some(tpl) = &av.template {
                        let expr = render(self, tpl);
                        value = quote!(Some(__rt::Value::Str(::std::borrow::Cow::Owned(#expr))));
                    }
                    if let Some(r) = &av.template_ref {
                        // The referenced variable's value is used as the
                        // (already rendered) text; run-time template
                        // rendering is not supported yet.
                        let read = vars::read(r);
                        value =
                            quote!(Some(#read.into_owned()).filter(|v| !v.is_null()).or(#value));
                    }
                    quote! {{
                        let value = #value;
                        __rt::am::assign_variable(ctx, &#meta, #name, &#target, value, #ignore_unresolved, #unresolved_code)?;
                    }}
                }
            };
            out.extend(stmt);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::literal_status;

    #[test]
    fn only_codes_the_runtime_accepts_are_set_without_a_check() {
        assert_eq!(literal_status("200"), Some(200));
        assert_eq!(literal_status(" 404\n"), Some(404));
        assert_eq!(literal_status("100"), Some(100));
        assert_eq!(literal_status("599"), Some(599));
        for bad in ["99", "600", "2OO", "", "200 OK", "-200"] {
            assert_eq!(literal_status(bad), None, "{bad}");
        }
    }
}
