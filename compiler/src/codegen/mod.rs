//! From the validated model to Rust tokens: one module per proxy, with
//! straight-line async flows, conditions as plain boolean functions and
//! policies as functions over static configuration.

mod exprs;
mod flows;
mod local_target;
pub mod naming;
mod policies;
mod reads;
mod request_headers;
mod requirements;
mod shared_flow;
mod transport;
mod vars;

use crate::Options;
use crate::ir;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Generation state: the proxy, the runtime path and the conditions
/// collected as functions.
pub(crate) struct Gen<'a> {
    pub(crate) proxy: &'a ir::Proxy,
    pub(crate) runtime: TokenStream,
    conditions: Vec<TokenStream>,
    /// Condition functions already emitted, by source text (a proxy's
    /// variables resolve the same everywhere, so equal text = equal code).
    condition_names: std::collections::BTreeMap<String, proc_macro2::Ident>,
}

/// Generates the module for a proxy or a shared flow bundle.
pub fn generate(proxy: &ir::Proxy, opts: &Options) -> TokenStream {
    let runtime: TokenStream = opts
        .runtime_path
        .parse()
        .unwrap_or_else(|_| quote!(::proxyc_runtime));
    let mut g = Gen {
        proxy,
        runtime,
        conditions: Vec::new(),
        condition_names: std::collections::BTreeMap::new(),
    };
    let module = naming::module_of(proxy);
    let rt = g.runtime.clone();
    let name = &proxy.name;
    let revision = &proxy.revision;
    let source = &proxy.source;
    let (mod_doc, items) = match &proxy.shared_flow {
        Some(flow) => (
            format!(
                " Shared flow bundle `{name}` (revision {revision}), compiled from `{source}`."
            ),
            g.shared_flow_items(flow),
        ),
        None => (
            format!(" Proxy `{name}` (revision {revision}), compiled from `{source}`."),
            g.proxy_items(),
        ),
    };
    let conditions = std::mem::take(&mut g.conditions);
    let conditions = quote!(#(#conditions)*);
    let after_target = proxy.shared_flow.is_none().then(|| {
        let code = [&items, &conditions];
        let headers = request_headers::after_target(proxy, &code);
        let reads = reads::item(proxy, &code);
        quote!(#headers #reads)
    });
    let instrument = proxy.policies.iter().any(ir::Policy::is_async).then(|| {
        quote!(
            use __rt::Instrument as _;
        )
    });
    quote! {
        #[doc = #mod_doc]
        // Generated names follow the bundle's names and not every item is
        // used by every bundle; the code is formatted by prettyplease, not
        // rustfmt, so lints about its style do not apply.
        #[allow(
            dead_code,
            unused_variables,
            unused_mut,
            unreachable_code,
            non_snake_case,
            clippy::all,
            clippy::pedantic,
        )]
        pub mod #module {
            use #rt::__private::v1 as __rt;
            #instrument

            #items
            #conditions
            #after_target
        }
    }
}

impl Gen<'_> {
    /// A proxy's items: its `Proxy` type and `META`, endpoints, targets and
    /// policies.
    fn proxy_items(&mut self) -> TokenStream {
        let proxy = self.proxy;
        let name = &proxy.name;
        let revision = &proxy.revision;
        let policies = self.policies();
        let endpoints: Vec<TokenStream> = (0..proxy.endpoints.len())
            .map(|i| self.proxy_endpoint(i))
            .collect();
        let targets: Vec<TokenStream> = (0..proxy.targets.len())
            .map(|i| self.target_endpoint(i))
            .collect();
        let endpoint_metas = proxy.endpoints.iter().map(|ep| {
            let n = &ep.name;
            let bp = &ep.base_path;
            let pcf = !ep.post_client.is_empty();
            quote!(__rt::EndpointMeta { name: #n, base_path: #bp, has_post_client_flow: #pcf })
        });
        let slot_names = proxy.slots.iter();
        let handle_arms = proxy.endpoints.iter().enumerate().map(|(i, ep)| {
            let run = naming::ident("proxy_endpoint_", &ep.name);
            quote!(#i => __rt::handler(#run(ctx)),)
        });
        let post_client_arms = proxy.endpoints.iter().enumerate().map(|(i, ep)| {
            let run = format_ident!("{}_post_client", naming::ident("proxy_endpoint_", &ep.name));
            quote!(#i => __rt::handler(#run(ctx)),)
        });
        let requirements = self.requirements();
        let transport = transport::statics(proxy);
        let (transport_statics, connections) = (&transport.items, transport.connections());
        quote! {
            /// The compiled proxy; mount it on a `proxyc_runtime::Gateway`.
            #[derive(Debug, Clone, Copy, Default)]
            pub struct Proxy;

            /// Static description of the proxy.
            pub static META: __rt::ProxyMeta = __rt::ProxyMeta {
                name: #name,
                revision: #revision,
                endpoints: &[#(#endpoint_metas),*],
                slots: &[#(#slot_names),*],
                connections: #connections,
                reads: READS,
            };

            #transport_statics

            impl __rt::CompiledProxy for Proxy {
                fn meta(&self) -> &'static __rt::ProxyMeta {
                    &META
                }

                fn handle<'a>(&'a self, endpoint: usize, ctx: &'a mut __rt::Ctx) -> __rt::HandlerFuture<'a> {
                    match endpoint {
                        #(#handle_arms)*
                        _ => __rt::handler(async {}),
                    }
                }

                fn post_client<'a>(&'a self, endpoint: usize, ctx: &'a mut __rt::Ctx) -> __rt::HandlerFuture<'a> {
                    match endpoint {
                        #(#post_client_arms)*
                        _ => __rt::handler(async {}),
                    }
                }
                #requirements
            }

            #(#endpoints)*
            #(#targets)*
            #policies
        }
    }
}
