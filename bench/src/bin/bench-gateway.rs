//! The gateway built from the benchmark bundles (`bench/bundles/`), served
//! by proxyc's own `Gateway`.
//!
//! ```text
//! bench-gateway --listen 127.0.0.1:0 --backend 127.0.0.1:PORT
//! ```

use proxyc_bench::serve::{Args, bind, exit_on_signal};
use std::net::SocketAddr;

#[global_allocator]
static ALLOC: proxyc_bench::alloc::Counting = proxyc_bench::alloc::Counting;

// One thread runs everything: the harness pins the proxy under test to one
// core, as nginx runs one worker. A multi-thread runtime there would pay for
// work stealing it cannot use (see bench/NOTES.md, session 15).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("bench-gateway: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let args = Args::parse()?;
    let listen: SocketAddr = args.get_or("listen", SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let backend: SocketAddr = args.get("backend")?;
    let gateway = proxyc_bench::generated::gateway(backend)?;
    let listener = bind(listen).await?;
    tokio::spawn(exit_on_signal());
    gateway
        .serve(listener, std::future::pending())
        .await
        .map_err(|e| e.to_string())
}
