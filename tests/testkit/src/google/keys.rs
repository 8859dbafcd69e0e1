//! Key material for tests: RSA service-account keys (PKCS#8 PEM, generated with the
//! `rsa` crate) and the HS256 signer local servers use for the ID tokens they issue.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};

/// Modulus size of generated keys (what Google issues).
const RSA_BITS: usize = 2048;

/// E-mail of the key returned by [`ServiceAccountKey::shared`].
pub const SHARED_CLIENT_EMAIL: &str = "proxyc-test@proxyc-local.iam.gserviceaccount.com";

/// A freshly generated service-account key pair. `Debug` hides the private key.
#[derive(Clone)]
pub struct ServiceAccountKey {
    /// The account's e-mail (`iss` of its assertions).
    pub client_email: String,
    /// Key id (`kid` header).
    pub private_key_id: String,
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as in Google key files.
    pub private_key_pem: String,
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_key_pem: String,
}

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .finish_non_exhaustive()
    }
}

impl ServiceAccountKey {
    /// Generates a 2048-bit RSA key for `client_email` (takes a moment in debug builds;
    /// prefer [`ServiceAccountKey::shared`]).
    pub fn generate(client_email: &str) -> io::Result<Self> {
        let mut rng = rsa::rand_core::OsRng;
        let private = RsaPrivateKey::new(&mut rng, RSA_BITS).map_err(io::Error::other)?;
        let private_key_pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(io::Error::other)?
            .to_string();
        let public_key_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(io::Error::other)?;
        Ok(ServiceAccountKey {
            client_email: client_email.to_owned(),
            private_key_id: uuid::Uuid::new_v4().simple().to_string(),
            private_key_pem,
            public_key_pem,
        })
    }

    /// One key for [`SHARED_CLIENT_EMAIL`], generated on first use and reused by every
    /// test in the process.
    pub fn shared() -> io::Result<&'static Self> {
        static SHARED: OnceLock<ServiceAccountKey> = OnceLock::new();
        if let Some(key) = SHARED.get() {
            return Ok(key);
        }
        let key = Self::generate(SHARED_CLIENT_EMAIL)?;
        Ok(SHARED.get_or_init(|| key))
    }

    /// The Google JSON key file for this key, naming `token_uri`.
    pub fn key_file_json(&self, token_uri: &str) -> String {
        json!({
            "type": "service_account",
            "project_id": "proxyc-local",
            "private_key_id": self.private_key_id,
            "private_key": self.private_key_pem,
            "client_email": self.client_email,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
        })
        .to_string()
    }

    /// Writes [`key_file_json`](Self::key_file_json) to a fresh temporary file that is
    /// deleted when the returned guard drops.
    pub fn write_key_file(&self, token_uri: &str) -> io::Result<KeyFile> {
        let path = std::env::temp_dir().join(format!(
            "proxyc-testkit-sa-{}.json",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, self.key_file_json(token_uri))?;
        Ok(KeyFile { path })
    }
}

/// A temporary key file, removed on drop.
#[derive(Debug)]
pub struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        // Best effort: a leftover temp file is harmless.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// HS256 signer/verifier of the ID tokens a local server issues (per-server secret).
pub(crate) struct IdTokenSigner {
    secret: Vec<u8>,
}

impl IdTokenSigner {
    /// A signer with a random 32-byte secret.
    pub(crate) fn new() -> Self {
        let mut secret = uuid::Uuid::new_v4().as_bytes().to_vec();
        secret.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        IdTokenSigner { secret }
    }

    /// Signs `claims` into a compact JWT.
    pub(crate) fn sign(&self, claims: &Value) -> Option<String> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("local".to_owned());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(&self.secret)).ok()
    }

    /// The claims of `jwt` if this signer issued it and it has not expired.
    pub(crate) fn verify(&self, jwt: &str) -> Option<Value> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
        jsonwebtoken::decode::<Value>(jwt, &DecodingKey::from_secret(&self.secret), &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}
