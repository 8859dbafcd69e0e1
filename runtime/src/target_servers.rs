//! TargetServers of the environment: `[target_servers.<name>]` in the
//! environment file, and Apigee tooling's `targetServers.json` files (a JSON
//! array of TargetServer objects, booleans sometimes written as strings).

use crate::env::ConfigError;
use crate::tls_client::SslInfo;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;

/// `[target_servers.<name>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetServerConfig {
    /// Host name (no scheme).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Disabled servers are never used (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `HTTP` (the only protocol proxyc speaks to target servers).
    #[serde(default = "http")]
    pub protocol: String,
    /// TLS settings; `ssl_info.enabled` decides https.
    pub ssl_info: Option<SslConfig>,
}

fn yes() -> bool {
    true
}

fn http() -> String {
    "HTTP".into()
}

/// A TargetServer's SSLInfo in the environment file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SslConfig {
    /// Use TLS.
    pub enabled: bool,
    /// Mutual TLS with `key_store`/`key_alias`.
    pub client_auth_enabled: bool,
    /// Key store name.
    pub key_store: Option<String>,
    /// Alias in the key store.
    pub key_alias: Option<String>,
    /// Trust store name (default: web PKI roots plus `trust_anchors`).
    pub trust_store: Option<String>,
    /// `TLSv1.2`, `TLSv1.3` (empty = both).
    pub protocols: Vec<String>,
    /// IANA/JSSE cipher suite names (empty = defaults).
    pub ciphers: Vec<String>,
    /// Name the server certificate must be valid for.
    pub common_name: Option<String>,
    /// Accept any server certificate (dangerous; warned about at start-up).
    pub ignore_validation_errors: bool,
}

impl SslConfig {
    /// Calls `f` with the settings as an [`SslInfo`].
    pub fn with_info<R>(&self, f: impl FnOnce(&SslInfo<'_>) -> R) -> R {
        let protocols: Vec<&str> = self.protocols.iter().map(String::as_str).collect();
        let ciphers: Vec<&str> = self.ciphers.iter().map(String::as_str).collect();
        f(&SslInfo {
            enabled: self.enabled,
            client_auth_enabled: self.client_auth_enabled,
            key_store: self.key_store.as_deref(),
            key_alias: self.key_alias.as_deref(),
            trust_store: self.trust_store.as_deref(),
            protocols: &protocols,
            ciphers: &ciphers,
            common_name: self.common_name.as_deref(),
            ignore_validation_errors: self.ignore_validation_errors,
        })
    }
}

/// A boolean written as `true` or `"true"` (Apigee tooling writes both).
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Text(String),
    }
    match Option::<B>::deserialize(d)? {
        None => Ok(None),
        Some(B::Bool(b)) => Ok(Some(b)),
        Some(B::Text(t)) => match t.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom(format!(
                "expected true or false, found \"{t}\""
            ))),
        },
    }
}

/// A port written as `443` or `"443"`.
fn lenient_port<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum P {
        Num(u16),
        Text(String),
    }
    match P::deserialize(d)? {
        P::Num(p) => Ok(p),
        P::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("expected a port, found \"{t}\""))),
    }
}

/// One entry of a `targetServers.json` array.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonTargetServer {
    name: String,
    host: String,
    #[serde(deserialize_with = "lenient_port")]
    port: u16,
    #[serde(default, deserialize_with = "lenient_bool", alias = "enabled")]
    is_enabled: Option<bool>,
    protocol: Option<String>,
    #[serde(rename = "sSLInfo", alias = "sslInfo")]
    ssl_info: Option<JsonSslInfo>,
}

/// `sSLInfo` of a `targetServers.json` entry.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct JsonSslInfo {
    #[serde(deserialize_with = "lenient_bool")]
    enabled: Option<bool>,
    #[serde(deserialize_with = "lenient_bool")]
    client_auth_enabled: Option<bool>,
    key_store: Option<String>,
    key_alias: Option<String>,
    trust_store: Option<String>,
    protocols: Vec<String>,
    ciphers: Vec<String>,
    common_name: Option<String>,
    #[serde(deserialize_with = "lenient_bool")]
    ignore_validation_errors: Option<bool>,
}

/// Reads a `targetServers.json` file into named TargetServers.
pub fn read_json(path: &Path) -> Result<BTreeMap<String, TargetServerConfig>, ConfigError> {
    let err = |message: String| ConfigError {
        file: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let list: Vec<JsonTargetServer> =
        serde_json::from_str(&text).map_err(|e| err(format!("not a TargetServer array: {e}")))?;
    let mut out = BTreeMap::new();
    for ts in list {
        let ssl_info = ts.ssl_info.map(|s| SslConfig {
            enabled: s.enabled.unwrap_or(false),
            client_auth_enabled: s.client_auth_enabled.unwrap_or(false),
            key_store: s.key_store,
            key_alias: s.key_alias,
            trust_store: s.trust_store,
            protocols: s.protocols,
            ciphers: s.ciphers,
            common_name: s.common_name,
            ignore_validation_errors: s.ignore_validation_errors.unwrap_or(false),
        });
        let name = ts.name;
        let server = TargetServerConfig {
            host: ts.host,
            port: ts.port,
            enabled: ts.is_enabled.unwrap_or(true),
            protocol: ts.protocol.unwrap_or_else(http),
            ssl_info,
        };
        if out.insert(name.clone(), server).is_some() {
            return Err(err(format!("TargetServer `{name}` is defined twice")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_booleans_and_both_enabled_spellings() {
        let dir = std::env::temp_dir().join(format!("proxyc-ts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap(); // ok: unit test
        let file = dir.join("targetServers.json");
        std::fs::write(
            &file,
            r#"[{"name":"a","host":"h","port":"443","enabled":"false","sSLInfo":{"enabled":"true","ignoreValidationErrors":false}},
                {"name":"b","host":"k","port":8080,"isEnabled":true,"description":"x"}]"#,
        )
        .unwrap(); // ok: unit test
        let got = read_json(&file).unwrap(); // ok: unit test
        assert!(!got["a"].enabled);
        assert_eq!(got["a"].port, 443);
        assert!(got["a"].ssl_info.as_ref().unwrap().enabled); // ok: unit test
        assert!(got["b"].enabled && got["b"].ssl_info.is_none());
        std::fs::write(
            &file,
            r#"[{"name":"a","host":"h","port":1,"isEnabled":"yes"}]"#,
        )
        .unwrap(); // ok: unit test
        let err = read_json(&file).unwrap_err();
        assert!(
            err.message
                .contains("expected true or false, found \"yes\""),
            "{}",
            err.message
        );
        std::fs::remove_dir_all(&dir).unwrap(); // ok: unit test
    }
}
