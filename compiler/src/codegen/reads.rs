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

/// The `Var` variants whose readers decide the fields of `__rt::Reads`,
/// in the order [`item`] takes them apart.
const VARIANTS: [&str; 4] = [
    "ClientReceivedStartTimestamp",
    "TargetSentStartTimestamp",
    "TargetReceivedEndTimestamp",
    "ProxyUrl",
];

/// The `READS` item for a proxy whose generated code is `code` (`META`
/// names it).
pub(super) fn item(proxy: &ir::Proxy, code: &[&TokenStream]) -> TokenStream {
    let flow_callout = proxy.has_flow_callout();
    let mut found = [flow_callout; VARIANTS.len()];
    if !flow_callout {
        for c in code {
            mark_mentions((*c).clone(), &mut found);
        }
    }
    let [client, target_sent, target_received, url] = found;
    let target = target_sent || target_received;
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

/// Sets `found[i]` for each identifier `VARIANTS[i]` that occurs anywhere
/// in `code`: one walk over the generated code for all of them.
fn mark_mentions(code: TokenStream, found: &mut [bool; VARIANTS.len()]) {
    for token in code {
        match token {
            TokenTree::Ident(id) => {
                if let Some(i) = VARIANTS.iter().position(|v| id == v) {
                    found[i] = true;
                }
            }
            TokenTree::Group(g) => mark_mentions(g.stream(), found),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{VARIANTS, mark_mentions};
    use quote::quote;

    fn mentions(code: proc_macro2::TokenStream) -> [bool; VARIANTS.len()] {
        let mut found = [false; VARIANTS.len()];
        mark_mentions(code, &mut found);
        found
    }

    #[test]
    fn finds_a_variant_at_any_depth() {
        let code = quote!(
            fn f(ctx: &Ctx) {
                if x {
                    read(ctx, &__rt::Var::TargetSentStartTimestamp)
                }
            }
        );
        assert_eq!(mentions(code), [false, true, false, false]);
    }

    #[test]
    fn text_in_a_literal_is_not_a_reader() {
        let code = quote!(
            const NAME: &str = "TargetSentStartTimestamp";
        );
        assert_eq!(mentions(code), [false; VARIANTS.len()]);
    }
}
