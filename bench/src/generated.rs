//! The proxies proxyc compiled from `bench/bundles/` (by `build.rs`) and the
//! gateway serving them.

use proxyc_runtime::{EnvConfig, Environment, Gateway};
use std::net::SocketAddr;
use std::sync::Arc;

proxyc_runtime::include_proxy!("pass");
proxyc_runtime::include_proxy!("mediate");
proxyc_runtime::include_proxy!("callout");
proxyc_runtime::include_proxy!("integration");
proxyc_runtime::include_proxy!("fault");

/// The gateway serving every benchmark bundle, with `backend.bench` and the
/// integration API (static token) both sent to `backend`.
pub fn gateway(backend: SocketAddr) -> Result<Gateway, String> {
    let mut config = EnvConfig::default();
    config
        .connect_overrides
        .insert(format!("{}:80", crate::BACKEND_HOST), backend);
    config.google.integration_endpoint = Some(format!("http://{backend}"));
    config.google.credentials = Some("static".into());
    config.google.token = Some(crate::INTEGRATION_TOKEN.into());
    let env = Arc::new(Environment::new(config).map_err(|e| e.to_string())?);
    Gateway::new(env)
        .mount(pass::Proxy)?
        .mount(mediate::Proxy)?
        .mount(callout::Proxy)?
        .mount(integration::Proxy)?
        .mount(fault::Proxy)
}

/// The generated bundle `bench/run.sh` times rustc on (named `generated`).
#[cfg(proxyc_bench_extra)]
pub mod extra {
    proxyc_runtime::include_proxy!("generated");
}
