//! The fixture and example bundles, compiled by build.rs, plus helpers to
//! serve them on 127.0.0.1 for tests.

pub mod harness;

/// The compiled fixture and example proxies.
pub mod proxies {
    proxyc_runtime::include_proxy!("callee");
    proxyc_runtime::include_proxy!("callouts");
    proxyc_runtime::include_proxy!("flows");
    proxyc_runtime::include_proxy!("geocoding");
    proxyc_runtime::include_proxy!("hello");
}
