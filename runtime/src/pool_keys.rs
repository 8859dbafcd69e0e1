//! Short pool keys for upstream origins.
//!
//! hyper-util's pooled client keys its pool by the request URI's scheme and
//! authority, in a `HashMap` with the standard SipHash, and `Authority`
//! hashes itself one lowercased byte at a time. With the three hashes a
//! request takes (two at checkout, one when the connection returns), each
//! byte of the authority costs about 190 instructions per request
//! (callgrind, `bench/`): ≈ 2,100 for the eleven bytes `backend.bench`
//! has over a two-byte alias, and a Cloud Run host name of 50 bytes would
//! cost ≈ 9,000.
//!
//! The client therefore hands each origin to the pool under a two-byte
//! alias (`!` and a digit or lowercase letter: `Authority` compares without
//! case), and its connector maps the alias back before dialling: TCP, TLS
//! (server name and verification) and the `Host` header all see the real
//! origin. `!` cannot start a DNS name, so no real host is mistaken for an
//! alias: [`PoolKeys::key`] refuses such hosts before they reach the pool.
//!
//! Aliasing relies on HTTP/1 requests carrying their target in origin form
//! (the client offers upstreams only HTTP/1): the alias never leaves the
//! process.

use crate::client::ClientError;
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use std::sync::{Mutex, OnceLock};

/// The second byte of each alias, in order of assignment.
const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// How many origins get an alias. Later origins (a bundle computing its
/// target URLs from request data can name any number) are pooled under
/// their own authority, as hyper-util would pool them.
const CAPACITY: usize = ALPHABET.len();

/// The aliases' text: `!0` to `!z`.
static ALIAS_TEXT: [[u8; 2]; CAPACITY] = alias_text();

const fn alias_text() -> [[u8; 2]; CAPACITY] {
    let mut text = [[0; 2]; CAPACITY];
    let mut i = 0;
    while i < CAPACITY {
        text[i] = [b'!', ALPHABET[i]];
        i += 1;
    }
    text
}

/// One aliased origin.
#[derive(Debug)]
struct Entry {
    scheme: Scheme,
    authority: Authority,
    alias: Authority,
}

/// The aliases of one client's origins, assigned in order of first use and
/// never reassigned (pooled connections stay keyed by them).
#[derive(Debug)]
pub(crate) struct PoolKeys {
    entries: [OnceLock<Entry>; CAPACITY],
    /// Held while an alias is assigned; lookups take no lock.
    assigning: Mutex<()>,
}

impl Default for PoolKeys {
    fn default() -> Self {
        PoolKeys {
            entries: [const { OnceLock::new() }; CAPACITY],
            assigning: Mutex::new(()),
        }
    }
}

impl PoolKeys {
    /// Prepares `req` for the pool: sets the `Host` header the client would
    /// derive from the URI when the request has none, then replaces the
    /// URI's authority by the origin's alias. A URI without scheme or
    /// authority is left for the client to refuse.
    pub(crate) fn key<B>(&self, req: &mut http::Request<B>) -> Result<(), ClientError> {
        let uri = req.uri();
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Ok(());
        };
        let host = match req.headers().contains_key(http::header::HOST) {
            true => None,
            false => Some(host_header(scheme, authority)?),
        };
        let alias = match self.find(scheme, authority) {
            Some(known) => Some(known.alias.clone()),
            // Only an origin seen for the first time, or one left without
            // an alias, can hold a host that reads as an alias.
            None if authority.host().starts_with('!') => {
                return Err(ClientError::Connect(format!(
                    "cannot resolve host `{}`",
                    authority.host()
                )));
            }
            None => self.assign(scheme, authority),
        };
        if let Some(host) = host {
            req.headers_mut().insert(http::header::HOST, host);
        }
        let Some(alias) = alias else {
            return Ok(());
        };
        let mut parts = std::mem::take(req.uri_mut()).into_parts();
        parts.authority = Some(alias);
        // A URI without a path (`http://host`) is sent with `/` all the same.
        parts
            .path_and_query
            .get_or_insert_with(|| PathAndQuery::from_static("/"));
        *req.uri_mut() =
            http::Uri::from_parts(parts).map_err(|e| ClientError::Request(e.to_string()))?;
        Ok(())
    }

    /// The URI to dial for a pool key's `dst` (`scheme://authority/`): the
    /// origin behind an alias, or `dst` itself.
    pub(crate) fn dial(&self, dst: http::Uri) -> http::Uri {
        let Some(entry) = dst.authority().and_then(|a| self.entry_of(a)) else {
            return dst;
        };
        http::Uri::builder()
            .scheme(entry.scheme.clone())
            .authority(entry.authority.clone())
            .path_and_query("/")
            .build()
            .unwrap_or(dst)
    }

    /// Assigns an alias to an origin (unless another thread just did);
    /// `None` once every alias is taken.
    fn assign(&self, scheme: &Scheme, authority: &Authority) -> Option<Authority> {
        // Once every alias is taken, later origins take no lock.
        if self.entries.last()?.get().is_some() {
            return None;
        }
        let _assigning = self.assigning.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = self.find(scheme, authority) {
            return Some(entry.alias.clone());
        }
        let (free, text) = self
            .entries
            .iter()
            .zip(&ALIAS_TEXT)
            .find(|(entry, _)| entry.get().is_none())?;
        let alias = Authority::from_maybe_shared(Bytes::from_static(text)).ok()?;
        let entry = free.get_or_init(|| Entry {
            scheme: scheme.clone(),
            authority: authority.clone(),
            alias,
        });
        Some(entry.alias.clone())
    }

    /// The entry of an origin, if it has an alias. Entries are assigned in
    /// order, so the first empty one ends the search.
    fn find(&self, scheme: &Scheme, authority: &Authority) -> Option<&Entry> {
        self.entries
            .iter()
            .map_while(OnceLock::get)
            .find(|e| e.authority.as_str() == authority.as_str() && e.scheme == *scheme)
    }

    /// The entry behind an alias.
    fn entry_of(&self, alias: &Authority) -> Option<&Entry> {
        let index = ALIAS_TEXT
            .iter()
            .position(|t| t == alias.as_str().as_bytes())?;
        self.entries.get(index)?.get()
    }
}

