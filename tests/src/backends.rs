//! Misbehaving backends on 127.0.0.1 for the hardening tests: each accepts
//! connections and fails in one precise way, recording the raw bytes it
//! received (so a test can prove no header was split and no second
//! request was smuggled through).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a [`RawBackend`] answers each connection.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Reads the request, writes these bytes verbatim and closes.
    Reply(Vec<u8>),
    /// Reads the request, sends a head declaring 1000 body bytes and 10 of
    /// them, then resets the connection.
    ResetMidBody,
    /// Accepts and never answers.
    Silent,
    /// Reads the request and sends a valid response one byte per interval.
    Drip(Duration),
    /// Reads the request and answers 200 with a body of this many bytes.
    Big(usize),
}

/// A raw TCP backend.
#[derive(Debug)]
pub struct RawBackend {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<u8>>>,
}

/// A small valid response.
pub const OK_RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";

impl RawBackend {
    /// Starts a backend behaving as `behaviour` on an ephemeral port.
    pub async fn start(behaviour: Behaviour) -> RawBackend {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind"); // ok: test harness; a failure is the test failing
        let addr = listener.local_addr().expect("addr"); // ok: test harness; a failure is the test failing
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                if matches!(behaviour, Behaviour::Silent) {
                    held.push(stream);
                    continue;
                }
                tokio::spawn(answer(stream, behaviour.clone(), Arc::clone(&log)));
            }
        });
        RawBackend { addr, received }
    }

    /// The address to point a connect override at.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every byte received so far, over all connections.
    pub fn received(&self) -> Vec<u8> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many request lines (`… HTTP/1.1\r\n`) were received.
    pub fn request_count(&self) -> usize {
        let bytes = self.received();
        bytes
            .windows(10)
            .filter(|w| *w == b" HTTP/1.1\r" || *w == b" HTTP/1.0\r")
            .count()
    }
}

async fn answer(mut stream: TcpStream, behaviour: Behaviour, log: Arc<Mutex<Vec<u8>>>) {
    read_request(&mut stream, &log).await;
    match behaviour {
        Behaviour::Reply(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Behaviour::ResetMidBody => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789";
            let _ = stream.write_all(head).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Behaviour::Drip(interval) => {
            for b in OK_RESPONSE {
                if stream.write_all(&[*b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(interval).await;
            }
        }
        Behaviour::Big(n) => {
            let head =
                format!("HTTP/1.1 200 OK\r\ncontent-length: {n}\r\nconnection: close\r\n\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&vec![b'x'; n]).await;
            let _ = stream.shutdown().await;
        }
        Behaviour::Silent => {}
    }
}

/// Reads one request head and its `content-length` body (bounded by a
/// short idle timeout), appending the bytes to `log`.
async fn read_request(stream: &mut TcpStream, log: &Mutex<Vec<u8>>) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let read = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await;
        let n = match read {
            Ok(Ok(n)) if n > 0 => n,
            _ => break,
        };
        seen.extend_from_slice(&buf[..n]);
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(&buf[..n]);
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if seen.len() >= end + 4 + length {
                break;
            }
        }
    }
}

/// A TLS server whose certificate (self-signed for `name`, generated here)
/// no client trusts: every handshake fails on the client's side.
pub async fn untrusted_tls_server(name: &str) -> SocketAddr {
    let certified = rcgen::generate_simple_self_signed(vec![name.to_owned()]).expect("cert"); // ok: test harness; a failure is the test failing
    let cert = certified.cert.der().clone();
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols") // ok: test harness; a failure is the test failing
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("server config"); // ok: test harness; a failure is the test failing
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind"); // ok: test harness; a failure is the test failing
    let addr = listener.local_addr().expect("addr"); // ok: test harness; a failure is the test failing
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let _ = tls.write_all(OK_RESPONSE).await;
                }
            });
        }
    });
    addr
}

/// Sends raw bytes to `addr` and returns everything read back until the
/// peer closes (or 2 s of silence).
pub async fn raw_exchange(addr: SocketAddr, request: impl AsRef<[u8]>) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect"); // ok: test harness; a failure is the test failing
    stream.write_all(request.as_ref()).await.expect("write"); // ok: test harness; a failure is the test failing
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
