//! The hand-written handler ([`proxyc_bench::hand`]) served with the same
//! server settings as the gateway.
//!
//! ```text
//! bench-hand --listen 127.0.0.1:0 --backend 127.0.0.1:PORT
//! ```

use proxyc_bench::hand::Hand;
use proxyc_bench::serve::{Args, bind, exit_on_signal, serve};
use std::net::SocketAddr;
use std::sync::Arc;

#[global_allocator]
static ALLOC: proxyc_bench::alloc::Counting = proxyc_bench::alloc::Counting;

// One thread runs everything: the harness pins the proxy under test to one
// core, as nginx runs one worker. A multi-thread runtime there would pay for
// work stealing it cannot use (see bench/NOTES.md, session 15).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("bench-hand: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let args = Args::parse()?;
    let listen: SocketAddr = args.get_or("listen", SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let hand = Arc::new(Hand::new(args.get("backend")?)?);
    let listener = bind(listen).await?;
    tokio::spawn(exit_on_signal());
    serve(listener, move |req| {
        let hand = Arc::clone(&hand);
        async move { hand.handle(req).await }
    })
    .await;
    Ok(())
}