/// The `Host` header hyper-util derives from a URI: the host, with the
/// port unless it is the scheme's default.
fn host_header(scheme: &Scheme, authority: &Authority) -> Result<http::HeaderValue, ClientError> {
    let default_port = if *scheme == Scheme::HTTPS { 443 } else { 80 };
    let text = match authority.port_u16() {
        Some(port) if port != default_port => format!("{}:{port}", authority.host()),
        _ => authority.host().to_owned(),
    };
    http::HeaderValue::try_from(text).map_err(|e| ClientError::Request(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str) -> http::Request<()> {
        http::Request::builder().uri(uri).body(()).unwrap() // ok: test input
    }

    #[test]
    fn an_origin_keeps_its_alias_and_dials_as_itself() {
        let keys = PoolKeys::default();
        let mut first = request("http://backend.example:8080/a?b=c");
        keys.key(&mut first).unwrap(); // ok: test
        assert_eq!(first.uri().to_string(), "http://!0/a?b=c");
        assert_eq!(first.headers()["host"], "backend.example:8080");
        let mut again = request("http://backend.example:8080/other");
        keys.key(&mut again).unwrap(); // ok: test
        assert_eq!(again.uri().authority().map(Authority::as_str), Some("!0"));
        let dst = http::Uri::from_static("http://!0/");
        assert_eq!(keys.dial(dst).to_string(), "http://backend.example:8080/");
    }

    #[test]
    fn schemes_and_authorities_get_aliases_of_their_own() {
        let keys = PoolKeys::default();
        let mut aliases = Vec::new();
        for uri in [
            "http://a.example/",
            "https://a.example/",
            "http://a.example:81/",
            "https://b.example",
        ] {
            let mut req = request(uri);
            keys.key(&mut req).unwrap(); // ok: test
            aliases.push(req.uri().to_string());
        }
        assert_eq!(
            aliases,
            ["http://!0/", "https://!1/", "http://!2/", "https://!3/"]
        );
        let dst = http::Uri::from_static("https://!3/");
        assert_eq!(keys.dial(dst).to_string(), "https://b.example/");
    }

    #[test]
    fn an_explicit_host_header_is_kept_and_default_ports_are_left_out() {
        let keys = PoolKeys::default();
        let mut req = request("http://backend.example/x");
        req.headers_mut()
            .insert("host", http::HeaderValue::from_static("front.example"));
        keys.key(&mut req).unwrap(); // ok: test
        assert_eq!(req.headers()["host"], "front.example");
        let mut tls = request("https://secure.example:443/");
        keys.key(&mut tls).unwrap(); // ok: test
        assert_eq!(tls.headers()["host"], "secure.example");
    }

    #[test]
    fn a_host_that_looks_like_an_alias_is_refused_and_unknown_aliases_dial_as_given() {
        let keys = PoolKeys::default();
        let mut req = request("http://!0/");
        assert!(matches!(keys.key(&mut req), Err(ClientError::Connect(_))));
        let dst = http::Uri::from_static("http://!0/");
        assert_eq!(keys.dial(dst).to_string(), "http://!0/");
    }

    #[test]
    fn origins_beyond_the_capacity_keep_their_own_authority() {
        let keys = PoolKeys::default();
        for i in 0..CAPACITY {
            let mut req = request(&format!("http://h{i}.example/"));
            keys.key(&mut req).unwrap(); // ok: test
            assert!(req.uri().host().is_some_and(|h| h.starts_with('!')));
        }
        let mut late = request("http://late.example/p");
        keys.key(&mut late).unwrap(); // ok: test
        assert_eq!(late.uri().to_string(), "http://late.example/p");
        assert_eq!(late.headers()["host"], "late.example");
        let dst = http::Uri::from_static("http://!z/");
        assert_eq!(keys.dial(dst).to_string(), "http://h35.example/");
    }
}
