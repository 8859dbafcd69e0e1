//! The benchmark backend: echo plus the integration API mirror.
//!
//! ```text
//! bench-backend --listen 127.0.0.1:0
//! ```

use proxyc_bench::serve::{Args, bind, exit_on_signal};
use std::net::SocketAddr;

#[global_allocator]
static ALLOC: proxyc_bench::alloc::Counting = proxyc_bench::alloc::Counting;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("bench-backend: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let args = Args::parse()?;
    let listen: SocketAddr = args.get_or("listen", SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let listener = bind(listen).await?;
    let base_url: std::sync::Arc<str> = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    )
    .into();
    tokio::spawn(exit_on_signal());
    proxyc_bench::serve::serve(listener, move |req| {
        let base_url = base_url.clone();
        async move { proxyc_bench::backend::respond(req, &base_url).await }
    })
    .await;
    Ok(())
}
