//! Outbound TLS settings (`SSLInfo` of TargetEndpoints, ServiceCallouts and
//! TargetServers) turned into rustls client configurations: trust store or
//! the default roots, mutual TLS with a key store alias, protocol versions,
//! cipher suites, `CommonName` and `IgnoreValidationErrors`.

use crate::tls::{Stores, store_name};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme, SupportedProtocolVersion};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::Arc;

/// An `SSLInfo` element (static data in generated code; borrowed from the
/// environment file for TargetServers).
#[derive(Debug, Clone, Copy, Default)]
pub struct SslInfo<'a> {
    /// `Enabled`.
    pub enabled: bool,
    /// `ClientAuthEnabled`: present the `KeyStore`/`KeyAlias` certificate.
    pub client_auth_enabled: bool,
    /// `KeyStore` (`ref://name` or `name`).
    pub key_store: Option<&'a str>,
    /// `KeyAlias`.
    pub key_alias: Option<&'a str>,
    /// `TrustStore` (`ref://name` or `name`); without it the web PKI roots
    /// and the environment's `trust_anchors` are trusted.
    pub trust_store: Option<&'a str>,
    /// `Protocols/Protocol` (`TLSv1.2`, `TLSv1.3`); empty = both.
    pub protocols: &'a [&'a str],
    /// `Ciphers/Cipher` (IANA/JSSE names); empty = rustls's defaults.
    pub ciphers: &'a [&'a str],
    /// `CommonName`: the name the server certificate must be valid for
    /// (instead of the host name connected to).
    pub common_name: Option<&'a str>,
    /// `IgnoreValidationErrors`: accept any server certificate (dangerous).
    pub ignore_validation_errors: bool,
}

/// Protocol names proxyc supports, for messages.
pub const SUPPORTED_PROTOCOLS: &[&str] = &["TLSv1.2", "TLSv1.3"];

/// The rustls version for an Apigee/JSSE protocol name.
pub fn protocol_version(name: &str) -> Option<&'static SupportedProtocolVersion> {
    match name.trim() {
        "TLSv1.2" => Some(&rustls::version::TLS12),
        "TLSv1.3" => Some(&rustls::version::TLS13),
        _ => None,
    }
}

/// The rustls name of a cipher suite written with its IANA/JSSE name
/// (`TLS_AES_128_GCM_SHA256` is rustls's `TLS13_AES_128_GCM_SHA256`).
fn rustls_suite_name(name: &str) -> String {
    let name = name.trim();
    let tls13 = [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ];
    if tls13.contains(&name) {
        name.replacen("TLS_", "TLS13_", 1)
    } else {
        name.to_owned()
    }
}

