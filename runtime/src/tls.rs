//! Reading PEM certificate and key files named by the environment.

use crate::env::ConfigError;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::path::Path;

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
