//! Whether anything in a proxy may read the request's headers after its
//! target call. When nothing can, the target call moves the headers into
//! the outbound request instead of copying them (the copy is what keeps
//! `request.header.*` readable in the response flows, the fault rules and
//! the PostClientFlow).
//!
//! The decision is made on the generated code itself, so no reader can be
//! missed by a list kept elsewhere: every occurrence of the `request` or
//! `message` selector counts as a reader, except inside a
//! `Var::Msg(selector, property)` whose property is not about headers
//! (`request.verb`, `request.path`, …). Anything this reader does not
//! recognise counts as a reader too. A FlowCallout counts as one whatever it
//! calls: a shared flow mounted from another build is not visible here.

use crate::ir;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

/// Message properties that read headers (`__rt::MsgProp::*`).
const HEADER_PROPS: [&str; 6] = [
    "Header",
    "HeaderN",
    "HeaderValuesString",
    "HeaderValuesCount",
    "HeadersCount",
    "HeadersNames",
];

/// The `REQUEST_HEADERS_AFTER_TARGET` item for a proxy whose generated
/// code is `code`.
pub(super) fn after_target(proxy: &ir::Proxy, code: &[&TokenStream]) -> TokenStream {
    if proxy.has_flow_callout() || code.iter().any(|c| reads_request_headers((*c).clone())) {
        quote! {
            /// Something after the target call may read the request's
            /// headers: the target gets a copy.
            const REQUEST_HEADERS_AFTER_TARGET: __rt::RequestHeaders = __rt::RequestHeaders::Keep;
        }
    } else {
        quote! {
            /// Nothing after the target call reads the request's headers:
            /// they are moved into the outbound request.
            const REQUEST_HEADERS_AFTER_TARGET: __rt::RequestHeaders = __rt::RequestHeaders::Move;
        }
    }
}

/// Whether `code` may read the request's (or `message`'s) headers.
fn reads_request_headers(code: TokenStream) -> bool {
    let tokens: Vec<TokenTree> = code.into_iter().collect();
    tokens.iter().enumerate().any(|(i, token)| match token {
        TokenTree::Group(g)
            if g.delimiter() == Delimiter::Parenthesis
                && ends_with_path(&tokens[..i], &["Var", "Msg"]) =>
        {
            var_msg_reads_headers(g.stream())
        }
        TokenTree::Group(g) => reads_request_headers(g.stream()),
        TokenTree::Ident(id) if id == "MsgSel" => request_or_message(&tokens[i + 1..]),
        _ => false,
    })
}

/// The arguments of a `Var::Msg(…)`: a reader unless its selector is
/// another message or its property is not about headers.
fn var_msg_reads_headers(args: TokenStream) -> bool {
    let tokens: Vec<TokenTree> = args.into_iter().collect();
    let Some(sel) = ident_after(&tokens, "MsgSel") else {
        return true;
    };
    if sel != "Request" && sel != "Message" {
        return false;
    }
    ident_after(&tokens, "MsgProp").is_none_or(|prop| HEADER_PROPS.contains(&prop.as_str()))
}

/// Whether `rest` (what follows a `MsgSel` identifier) is `::Request` or
/// `::Message`.
fn request_or_message(rest: &[TokenTree]) -> bool {
    match rest {
        [
            TokenTree::Punct(a),
            TokenTree::Punct(b),
            TokenTree::Ident(sel),
            ..,
        ] => a.as_char() == ':' && b.as_char() == ':' && (sel == "Request" || sel == "Message"),
        _ => false,
    }
}

/// The identifier after the first `name ::` in `tokens`.
fn ident_after(tokens: &[TokenTree], name: &str) -> Option<String> {
    tokens.windows(4).find_map(|w| match w {
        [
            TokenTree::Ident(n),
            TokenTree::Punct(a),
            TokenTree::Punct(b),
            TokenTree::Ident(id),
        ] if n == name && a.as_char() == ':' && b.as_char() == ':' => Some(id.to_string()),
        _ => None,
    })
}

/// Whether `tokens` end with the path `a :: b` (`path` = `[a, b]`).
fn ends_with_path(tokens: &[TokenTree], path: &[&str; 2]) -> bool {
    match tokens {
        [
            ..,
            TokenTree::Ident(a),
            TokenTree::Punct(p1),
            TokenTree::Punct(p2),
            TokenTree::Ident(b),
        ] => a == path[0] && p1.as_char() == ':' && p2.as_char() == ':' && b == path[1],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::reads_request_headers;
    use quote::quote;

    #[test]
    fn header_reads_of_request_or_message_count() {
        for code in [
            quote!(__rt::read(
                ctx,
                &__rt::Var::Msg(__rt::MsgSel::Request, __rt::MsgProp::Header("x"))
            )),
            quote!(__rt::Var::Msg(
                __rt::MsgSel::Message,
                __rt::MsgProp::HeadersNames
            )),
            quote!(__rt::Var::Msg(
                __rt::MsgSel::Request,
                __rt::MsgProp::HeaderN("x", 2usize)
            )),
            // Whole-message uses: Copy source, ExtractVariables source, AssignTo, …
            quote!(
                static SPEC: CopySpec = CopySpec {
                    source: __rt::MsgSel::Request,
                    headers: All,
                };
            ),
            quote!(__rt::Var::MsgObject(__rt::MsgSel::Request)),
            quote!(f(__rt::MsgSel::Message)),
            // Not recognised: counts.
            quote!(__rt::Var::Msg(__rt::MsgSel::Request)),
        ] {
            assert!(reads_request_headers(code.clone()), "{code}");
        }
    }

    #[test]
    fn other_properties_and_messages_do_not_count() {
        for code in [
            quote!(__rt::read(
                ctx,
                &__rt::Var::Msg(__rt::MsgSel::Request, __rt::MsgProp::Verb)
            )),
            quote!(__rt::Var::Msg(
                __rt::MsgSel::Request,
                __rt::MsgProp::QueryParam("h")
            )),
            quote!(__rt::Var::Msg(
                __rt::MsgSel::Response,
                __rt::MsgProp::Header("x")
            )),
            quote!(__rt::Var::Msg(
                __rt::MsgSel::Slot(3usize),
                __rt::MsgProp::HeadersCount
            )),
            quote!(
                static TO: AssignTo = AssignTo::Ambient;
            ),
        ] {
            assert!(!reads_request_headers(code.clone()), "{code}");
        }
    }
}
