//! Which per-request values that cost something to record a proxy's flows
//! can read: the request's timestamps (`client.received.start.timestamp`,
//! `target.sent.start.timestamp`, `target.received.end.timestamp`), each a
//! clock read, and `proxy.url`, for which the received URI and `Host`
//! header are kept. The runtime records only those read.
//!
//! As for the request headers ([`super::request_headers`]), the decision is
//! made on the generated code itself, so no reader can be missed by a list
//! kept elsewhere: a value is read when its `Var` variant occurs anywhere
//! in it. A FlowCallout reads them all, whatever it calls: a shared flow
//! mounted from another build is not visible here.

use crate::ir;
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// The `READS` item for a proxy whose generated code is `code` (`META`
/// names it).
pub(super) fn item(proxy: &ir::Proxy, code: &[&TokenStream]) -> TokenStream {
    let flow_callout = proxy
        .policies
        .iter()
        .any(|p| matches!(p.body, ir::PolicyBody::FlowCallout(_)));
    let read = |variants: &[&str]| {
        flow_callout
            || code
                .iter()
                .any(|c| variants.iter().any(|v| mentions((*c).clone(), v)))
    };
    let client = read(&["ClientReceivedStartTimestamp"]);
    let target = read(&["TargetSentStartTimestamp", "TargetReceivedEndTimestamp"]);
    let url = read(&["ProxyUrl"]);
    let recorded: Vec<&str> = [
        (client, "`client.received.start.timestamp`"),
        (target, "the target's timestamps"),
        (url, "`proxy.url`"),
    ]
    .into_iter()
    .filter_map(|(read, what)| read.then_some(what))
    .collect();
    let doc = if flow_callout {
        " A FlowCallout can read every per-request value: each is recorded.".to_owned()
    } else if recorded.is_empty() {
        " No flow reads a request timestamp or `proxy.url`: none is recorded.".to_owned()
    } else {
        format!(" Read, so recorded: {}.", recorded.join(", "))
    };
    quote! {
        #[doc = #doc]
        const READS: __rt::Reads = __rt::Reads {
            client_received_start: #client,
            target_timestamps: #target,
            proxy_url: #url,
        };
    }
}

/// Whether the identifier `name` occurs anywhere in `code`.
fn mentions(code: TokenStream, name: &str) -> bool {
    code.into_iter().any(|token| match token {
        TokenTree::Ident(id) => id == name,
        TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;
    use quote::quote;

    #[test]
    fn finds_a_variant_at_any_depth() {
        let code = quote!(
            fn f(ctx: &Ctx) {
                if x {
                    read(ctx, &__rt::Var::TargetSentStartTimestamp)
                }
            }
        );
        assert!(mentions(code.clone(), "TargetSentStartTimestamp"));
        assert!(!mentions(code, "TargetReceivedEndTimestamp"));
    }

    #[test]
    fn text_in_a_literal_is_not_a_reader() {
        let code = quote!(
            const NAME: &str = "TargetSentStartTimestamp";
        );
        assert!(!mentions(code, "TargetSentStartTimestamp"));
    }
}