/// The provider's suites for the names given (all of them when empty); an
/// unknown or unsupported name is an error naming it.
fn cipher_suites(
    names: &[&str],
    all: &[rustls::SupportedCipherSuite],
) -> Result<Vec<rustls::SupportedCipherSuite>, String> {
    if names.is_empty() {
        return Ok(all.to_vec());
    }
    names
        .iter()
        .map(|n| {
            let want = rustls_suite_name(n);
            all.iter()
                .find(|s| s.suite().as_str() == Some(want.as_str()))
                .copied()
                .ok_or_else(|| {
                    format!(
                        "cipher `{n}` is not supported; supported: {}",
                        all.iter()
                            .filter_map(|s| s.suite().as_str())
                            .map(|s| s.replacen("TLS13_", "TLS_", 1))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
        })
        .collect()
}

/// Builds the rustls configuration for an SSLInfo. `default_roots` are the
/// roots used when no `TrustStore` is named. Errors say what is wrong
/// (unknown store, alias, protocol or cipher).
pub fn client_config(
    info: &SslInfo<'_>,
    stores: &Stores,
    default_roots: &Arc<RootCertStore>,
) -> Result<rustls::ClientConfig, String> {
    let base = rustls::crypto::ring::default_provider();
    let suites = cipher_suites(info.ciphers, &base.cipher_suites)?;
    let provider = Arc::new(CryptoProvider {
        cipher_suites: suites,
        ..base
    });
    let versions: Vec<&'static SupportedProtocolVersion> = if info.protocols.is_empty() {
        vec![&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        info.protocols
            .iter()
            .map(|p| {
                protocol_version(p).ok_or_else(|| {
                    format!(
                        "protocol `{p}` is not supported; supported: {}",
                        SUPPORTED_PROTOCOLS.join(", ")
                    )
                })
            })
            .collect::<Result<_, _>>()?
    };
    let roots = match info.trust_store.map(store_name) {
        Some(name) => {
            let certs = stores
                .trust_stores
                .get(name)
                .ok_or_else(|| format!("trust store `{name}` is not defined in the environment"))?;
            let mut roots = RootCertStore::empty();
            for c in certs {
                roots
                    .add(c.clone())
                    .map_err(|e| format!("trust store `{name}`: unusable CA certificate: {e}"))?;
            }
            Arc::new(roots)
        }
        None => Arc::clone(default_roots),
    };
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider))
        .build()
        .map_err(|e| format!("trust store: {e}"))?;
    let mode = if info.ignore_validation_errors {
        Mode::IgnoreErrors
    } else if let Some(cn) = info.common_name {
        Mode::CommonName(
            ServerName::try_from(cn.to_owned())
                .map_err(|_| format!("CommonName `{cn}` is not a valid host name"))?,
        )
    } else {
        Mode::HostName
    };
    let verifier = Arc::new(Verifier {
        webpki,
        provider: Arc::clone(&provider),
        mode,
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| format!("protocols and ciphers do not fit together: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    // ALPN is set by the connector (HTTP/1.1).
    let config = if info.client_auth_enabled {
        let ks = info
            .key_store
            .map(store_name)
            .ok_or("ClientAuthEnabled needs a KeyStore")?;
        let alias = info.key_alias.ok_or("ClientAuthEnabled needs a KeyAlias")?;
        let entry = stores
            .key_stores
            .get(ks)
            .ok_or_else(|| format!("key store `{ks}` is not defined in the environment"))?
            .get(alias)
            .ok_or_else(|| format!("key store `{ks}` has no alias `{alias}`"))?;
        builder
            .with_client_auth_cert(entry.chain.clone(), entry.key.clone_key())
            .map_err(|e| format!("key store `{ks}` alias `{alias}`: {e}"))?
    } else {
        builder.with_no_client_auth()
    };
    Ok(config)
}

/// How the server certificate is checked.
#[derive(Debug)]
enum Mode {
    /// Chain and the connected host name (the default).
    HostName,
    /// Chain and `CommonName` instead of the host name.
    CommonName(ServerName<'static>),
    /// Nothing (`IgnoreValidationErrors`); handshake signatures still are.
    IgnoreErrors,
}

/// The server certificate verifier: web PKI verification against the
/// configured roots, with the name checked as `Mode` says.
#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
    mode: Mode,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.mode {
            Mode::HostName => {
                self.webpki
                    .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            }
            Mode::CommonName(cn) => {
                self.webpki
                    .verify_server_cert(end_entity, intermediates, cn, ocsp, now)
            }
            Mode::IgnoreErrors => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> Arc<RootCertStore> {
        Arc::new(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
    }

    #[test]
    fn jsse_cipher_names_map_to_rustls_suites() {
        let all = rustls::crypto::ring::default_provider().cipher_suites;
        let got = cipher_suites(
            &[
                "TLS_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            ],
            &all,
        )
        .unwrap(); // ok: unit test
        let names: Vec<_> = got.iter().map(|s| s.suite().as_str().unwrap()).collect(); // ok: unit test
        assert_eq!(
            names,
            [
                "TLS13_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
            ]
        );
        let err = cipher_suites(&["TLS_RSA_WITH_RC4_128_MD5"], &all).unwrap_err();
        assert!(err.starts_with("cipher `TLS_RSA_WITH_RC4_128_MD5` is not supported"));
    }

    #[test]
    fn old_protocols_and_unknown_stores_are_errors() {
        let stores = Stores::default();
        let info = SslInfo {
            protocols: &["TLSv1.1"],
            ..SslInfo::default()
        };
        let err = client_config(&info, &stores, &roots()).unwrap_err();
        assert_eq!(
            err,
            "protocol `TLSv1.1` is not supported; supported: TLSv1.2, TLSv1.3"
        );
        let info = SslInfo {
            trust_store: Some("ref://backend-ca"),
            ..SslInfo::default()
        };
        let err = client_config(&info, &stores, &roots()).unwrap_err();
        assert_eq!(
            err,
            "trust store `backend-ca` is not defined in the environment"
        );
        let info = SslInfo {
            client_auth_enabled: true,
            key_store: Some("client"),
            key_alias: Some("k"),
            ..SslInfo::default()
        };
        let err = client_config(&info, &stores, &roots()).unwrap_err();
        assert_eq!(err, "key store `client` is not defined in the environment");
    }

    #[test]
    fn tls13_only_ciphers_with_tls12_only_protocol_do_not_fit() {
        let info = SslInfo {
            protocols: &["TLSv1.2"],
            ciphers: &["TLS_AES_128_GCM_SHA256"],
            ..SslInfo::default()
        };
        let err = client_config(&info, &Stores::default(), &roots()).unwrap_err();
        assert!(
            err.starts_with("protocols and ciphers do not fit together"),
            "{err}"
        );
    }
}
