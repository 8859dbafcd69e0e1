//! Which of the request's timestamps a proxy's flows can read
//! (`client.received.start.timestamp`, `target.sent.start.timestamp`,
//! `target.received.end.timestamp`). The runtime takes only those: each is
//! a clock read at every request.
//!
//! As for the request headers ([`super::request_headers`]), the decision is
//! made on the generated code itself, so no reader can be missed by a list
//! kept elsewhere: a timestamp is read when its `Var` variant occurs
//! anywhere in it. A FlowCallout reads them all, whatever it calls: a shared
//! flow mounted from another build is not visible here.

use crate::ir;
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// The `TIMESTAMPS` item for a proxy whose generated code is `code`
/// (`META` names it).
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
    let doc = match (client, target) {
        (true, true) => " Every request timestamp is read, so each is taken.",
        (false, false) => " No request timestamp is read: none is taken (no clock reads).",
        (true, false) => {
            " Only `client.received.start.timestamp` is read: the target's timestamps are not taken."
        }
        (false, true) => {
            " Only the target's timestamps are read: `client.received.start.timestamp` is not taken."
        }
    };
    quote! {
        #[doc = #doc]
        const TIMESTAMPS: __rt::Timestamps = __rt::Timestamps {
            client_received_start: #client,
            target: #target,
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
