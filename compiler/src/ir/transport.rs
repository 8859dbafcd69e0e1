//! SSLInfo, LoadBalancer and HealthMonitor of an HTTPTargetConnection
//! (TargetEndpoint or ServiceCallout), validated.

/// `SSLInfo` (literal values; store references without `ref://`).
#[derive(Debug, Clone, Default)]
pub struct SslInfo {
    /// `Enabled`.
    pub enabled: bool,
    /// `ClientAuthEnabled`.
    pub client_auth_enabled: bool,
    /// `KeyStore`.
    pub key_store: Option<String>,
    /// `KeyAlias`.
    pub key_alias: Option<String>,
    /// `TrustStore`.
    pub trust_store: Option<String>,
    /// `Protocols/Protocol` (supported names only).
    pub protocols: Vec<String>,
    /// `Ciphers/Cipher` (supported names only).
    pub ciphers: Vec<String>,
    /// `CommonName`.
    pub common_name: Option<String>,
    /// `IgnoreValidationErrors`.
    pub ignore_validation_errors: bool,
}

/// `LoadBalancer/Algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `RoundRobin` (default).
    RoundRobin,
    /// `Weighted`.
    Weighted,
    /// `LeastConnections`.
    LeastConnections,
}

/// `LoadBalancer/Server`.
#[derive(Debug, Clone)]
pub struct LbServer {
    /// `@name` (a TargetServer).
    pub name: String,
    /// `Weight` (1 when absent).
    pub weight: u32,
    /// `IsFallback`.
    pub is_fallback: bool,
    /// `IsEnabled`.
    pub is_enabled: bool,
}

/// `LoadBalancer`.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// `Algorithm`.
    pub algorithm: Algorithm,
    /// `Server`s in order.
    pub servers: Vec<LbServer>,
    /// `MaxFailures`.
    pub max_failures: u32,
    /// `RetryEnabled`.
    pub retry_enabled: bool,
    /// `ServerUnhealthyResponse/ResponseCode`s.
    pub unhealthy_codes: Vec<u16>,
    /// The enabled sibling `HealthMonitor`.
    pub health: Option<HealthMonitor>,
}

/// An enabled `HealthMonitor`.
#[derive(Debug, Clone)]
pub struct HealthMonitor {
    /// `IntervalInSec`.
    pub interval_secs: u64,
    /// The check.
    pub check: HealthCheck,
}

/// `TCPMonitor` or `HTTPMonitor`.
#[derive(Debug, Clone)]
pub enum HealthCheck {
    /// `TCPMonitor`.
    Tcp {
        /// `ConnectTimeoutInSec`.
        connect_timeout_secs: u64,
        /// `Port`.
        port: Option<u16>,
    },
    /// `HTTPMonitor`.
    Http(HttpCheck),
}

/// `HTTPMonitor`.
#[derive(Debug, Clone, Default)]
pub struct HttpCheck {
    /// `Request/ConnectTimeoutInSec`.
    pub connect_timeout_secs: u64,
    /// `Request/SocketReadTimeoutInSec`.
    pub read_timeout_secs: u64,
    /// `Request/Port`.
    pub port: Option<u16>,
    /// `Request/Verb`.
    pub verb: String,
    /// `Request/Path`.
    pub path: String,
    /// `Request/Header`s.
    pub headers: Vec<(String, String)>,
    /// `Request/Payload`.
    pub payload: Option<String>,
    /// `Request/IsSSL`.
    pub is_ssl: bool,
    /// `Request/UseTargetServerSSLInfo`.
    pub use_target_server_ssl_info: bool,
    /// `Request/IncludeHealthCheckIdHeader`.
    pub include_health_check_id_header: bool,
    /// `SuccessResponse/ResponseCode`s.
    pub success_codes: Vec<u16>,
    /// `SuccessResponse/Header`s.
    pub success_headers: Vec<(String, String)>,
}
