//! Benchmarks for proxyc: the proxies compiled from `bench/bundles/`, the
//! hand-written hyper handlers doing the same work ([`hand`]), the backend
//! they call ([`backend`]), and the helpers the bench binaries share.
//! `bench/run.sh` drives them; see `bench/README.md`.

pub mod alloc;
pub mod backend;
pub mod generated;
pub mod hand;
pub mod serve;

/// Host name (port 80) the benchmark bundles use for the backend; the
/// gateway's connect override sends it to the backend's address.
pub const BACKEND_HOST: &str = "backend.bench";

/// The static bearer token the integration API of [`backend`] accepts.
pub const INTEGRATION_TOKEN: &str = "bench-token";

/// The benchmark scenarios: name, request path, expected status.
pub const SCENARIOS: &[(&str, &str, u16)] = &[
    ("pass", "/pass/items/42?q=1", 200),
    ("mediate", "/mediate/items/42", 200),
    ("callout", "/callout/items/42", 200),
    ("integration", "/integration/run?customer=C-7", 200),
    ("fault", "/fault/items/42", 503),
];
