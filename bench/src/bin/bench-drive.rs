//! A fixed client for the instruction and allocation counts: sends `--n`
//! sequential GET requests for `--path` to `--target` over one keep-alive
//! connection, reads every body, and fails unless each status is `--status`.
//!
//! ```text
//! bench-drive --target 127.0.0.1:PORT --path /pass/items/42 --n 1000 --status 200
//! ```

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use proxyc_bench::serve::Args;
use std::net::SocketAddr;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("bench-drive: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let args = Args::parse()?;
    let target: SocketAddr = args.get("target")?;
    let path: String = args.get("path")?;
    let n: u64 = args.get("n")?;
    let status: u16 = args.get_or("status", 200)?;
    let uri: http::Uri = format!("http://{target}{path}")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http::<Empty<Bytes>>();
    for i in 0..n {
        let resp = client
            .get(uri.clone())
            .await
            .map_err(|e| format!("request {i}: {e}"))?;
        let got = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("request {i}: {e}"))?;
        if got != status {
            return Err(format!(
                "request {i}: status {got}, expected {status}: {}",
                String::from_utf8_lossy(&body.to_bytes())
            ));
        }
    }
    Ok(())
}
