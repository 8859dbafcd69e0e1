//! Reading PEM certificate and key files named by the environment, and the
//! environment's TLS stores: key stores (certificate chain + private key per
//! alias, for mutual TLS) and trust stores (CA certificates).

use crate::env::ConfigError;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads every certificate of a PEM file; an unreadable file or a file with
/// no certificate is an error naming the file.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let err = |message: String| ConfigError {
        file: path.to_owned(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(err("no CERTIFICATE block found".into()));
    }
    Ok(certs)
}

/// Reads the first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file.
pub fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        message: format!("cannot read: {e}"),
    })?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| ConfigError {
        file: path.to_owned(),
        message: format!("no usable PEM private key: {e}"),
    })
}

/// `[key_stores.<name>]`: one or more aliases, each a certificate chain and
/// its private key.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct KeyStoreConfig {
    /// Alias → key entry (`KeyAlias` in an SSLInfo picks one).
    pub aliases: BTreeMap<String, KeyEntryConfig>,
}

/// One key store alias.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntryConfig {
    /// PEM file with the certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM file with the private key.
    pub key: PathBuf,
}

/// `[trust_stores.<name>]`: CA certificates trusted for a connection.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TrustStoreConfig {
    /// PEM files with CA certificates.
    pub certs: Vec<PathBuf>,
}

/// A loaded key store alias.
#[derive(Debug)]
pub struct KeyEntry {
    /// The certificate chain.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key.
    pub key: PrivateKeyDer<'static>,
}

/// The environment's key stores and trust stores, read and checked at start-up.
#[derive(Debug, Default)]
pub struct Stores {
    /// Key store → alias → entry.
    pub key_stores: BTreeMap<String, BTreeMap<String, Arc<KeyEntry>>>,
    /// Trust store → CA certificates.
    pub trust_stores: BTreeMap<String, Vec<CertificateDer<'static>>>,
}

impl Stores {
    /// Reads every store; an unreadable or invalid file is an error naming
    /// the file and the store entry.
    pub fn load(
        keys: &BTreeMap<String, KeyStoreConfig>,
        trusts: &BTreeMap<String, TrustStoreConfig>,
    ) -> Result<Self, ConfigError> {
        let entry_err = |what: String| {
            move |e: ConfigError| ConfigError {
                file: e.file,
                message: format!("{what}: {}", e.message),
            }
        };
        let mut stores = Stores::default();
        for (name, ks) in keys {
            let mut aliases = BTreeMap::new();
            for (alias, entry) in &ks.aliases {
                let what = format!("key_stores.{name}.aliases.{alias}");
                let chain = read_certs(&entry.cert).map_err(entry_err(what.clone()))?;
                let key = read_key(&entry.key).map_err(entry_err(what))?;
                aliases.insert(alias.clone(), Arc::new(KeyEntry { chain, key }));
            }
            stores.key_stores.insert(name.clone(), aliases);
        }
        for (name, ts) in trusts {
            let what = format!("trust_stores.{name}");
            let mut certs = Vec::new();
            for path in &ts.certs {
                certs.extend(read_certs(path).map_err(entry_err(what.clone()))?);
            }
            stores.trust_stores.insert(name.clone(), certs);
        }
        Ok(stores)
    }
}

/// A store reference as written in an SSLInfo: `ref://name` or `name`.
pub fn store_name(reference: &str) -> &str {
    reference.strip_prefix("ref://").unwrap_or(reference).trim()
}
