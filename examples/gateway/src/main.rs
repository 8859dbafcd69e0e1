//! The example gateway: serves the example bundles on 127.0.0.1 with an
//! embedded echo backend and an embedded Application Integration API (the
//! local server of `proxyc_testkit`, with its `echo` integration), so it
//! works offline.
//!
//! ```text
//! cargo run -p proxyc-gateway -- [--listen 127.0.0.1:8080] [--config env.toml] [--trace] [--threads N]
//! ```

use proxyc_runtime::{EnvConfig, Environment, Gateway};
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::RunningServer;
use proxyc_testkit::google::integration_server::{self, DEFAULT_TOKEN, IntegrationServer};
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;

proxyc_runtime::include_proxy!("hello");
proxyc_runtime::include_proxy!("integration");
proxyc_runtime::include_proxy!("geocoding");

// The runtime leaves the allocator to the binary; mimalloc serves the
// gateway's many small, short-lived allocations faster than the system
// allocator (bench/NOTES.md, session 15).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Host name the example bundles use for the echo backend.
const ECHO_HOST: &str = "echo.internal:80";

/// The Geocoding API host of the ServiceCallout examples, also served by echo.
const GEOCODING_HOST: &str = "maps.googleapis.com:80";

struct Args {
    listen: Option<SocketAddr>,
    config: Option<std::path::PathBuf>,
    trace: bool,
    threads: Option<NonZeroUsize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: None,
        config: None,
        trace: false,
        threads: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--listen" => {
                let v = it
                    .next()
                    .ok_or("--listen needs an address, e.g. 127.0.0.1:8080")?;
                args.listen = Some(v.parse().map_err(|e| format!("--listen {v}: {e}"))?);
            }
            "--config" => args.config = Some(it.next().ok_or("--config needs a file")?.into()),
            "--trace" => args.trace = true,
            "--threads" => {
                let v = it.next().ok_or("--threads needs a number, e.g. 1")?;
                args.threads = Some(
                    v.parse()
                        .map_err(|e| format!("--threads {v}: {e} (give 1 or more)"))?,
                );
            }
            "-h" | "--help" => {
                println!(
                    "proxyc-gateway: serves the example bundles with an embedded echo backend\n\n\
                     options:\n  --listen ADDR   listen address (default 127.0.0.1:8080)\n  \
                     --config FILE   environment file (TOML)\n  --trace         print a debug timeline per request\n  \
                     --threads N     runtime threads (default: one per core; 1 runs everything on one thread)"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(args)
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let served = parse_args().and_then(|args| runtime(args.threads)?.block_on(run(args)));
    if let Err(e) = served {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The tokio runtime `--threads` asks for: by default a work-stealing pool
/// with one worker per core; with 1, a single thread runs everything (what
/// the benchmarks measure: a proxy on one core, like one nginx worker).
fn runtime(threads: Option<NonZeroUsize>) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = match threads.map(NonZeroUsize::get) {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(n);
            builder
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

async fn run(args: Args) -> Result<(), String> {
    let mut config = match &args.config {
        Some(path) => EnvConfig::load(path).map_err(|e| e.to_string())?,
        None => EnvConfig::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    config.trace |= args.trace;

    let echo = RunningServer::start(Echo)
        .await
        .map_err(|e| format!("echo backend: {e}"))?;
    // A long-running backend keeps no request log (its memory stays flat).
    echo.forget_requests();
    config
        .connect_overrides
        .entry(ECHO_HOST.to_owned())
        .or_insert(echo.addr());
    config
        .connect_overrides
        .entry(GEOCODING_HOST.to_owned())
        .or_insert(echo.addr());

    // Unless the environment file names a real Application Integration
    // endpoint, integrations run on the embedded local API with a static token.
    let integrations = integration_server::start(IntegrationServer::with_defaults())
        .await
        .map_err(|e| format!("integration server: {e}"))?;
    if config.google.integration_endpoint.is_none() {
        config.google.integration_endpoint = Some(integrations.base_url());
        if config.google.credentials.is_none() {
            config.google.credentials = Some("static".into());
            config.google.token = Some(DEFAULT_TOKEN.into());
        }
    }

    let listen = config.listen;
    let env = Arc::new(Environment::new(config).map_err(|e| e.to_string())?);
    let gateway = Gateway::new(env)
        .mount(hello::Proxy)?
        .mount(integration::Proxy)?
        .mount(geocoding::Proxy)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    println!("proxyc gateway listening on http://{listen}");
    println!(
        "  embedded echo backend on http://{} (as {ECHO_HOST})",
        echo.addr()
    );
    println!(
        "  embedded Application Integration API on {}",
        integrations.base_url()
    );
    for (path, proxy) in gateway.base_paths() {
        println!("  {path:<12} → proxy {proxy}");
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        println!("shutting down");
    };
    gateway
        .serve(listener, shutdown)
        .await
        .map_err(|e| e.to_string())
}
