//! Serving compiled proxies with an echo backend, all on 127.0.0.1 with
//! ephemeral ports, and a small HTTP client for tests.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use proxyc_runtime::{CompiledProxy, EnvConfig, Environment, Gateway};
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::RunningServer;
use proxyc_testkit::google::keys::{KeyFile, ServiceAccountKey};
use proxyc_testkit::google::token_server::{self, TOKEN_PATH, TokenServer};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A gateway serving proxies, with the echo backend reachable as `echo.internal`.
pub struct TestGateway {
    /// The gateway's address.
    pub addr: SocketAddr,
    /// The echo backend.
    pub echo: RunningServer<Echo>,
    stop: Option<oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Bound but not listening: `down.internal` refuses connections, and no
    /// other server (another test's) can take its port while this lives.
    _closed: tokio::net::TcpSocket,
}

/// A response as a test sees it.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl TestResponse {
    /// A header's values joined with `, `.
    pub fn header(&self, name: &str) -> Option<String> {
        let v: Vec<&str> = self
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!v.is_empty()).then(|| v.join(", "))
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// `fault.detail.errorcode` of a default fault body ("" for other bodies).
    pub fn errorcode(&self) -> String {
        self.json()["fault"]["detail"]["errorcode"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl TestGateway {
    /// Starts the echo backend and a gateway serving `proxies`, with
    /// `down.internal:80` pointing at a closed port.
    pub async fn start(
        mount: impl FnOnce(Gateway) -> Gateway,
        tweak: impl FnOnce(&mut EnvConfig),
    ) -> TestGateway {
        let echo = RunningServer::start(Echo).await.expect("echo backend"); // ok: test harness; a failure is the test failing
        let closed_socket = tokio::net::TcpSocket::new_v4().expect("socket"); // ok: test harness; a failure is the test failing
        closed_socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind"); // ok: test harness; a failure is the test failing
        let closed = closed_socket.local_addr().expect("addr"); // ok: test harness; a failure is the test failing
        let mut config = EnvConfig::default();
        config
            .connect_overrides
            .insert("echo.internal:80".into(), echo.addr());
        config
            .connect_overrides
            .insert("down.internal:80".into(), closed);
        tweak(&mut config);
        let env = Arc::new(Environment::new(config).expect("environment")); // ok: test harness; a failure is the test failing
        let gateway = mount(Gateway::new(env));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway"); // ok: test harness; a failure is the test failing
        let addr = listener.local_addr().expect("addr"); // ok: test harness; a failure is the test failing
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(gateway.serve(listener, async {
            let _ = stopped.await;
        }));
        TestGateway {
            addr,
            echo,
            stop: Some(stop),
            serving: Some(serving),
            _closed: closed_socket,
        }
    }

    /// Starts a gateway serving one proxy.
    pub async fn serving(proxy: impl CompiledProxy) -> TestGateway {
        Self::start(|g| g.mount(proxy).expect("mount"), |_| {}).await // ok: test harness; a failure is the test failing
    }

    /// Sends a request.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> TestResponse {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let mut req = http::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request"); // ok: test harness; a failure is the test failing
        let resp = client.request(req).await.expect("response"); // ok: test harness; a failure is the test failing
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes(); // ok: test harness; a failure is the test failing
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Starts graceful shutdown; the returned task ends once in-flight
    /// requests have drained.
    pub fn begin_shutdown(&mut self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.serving
            .take()
            .unwrap_or_else(|| tokio::spawn(async { Ok(()) }))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send("GET", path, &[], "").await
    }
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A local Google token server and a service-account key file naming it,
/// for gateways whose callouts carry Google tokens.
pub struct LocalGoogle {
    /// The token server.
    pub server: RunningServer<TokenServer>,
    /// The key file (removed on drop).
    pub key_file: KeyFile,
}

impl LocalGoogle {
    /// Starts the token server for the shared test service account.
    pub async fn start() -> LocalGoogle {
        let key = ServiceAccountKey::shared().expect("service account key"); // ok: test harness; a failure is the test failing
        let server = token_server::start(TokenServer::for_key(key).expect("token server")) // ok: test harness; a failure is the test failing
            .await
            .expect("start token server"); // ok: test harness; a failure is the test failing
        let key_file = key
            .write_key_file(&server.url(TOKEN_PATH))
            .expect("key file"); // ok: test harness; a failure is the test failing
        LocalGoogle { server, key_file }
    }

    /// Points `config`'s Google credentials at this key file and server.
    pub fn configure(&self, config: &mut EnvConfig) {
        config.google.credentials = Some("service_account_key".into());
        config.google.key_file = Some(self.key_file.path().to_owned());
        config.google.token_uri = Some(self.server.url(TOKEN_PATH));
    }
}
