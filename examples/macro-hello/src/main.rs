//! The `hello` example bundle compiled with the `proxy!` macro, served on
//! an ephemeral port; it answers one request and exits.

use proxyc_runtime::{EnvConfig, Environment, Gateway};
use std::sync::Arc;

proxyc_macros::proxy!("../bundles/hello");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = Arc::new(Environment::new(EnvConfig::default())?);
    let gateway = Gateway::new(env).mount(hello::Proxy)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gateway.serve(listener, async {
        let _ = stopped.await;
    }));
    // A request the proxy answers itself (null route), so no backend is needed.
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /hello/greet/world?lang=fr HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    println!("{response}");
    let _ = stop.send(());
    server.await??;
    Ok(())
}
