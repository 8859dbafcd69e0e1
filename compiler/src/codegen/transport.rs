//! Transport configuration as static data: `TargetProperties` literals,
//! and one module-level `static` per SSLInfo and per LoadBalancer, listed
//! in the proxy's META so the gateway checks them at start-up.

use super::naming;
use crate::ir;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Where an HTTPTargetConnection is: its label in META and the suffix of
/// its statics' names.
pub(crate) struct Site {
    /// `TargetEndpoint `name`` or `ServiceCallout `name``.
    label: String,
    /// `TLS_…` static.
    tls: Ident,
    /// `LB_…` static.
    lb: Ident,
}

impl Site {
    /// The site of a TargetEndpoint.
    pub(crate) fn target(name: &str) -> Self {
        Site {
            label: format!("TargetEndpoint `{name}`"),
            tls: naming::constant("TLS_TARGET_", name),
            lb: naming::constant("LB_TARGET_", name),
        }
    }

    /// The site of a ServiceCallout policy.
    pub(crate) fn callout(name: &str) -> Self {
        Site {
            label: format!("ServiceCallout `{name}`"),
            tls: naming::constant("TLS_CALLOUT_", name),
            lb: naming::constant("LB_CALLOUT_", name),
        }
    }
}

fn opt_str(s: Option<&String>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

/// The `__rt::TargetProperties` literal of a connection at `site`.
pub(crate) fn props(p: &ir::TargetProps, site: &Site) -> TokenStream {
    let connect = p.connect_timeout_ms;
    let io = p.io_timeout_ms;
    let keepalive = p.keepalive_timeout_ms;
    let codes = p.success_codes.iter().map(|(a, b)| quote!((#a, #b)));
    let tls = p.tls.as_ref().map_or_else(
        || quote!(None),
        |_| {
            let id = &site.tls;
            quote!(Some(&#id))
        },
    );
    let lb = p.balancer.as_ref().map_or_else(
        || quote!(None),
        |_| {
            let id = &site.lb;
            quote!(Some(&#id))
        },
    );
    let retain = |r: &ir::Retain| {
        if r.enabled && r.names.is_empty() {
            return quote!(__rt::Retain::ALL);
        }
        let (enabled, names) = (r.enabled, &r.names);
        quote!(__rt::Retain { enabled: #enabled, names: &[#(#names),*] })
    };
    let (req_h, resp_h, query) = (
        retain(&p.retain_request_headers),
        retain(&p.retain_response_headers),
        retain(&p.retain_query_params),
    );
    quote!(__rt::TargetProperties {
        connect_timeout_ms: #connect,
        io_timeout_ms: #io,
        keepalive_timeout_ms: #keepalive,
        success_codes: &[#(#codes),*],
        retain_request_headers: #req_h,
        retain_response_headers: #resp_h,
        retain_query_params: #query,
        tls: #tls,
        balancer: #lb,
        origin: __rt::LiteralOrigin::new(),
    })
}

fn ssl_info(s: &ir::SslInfo) -> TokenStream {
    let enabled = s.enabled;
    let client_auth = s.client_auth_enabled;
    let key_store = opt_str(s.key_store.as_ref());
    let key_alias = opt_str(s.key_alias.as_ref());
    let trust_store = opt_str(s.trust_store.as_ref());
    let protocols = &s.protocols;
    let ciphers = &s.ciphers;
    let common_name = opt_str(s.common_name.as_ref());
    let ignore = s.ignore_validation_errors;
    quote!(__rt::SslInfo {
        enabled: #enabled,
        client_auth_enabled: #client_auth,
        key_store: #key_store,
        key_alias: #key_alias,
        trust_store: #trust_store,
        protocols: &[#(#protocols),*],
        ciphers: &[#(#ciphers),*],
        common_name: #common_name,
        ignore_validation_errors: #ignore,
    })
}

fn pairs(list: &[(String, String)]) -> TokenStream {
    let items = list.iter().map(|(n, v)| quote!((#n, #v)));
    quote!(&[#(#items),*])
}

fn health(h: &ir::HealthMonitor) -> TokenStream {
    let interval = h.interval_secs;
    let check = match &h.check {
        ir::HealthCheck::Tcp {
            connect_timeout_secs,
            port,
        } => {
            let port = port.map_or_else(|| quote!(None), |p| quote!(Some(#p)));
            quote!(__rt::lb::Check::Tcp { connect_timeout_secs: #connect_timeout_secs, port: #port })
        }
        ir::HealthCheck::Http(c) => {
            let (ct, rt) = (c.connect_timeout_secs, c.read_timeout_secs);
            let port = c.port.map_or_else(|| quote!(None), |p| quote!(Some(#p)));
            let (verb, path) = (&c.verb, &c.path);
            let headers = pairs(&c.headers);
            let payload = opt_str(c.payload.as_ref());
            let (ssl, use_ts, id) = (
                c.is_ssl,
                c.use_target_server_ssl_info,
                c.include_health_check_id_header,
            );
            let codes = &c.success_codes;
            let success_headers = pairs(&c.success_headers);
            quote!(__rt::lb::Check::Http(__rt::lb::HttpCheck {
                connect_timeout_secs: #ct,
                read_timeout_secs: #rt,
                port: #port,
                verb: #verb,
                path: #path,
                headers: #headers,
                payload: #payload,
                is_ssl: #ssl,
                use_target_server_ssl_info: #use_ts,
                include_health_check_id_header: #id,
                success_codes: &[#(#codes),*],
                success_headers: #success_headers,
            }))
        }
    };
    quote!(Some(__rt::lb::HealthMonitor { interval_secs: #interval, check: #check }))
}

fn load_balancer(lb: &ir::LoadBalancer) -> TokenStream {
    let algorithm = match lb.algorithm {
        ir::Algorithm::RoundRobin => quote!(RoundRobin),
        ir::Algorithm::Weighted => quote!(Weighted),
        ir::Algorithm::LeastConnections => quote!(LeastConnections),
    };
    let servers = lb.servers.iter().map(|s| {
        let (name, weight, fallback, enabled) = (&s.name, s.weight, s.is_fallback, s.is_enabled);
        quote!(__rt::lb::Server { name: #name, weight: #weight, is_fallback: #fallback, is_enabled: #enabled })
    });
    let (max, retry) = (lb.max_failures, lb.retry_enabled);
    let codes = &lb.unhealthy_codes;
    let health = lb.health.as_ref().map_or_else(|| quote!(None), health);
    quote!(__rt::lb::LoadBalancer {
        algorithm: __rt::lb::Algorithm::#algorithm,
        servers: &[#(#servers),*],
        max_failures: #max,
        retry_enabled: #retry,
        unhealthy_codes: &[#(#codes),*],
        health: #health,
    })
}

/// The statics of every SSLInfo and LoadBalancer of a bundle, and the META
/// entries listing them and the TargetServers they name.
pub(crate) struct TransportStatics {
    /// `static TLS_…` and `static LB_…` items.
    pub(crate) items: TokenStream,
    /// `(label, &TLS_…)` entries.
    tls: Vec<TokenStream>,
    /// `(label, &LB_…)` entries.
    load_balancers: Vec<TokenStream>,
    /// TargetServer names, sorted and deduplicated.
    target_servers: Vec<String>,
    /// `&super::sf_…::META` of the shared flows its FlowCallouts call
    /// directly, sorted and deduplicated.
    shared_flows: Vec<String>,
}

impl TransportStatics {
    /// The `__rt::Connections` literal of the bundle's META.
    pub(crate) fn connections(&self) -> TokenStream {
        let (ts, tls, lbs) = (&self.target_servers, &self.tls, &self.load_balancers);
        let sfs = self.shared_flows.iter().map(|m| {
            let m = quote::format_ident!("{m}");
            quote!(&super::#m::META)
        });
        quote!(__rt::Connections {
            target_servers: &[#(#ts),*],
            tls: &[#(#tls),*],
            load_balancers: &[#(#lbs),*],
            shared_flows: &[#(#sfs),*],
        })
    }
}

/// Collects the transport statics of the TargetEndpoints and ServiceCallouts,
/// and the shared flows compiled into the FlowCallouts.
pub(crate) fn statics(proxy: &ir::Proxy) -> TransportStatics {
    let mut sites: Vec<(Site, &ir::TargetProps)> = proxy
        .targets
        .iter()
        .filter_map(|t| match &t.connection {
            ir::TargetConnection::Http { props, .. } => Some((Site::target(&t.name), &**props)),
            ir::TargetConnection::Local(_) => None,
        })
        .collect();
    let mut shared_flows = Vec::new();
    for p in &proxy.policies {
        match &p.body {
            ir::PolicyBody::ServiceCallout(sc) => {
                if let ir::CalloutConnection::Http { props, .. } = &sc.connection {
                    sites.push((Site::callout(&p.name), &**props));
                }
            }
            ir::PolicyBody::FlowCallout(fc) => {
                if let ir::SharedFlowCall::Compiled { module, .. } = &fc.call {
                    shared_flows.push(module.clone());
                }
            }
            _ => {}
        }
    }
    shared_flows.sort();
    shared_flows.dedup();
    let mut out = TransportStatics {
        items: TokenStream::new(),
        tls: Vec::new(),
        load_balancers: Vec::new(),
        target_servers: Vec::new(),
        shared_flows,
    };
    for (site, props) in &sites {
        let label = &site.label;
        if let Some(s) = &props.tls {
            let (id, value) = (&site.tls, ssl_info(s));
            let doc = format!(" SSLInfo of {label}.");
            out.items.extend(quote! {
                #[doc = #doc]
                static #id: __rt::SslInfo<'static> = #value;
            });
            out.tls.push(quote!((#label, &#id)));
        }
        if let Some(lb) = &props.balancer {
            let (id, value) = (&site.lb, load_balancer(lb));
            let doc = format!(" LoadBalancer of {label}.");
            out.items.extend(quote! {
                #[doc = #doc]
                static #id: __rt::lb::LoadBalancer = #value;
            });
            out.load_balancers.push(quote!((#label, &#id)));
            out.target_servers
                .extend(lb.servers.iter().map(|s| s.name.clone()));
        }
    }
    out.target_servers.sort();
    out.target_servers.dedup();
    out
}
