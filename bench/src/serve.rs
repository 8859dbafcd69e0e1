//! What the bench binaries share: arguments, the HTTP/1 + HTTP/2 server
//! loop (with the gateway's settings), and printing the allocation counters
//! when the process is told to stop.

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// `--name value` pairs of the command line.
pub struct Args(HashMap<String, String>);

impl Args {
    /// Parses `--name value` pairs; anything else is an error.
    pub fn parse() -> Result<Args, String> {
        let mut map = HashMap::new();
        let mut it = std::env::args().skip(1);
        while let Some(name) = it.next() {
            let Some(key) = name.strip_prefix("--") else {
                return Err(format!("unexpected argument `{name}`"));
            };
            let value = it.next().ok_or(format!("{name} needs a value"))?;
            map.insert(key.to_owned(), value);
        }
        Ok(Args(map))
    }

    /// A required argument, parsed.
    pub fn get<T: std::str::FromStr>(&self, name: &str) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        let v = self.0.get(name).ok_or(format!("--{name} is required"))?;
        v.parse().map_err(|e| format!("--{name} {v}: {e}"))
    }

    /// An optional argument with a default.
    pub fn get_or<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        if self.0.contains_key(name) {
            self.get(name)
        } else {
            Ok(default)
        }
    }
}

/// Waits for SIGTERM or SIGINT, prints the allocation counters as one JSON
/// line on stdout (the harness reads it) and exits with status 0.
pub async fn exit_on_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        eprintln!("cannot install signal handlers");
        std::process::exit(1);
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    println!("{}", crate::alloc::stats());
    std::process::exit(0);
}

/// Binds `addr` and prints `listening <addr>` (the harness waits for it).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening {local}");
    Ok(listener)
}

/// Serves `handle` on `listener` forever with the settings the proxyc
/// gateway uses (HTTP/1 and HTTP/2 auto-detection, header read timeout,
/// header count limit, `TCP_NODELAY`, graceful-shutdown watching).
pub async fn serve<F, Fut, B>(listener: TcpListener, handle: F)
where
    F: Fn(http::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<B>> + Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limits = proxyc_runtime::env::Limits::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms))
        .max_headers(limits.max_headers);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let handle = handle.clone();
        let svc = hyper::service::service_fn(move |req| {
            let fut = handle(req);
            async move { Ok::<_, Infallible>(fut.await) }
        });
        let conn = builder
            .serve_connection(TokioIo::new(stream), svc)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}
