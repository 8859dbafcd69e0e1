//! Real TLS for tests: a certificate authority generated with rcgen, leaf
//! certificates written as PEM files, and an HTTPS server on 127.0.0.1 that
//! reports what it saw (path, Host, client certificate, TLS version).

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory named after `tag`.
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "proxyc-{tag}-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir"); // ok: test harness; a failure is the test failing
        TempDir(dir)
    }

    /// The path of `name` inside it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `text` to `name` and returns the path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write"); // ok: test harness; a failure is the test failing
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    t ^ u128::from(N.fetch_add(1, Ordering::Relaxed))
}

/// A test certificate authority.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key.
pub struct Leaf {
    /// PEM certificate.
    pub cert_pem: String,
    /// PEM private key (PKCS#8).
    pub key_pem: String,
    der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl Leaf {
    /// A self-signed certificate for `names` (no CA).
    pub fn self_signed(names: &[&str]) -> Leaf {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let c = rcgen::generate_simple_self_signed(names).expect("self-signed"); // ok: test harness; a failure is the test failing
        Leaf {
            cert_pem: c.cert.pem(),
            key_pem: c.signing_key.serialize_pem(),
            der: c.cert.der().clone(),
            key_der: c.signing_key.serialize_der(),
        }
    }

    /// Writes `<stem>.pem` and `<stem>.key` into `dir`; returns both paths.
    pub fn write(&self, dir: &TempDir, stem: &str) -> (PathBuf, PathBuf) {
        (
            dir.write(&format!("{stem}.pem"), &self.cert_pem),
            dir.write(&format!("{stem}.key"), &self.key_pem),
        )
    }
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params"); // ok: test harness; a failure is the test failing
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let key = KeyPair::generate().expect("key"); // ok: test harness; a failure is the test failing
        TestCa {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA"), // ok: test harness; a failure is the test failing
        }
    }

    /// The CA certificate (PEM).
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA certificate to `<stem>.pem` in `dir`.
    pub fn write(&self, dir: &TempDir, stem: &str) -> PathBuf {
        dir.write(&format!("{stem}.pem"), &self.cert_pem())
    }

    /// A certificate for `names` signed by this CA.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("params"); // ok: test harness; a failure is the test failing
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, first.as_str());
        }
        let key = KeyPair::generate().expect("key"); // ok: test harness; a failure is the test failing
        let cert = params.signed_by(&key, &self.issuer).expect("leaf"); // ok: test harness; a failure is the test failing
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().clone(),
            key_der: key.serialize_der(),
        }
    }

    fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }
}

/// What a TLS server requires and offers.
#[derive(Default)]
pub struct TlsOptions<'a> {
    /// Require a client certificate signed by this CA.
    pub client_ca: Option<&'a TestCa>,
    /// Offer only TLS 1.3.
    pub tls13_only: bool,
    /// With `client_ca`: ask for a client certificate but accept the
    /// handshake without one, answering 400 then (as nginx's
    /// `ssl_verify_client optional` servers such as client.badssl.com do).
    pub optional_client_auth: bool,
}

/// An HTTPS server answering every request with JSON: `path`, `host`,
/// `client_cert` (whether one was presented) and `version`.
pub struct TlsServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl TlsServer {
    /// Starts on 127.0.0.1 with `leaf` as its certificate.
    pub async fn start(leaf: &Leaf, opts: &TlsOptions<'_>) -> TlsServer {
        Self::start_on(leaf, opts, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr`.
    pub async fn start_on(leaf: &Leaf, opts: &TlsOptions<'_>, addr: SocketAddr) -> TlsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] = if opts.tls13_only {
            &[&rustls::version::TLS13]
        } else {
            &[&rustls::version::TLS13, &rustls::version::TLS12]
        };
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(versions)
            .expect("versions"); // ok: test harness; a failure is the test failing
        let builder = match opts.client_ca {
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                roots.add(ca.der()).expect("client CA"); // ok: test harness; a failure is the test failing
                let mut verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                if opts.optional_client_auth {
                    verifier = verifier.allow_unauthenticated();
                }
                let verifier = verifier.build().expect("client verifier"); // ok: test harness; a failure is the test failing
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
        let mut config = builder
            .with_single_cert(vec![leaf.der.clone()], key)
            .expect("server config"); // ok: test harness; a failure is the test failing
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let need_cert = opts.optional_client_auth;
        let listener = TcpListener::bind(addr).await.expect("bind"); // ok: test harness; a failure is the test failing
        let addr = listener.local_addr().expect("addr"); // ok: test harness; a failure is the test failing
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let (_, conn) = tls.get_ref();
                    let client_cert = conn.peer_certificates().is_some_and(|c| !c.is_empty());
                    let version = format!("{:?}", conn.protocol_version());
                    let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let body = serde_json::json!({
                            "path": req.uri().path(),
                            "host": req.headers().get("host").and_then(|h| h.to_str().ok()),
                            "client_cert": client_cert,
                            "version": version,
                        });
                        let mut resp =
                            http::Response::new(Full::new(Bytes::from(body.to_string())));
                        if need_cert && !client_cert {
                            *resp.status_mut() = http::StatusCode::BAD_REQUEST;
                        }
                        async move { Ok::<_, Infallible>(resp) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        TlsServer { addr, task }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
