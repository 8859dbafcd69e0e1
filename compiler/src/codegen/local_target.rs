//! `LocalTargetConnection`s (TargetEndpoint and ServiceCallout): a static
//! `__rt::LocalTarget` naming the proxy or base path to run in-process.

use super::Gen;
use crate::ir::LocalTarget;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The `__rt::LocalTarget` value for a LocalTargetConnection.
pub(crate) fn local_target(target: &LocalTarget) -> TokenStream {
    match target {
        LocalTarget::Proxy { proxy, endpoint } => {
            let endpoint = match endpoint {
                Some(e) => quote!(Some(#e)),
                None => quote!(None),
            };
            quote!(__rt::LocalTarget::Proxy { proxy: #proxy, endpoint: #endpoint })
        }
        LocalTarget::Path(p) => quote!(__rt::LocalTarget::Path(#p)),
    }
}

impl Gen<'_> {
    /// A TargetEndpoint's LocalTargetConnection: the static target and the
    /// in-process call (the other proxy's full flow, no socket).
    pub(crate) fn local_connection(
        &self,
        constant: &Ident,
        target: &LocalTarget,
    ) -> (TokenStream, TokenStream) {
        let value = local_target(target);
        (
            quote!(static #constant: __rt::LocalTarget = #value;),
            quote!(__rt::call_local_target(ctx, &#constant).await?;),
        )
    }
}
