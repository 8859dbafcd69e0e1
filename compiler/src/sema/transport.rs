//! SSLInfo, LoadBalancer and HealthMonitor of an HTTPTargetConnection
//! (TargetEndpoint and ServiceCallout), and the URL-or-LoadBalancer rule.

use super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::syntax::xml::{Element, Text};

/// Protocol names rustls implements.
const PROTOCOLS: &[&str] = &["TLSv1.2", "TLSv1.3"];

/// Cipher suites rustls implements, by IANA/JSSE name.
const CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

const SSL_CHILDREN: &[&str] = &[
    "Enabled",
    "Enforce",
    "ClientAuthEnabled",
    "KeyStore",
    "KeyAlias",
    "TrustStore",
    "IgnoreValidationErrors",
    "Ciphers",
    "Protocols",
    "CommonName",
];

/// The children of an `HTTPTargetConnection` (TargetEndpoint and ServiceCallout).
pub(super) const HTTP_CONNECTION_CHILDREN: &[&str] = &[
    "URL",
    "LoadBalancer",
    "Path",
    "SSLInfo",
    "Properties",
    "Authentication",
    "HealthMonitor",
];

impl Sema<'_> {
    /// Properties, SSLInfo and LoadBalancer (with its HealthMonitor) of an
    /// HTTPTargetConnection, and the URL template: `<URL>`, or `<Path>`
    /// (empty when absent) with a LoadBalancer. `None` after an error.
    pub(super) fn http_transport(
        &mut self,
        conn: &Element,
        url: impl FnOnce(&mut Self, &Text) -> Option<ir::Template>,
    ) -> Option<(ir::Template, ir::TargetProps)> {
        let mut props = self.target_props(conn);
        props.tls = match conn.child("SSLInfo") {
            Some(s) => Some(self.ssl_info(s)?),
            None => None,
        };
        let health = conn.child("HealthMonitor");
        let url_text = conn.child_text("URL").filter(|t| !t.trimmed().is_empty());
        let Some(lb) = conn.child("LoadBalancer") else {
            if let Some(p) = conn.child("Path") {
                self.diags.push(
                    Diagnostic::warning(
                        Code::PATH_WITHOUT_LOAD_BALANCER,
                        "<Path> is only used with a <LoadBalancer>; it is ignored",
                    )
                    .at(p.span(), "ignored")
                    .help("put the path in the <URL>"),
                );
            }
            if let Some(h) = health {
                self.idle_monitor(h, "there is no <LoadBalancer> to watch");
            }
            return Some((url(self, url_text?)?, props));
        };
        if let Some(u) = url_text {
            self.diags.push(
                Diagnostic::error(
                    Code::URL_AND_LOAD_BALANCER,
                    "an HTTPTargetConnection has both <URL> and <LoadBalancer>",
                )
                .at(u.span(), "URL here")
                .also(lb.span(), "LoadBalancer here")
                .help("keep one: a <URL>, or a <LoadBalancer> of TargetServers with an optional <Path>"),
            );
            return None;
        }
        props.balancer = Some(self.load_balancer(lb, health)?);
        let path = match conn.child_text("Path") {
            Some(p) => self.value_template(p)?,
            None => self.value_template(&Text::synthetic("", &lb.span()))?,
        };
        Some((path, props))
    }

    /// A literal SSLInfo child value (`None` when absent).
    fn tls_text(&mut self, el: &Element, child: &str) -> Option<Option<String>> {
        let Some(c) = el.child(child) else {
            return Some(None);
        };
        let text = c.text_str();
        if text.contains('{') {
            self.diags.push(
                Diagnostic::error(
                    Code::TLS_NOT_LITERAL,
                    format!("<{child}> must be literal text in proxyc"),
                )
                .at(c.span(), "a reference")
                .help("name the store directly (`name` or `ref://name`); stores come from the environment file"),
            );
            return None;
        }
        Some(Some(text.to_owned()).filter(|t| !t.is_empty()))
    }

    fn tls_bool(&mut self, el: &Element, child: &str) -> Option<bool> {
        let c = el.child(child);
        if c.is_some_and(|c| c.text_str().contains('{')) {
            self.tls_text(el, child)?;
        }
        Some(self.bool_text(c, false))
    }

    fn ssl_info(&mut self, el: &Element) -> Option<ir::SslInfo> {
        self.check_children(el, SSL_CHILDREN);
        let enforce = self.tls_bool(el, "Enforce")?;
        let mut info = ir::SslInfo {
            enabled: self.tls_bool(el, "Enabled")?,
            client_auth_enabled: self.tls_bool(el, "ClientAuthEnabled")?,
            key_store: self.tls_text(el, "KeyStore")?,
            key_alias: self.tls_text(el, "KeyAlias")?,
            trust_store: self.tls_text(el, "TrustStore")?,
            common_name: self.tls_text(el, "CommonName")?,
            ignore_validation_errors: self.tls_bool(el, "IgnoreValidationErrors")?,
            ..ir::SslInfo::default()
        };
        for s in [&mut info.key_store, &mut info.trust_store]
            .into_iter()
            .flatten()
        {
            *s = s.strip_prefix("ref://").unwrap_or(s).to_owned();
        }
        let mut ok = true;
        for (list, item, known, code) in [
            ("Protocols", "Protocol", PROTOCOLS, Code::TLS_PROTOCOL),
            ("Ciphers", "Cipher", CIPHERS, Code::TLS_CIPHER),
        ] {
            let Some(l) = el.child(list) else { continue };
            self.check_children(l, &[item]);
            for p in l.children_named(item) {
                let name = p.text_str();
                if known.contains(&name) {
                    let out = if item == "Protocol" {
                        &mut info.protocols
                    } else {
                        &mut info.ciphers
                    };
                    out.push(name.to_owned());
                } else {
                    ok = false;
                    self.diags.push(
                        Diagnostic::error(code, format!("{item} `{name}` is not supported"))
                            .at(p.span(), "not supported by rustls")
                            .help(format!("use one of: {}", known.join(", "))),
                    );
                }
            }
        }
        if info.client_auth_enabled && (info.key_store.is_none() || info.key_alias.is_none()) {
            ok = false;
            self.diags.push(
                Diagnostic::error(
                    Code::TLS_CLIENT_AUTH,
                    "ClientAuthEnabled needs a <KeyStore> and a <KeyAlias>",
                )
                .at(el.span(), "mutual TLS without a client certificate")
                .help("add <KeyStore>name</KeyStore><KeyAlias>alias</KeyAlias> naming a key store of the environment"),
            );
        }
        if info.ignore_validation_errors {
            if enforce {
                // Enforce wins: validation stays on.
                info.ignore_validation_errors = false;
            } else if let Some(c) = el.child("IgnoreValidationErrors") {
                self.diags.push(
                    Diagnostic::warning(
                        Code::TLS_NO_VERIFY,
                        "IgnoreValidationErrors: the backend's certificate will NOT be verified",
                    )
                    .at(c.span(), "certificate verification off")
                    .help("trust the backend's CA with a <TrustStore> instead"),
                );
            }
        }
        ok.then_some(info)
    }

    fn load_balancer(
        &mut self,
        lb: &Element,
        health: Option<&Element>,
    ) -> Option<ir::LoadBalancer> {
        self.check_children(
            lb,
            &[
                "Algorithm",
                "Server",
                "MaxFailures",
                "RetryEnabled",
                "ServerUnhealthyResponse",
                "TargetDisableSecs",
            ],
        );
        let algorithm = match lb.child("Algorithm").map(Element::text_str) {
            None | Some("RoundRobin" | "") => ir::Algorithm::RoundRobin,
            Some("Weighted") => ir::Algorithm::Weighted,
            Some("LeastConnections") => ir::Algorithm::LeastConnections,
            Some(other) => {
                let el = lb.child("Algorithm").unwrap_or(lb);
                self.diags.push(
                    Diagnostic::error(
                        Code::LB_ALGORITHM,
                        format!("unknown load balancing algorithm `{other}`"),
                    )
                    .at(el.span(), "unknown algorithm")
                    .help("use RoundRobin, Weighted or LeastConnections"),
                );
                return None;
            }
        };
        let mut servers = Vec::new();
        for s in lb.children_named("Server") {
            self.check_children(s, &["Weight", "IsFallback", "IsEnabled"]);
            let Some(name) = s.attr("name").map(Text::trimmed).filter(|n| !n.is_empty()) else {
                self.missing(
                    s,
                    "name",
                    "name the TargetServer: <Server name=\"backend-1\"/>",
                );
                return None;
            };
            let weight = match s.child("Weight") {
                None => 1,
                Some(w) => self.positive(w)?,
            };
            servers.push(ir::LbServer {
                name: name.to_owned(),
                weight,
                is_fallback: self.bool_text(s.child("IsFallback"), false),
                is_enabled: self.bool_text(s.child("IsEnabled"), true),
            });
        }
        if servers.is_empty() {
            self.diags.push(
                Diagnostic::error(Code::LB_NO_SERVER, "the LoadBalancer has no <Server>")
                    .at(lb.span(), "no servers")
                    .help("add <Server name=\"target-server-name\"/> for each TargetServer"),
            );
            return None;
        }
        let mut fallbacks = lb
            .children_named("Server")
            .filter(|s| self.bool_text(s.child("IsFallback"), false));
        if let (Some(_), Some(second)) = (fallbacks.next(), fallbacks.next()) {
            self.diags.push(
                Diagnostic::error(
                    Code::LB_FALLBACK,
                    "a LoadBalancer has at most one fallback Server",
                )
                .at(second.span(), "second fallback")
                .help("mark only one <Server> with <IsFallback>true</IsFallback>"),
            );
            return None;
        }
        let max_failures = match lb.child("MaxFailures") {
            None => 0,
            Some(m) if m.text_str() == "0" => 0,
            Some(m) => self.positive(m)?,
        };
        let mut unhealthy_codes = Vec::new();
        if let Some(u) = lb.child("ServerUnhealthyResponse") {
            self.check_children(u, &["ResponseCode"]);
            for c in u.children_named("ResponseCode") {
                match c.text_str().parse::<u16>() {
                    Ok(code) if (100..=599).contains(&code) => unhealthy_codes.push(code),
                    _ => {
                        self.bad_number(c, "an HTTP status code such as 503");
                        return None;
                    }
                }
            }
        }
        let health = match health {
            Some(h) => self.health_monitor(h, max_failures)?,
            None => None,
        };
        Some(ir::LoadBalancer {
            algorithm,
            servers,
            max_failures,
            retry_enabled: self.bool_text(lb.child("RetryEnabled"), true),
            unhealthy_codes,
            health,
        })
    }

    fn bad_number(&mut self, el: &Element, what: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::INVALID_VALUE,
                format!("<{}> `{}` is not {what}", el.name, el.text_str()),
            )
            .at(el.span(), "invalid number")
            .help(format!("write {what}")),
        );
    }

    fn positive(&mut self, el: &Element) -> Option<u32> {
        match el.text_str().parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                self.bad_number(el, "a positive integer");
                None
            }
        }
    }

    fn seconds(&mut self, el: Option<&Element>) -> Option<u64> {
        match el {
            None => Some(0),
            Some(e) => match e.text_str().parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.bad_number(e, "a number of seconds");
                    None
                }
            },
        }
    }

    fn port(&mut self, el: Option<&Element>) -> Option<Option<u16>> {
        match el {
            None => Some(None),
            Some(e) => match e.text_str().parse::<u16>() {
                Ok(p) if p > 0 => Some(Some(p)),
                _ => {
                    self.bad_number(e, "a port number");
                    None
                }
            },
        }
    }

    fn idle_monitor(&mut self, h: &Element, why: &str) {
        self.diags.push(
            Diagnostic::warning(
                Code::HEALTH_MONITOR_IDLE,
                format!("the HealthMonitor has no effect: {why}"),
            )
            .at(h.span(), "never runs")
            .help("HealthMonitors watch LoadBalancer servers and need <IsEnabled>true</IsEnabled> and <MaxFailures> above 0"),
        );
    }

    /// An enabled HealthMonitor (`Some(None)` when it never runs).
    fn health_monitor(
        &mut self,
        h: &Element,
        max_failures: u32,
    ) -> Option<Option<ir::HealthMonitor>> {
        self.check_children(
            h,
            &["IsEnabled", "IntervalInSec", "TCPMonitor", "HTTPMonitor"],
        );
        if !self.bool_text(h.child("IsEnabled"), false) {
            self.idle_monitor(h, "<IsEnabled> is not true");
            return Some(None);
        }
        if max_failures == 0 {
            self.idle_monitor(h, "<MaxFailures> is 0, so no server ever leaves rotation");
            return Some(None);
        }
        let interval_secs = self.seconds(h.child("IntervalInSec"))?;
        let invalid = |s: &mut Self, msg: &str| {
            s.diags.push(
                Diagnostic::error(Code::HEALTH_MONITOR, msg.to_owned())
                    .at(h.span(), "incomplete HealthMonitor")
                    .help("give <IntervalInSec> (> 0) and one <TCPMonitor> or <HTTPMonitor>"),
            );
        };
        if interval_secs == 0 {
            invalid(self, "the HealthMonitor needs <IntervalInSec> above 0");
            return None;
        }
        let check = match (h.child("TCPMonitor"), h.child("HTTPMonitor")) {
            (Some(t), None) => {
                self.check_children(t, &["ConnectTimeoutInSec", "Port"]);
                ir::HealthCheck::Tcp {
                    connect_timeout_secs: self.seconds(t.child("ConnectTimeoutInSec"))?,
                    port: self.port(t.child("Port"))?,
                }
            }
            (None, Some(m)) => ir::HealthCheck::Http(self.http_monitor(m)?),
            _ => {
                invalid(
                    self,
                    "the HealthMonitor needs exactly one of <TCPMonitor> and <HTTPMonitor>",
                );
                return None;
            }
        };
        Some(Some(ir::HealthMonitor {
            interval_secs,
            check,
        }))
    }

    fn http_monitor(&mut self, m: &Element) -> Option<ir::HttpCheck> {
        self.check_children(m, &["Request", "SuccessResponse"]);
        let req = m.child("Request");
        let mut check = ir::HttpCheck {
            verb: "GET".into(),
            path: "/".into(),
            ..ir::HttpCheck::default()
        };
        let headers = |el: Option<&Element>| -> Vec<(String, String)> {
            el.map(|e| {
                e.children_named("Header")
                    .filter_map(|h| {
                        Some((
                            h.attr("name")?.trimmed().to_owned(),
                            h.text_str().to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
        if let Some(r) = req {
            self.check_children(
                r,
                &[
                    "ConnectTimeoutInSec",
                    "SocketReadTimeoutInSec",
                    "Port",
                    "Verb",
                    "Path",
                    "Header",
                    "Payload",
                    "IsSSL",
                    "TrustAllSSL",
                    "UseTargetServerSSLInfo",
                    "IncludeHealthCheckIdHeader",
                ],
            );
            if let Some(t) = r.child("TrustAllSSL").filter(|t| t.text_str() == "true") {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNSUPPORTED_FEATURE,
                        "<TrustAllSSL> is not supported: health checks verify certificates",
                    )
                    .at(t.span(), "not supported")
                    .help("use <UseTargetServerSSLInfo>true</UseTargetServerSSLInfo> with the server's trust store"),
                );
                return None;
            }
            check.connect_timeout_secs = self.seconds(r.child("ConnectTimeoutInSec"))?;
            check.read_timeout_secs = self.seconds(r.child("SocketReadTimeoutInSec"))?;
            check.port = self.port(r.child("Port"))?;
            if let Some(v) = r.child_text("Verb").filter(|v| !v.trimmed().is_empty()) {
                check.verb = v.trimmed().to_ascii_uppercase();
            }
            if let Some(p) = r.child_text("Path").filter(|p| !p.trimmed().is_empty()) {
                check.path = p.trimmed().to_owned();
            }
            check.headers = headers(Some(r));
            check.payload = r.child("Payload").map(|p| p.text_str().to_owned());
            check.is_ssl = self.bool_text(r.child("IsSSL"), false);
            check.use_target_server_ssl_info =
                self.bool_text(r.child("UseTargetServerSSLInfo"), false);
            check.include_health_check_id_header =
                self.bool_text(r.child("IncludeHealthCheckIdHeader"), false);
        }
        if let Some(s) = m.child("SuccessResponse") {
            self.check_children(s, &["ResponseCode", "Header"]);
            for c in s.children_named("ResponseCode") {
                match c.text_str().parse::<u16>() {
                    Ok(code) if (100..=599).contains(&code) => check.success_codes.push(code),
                    _ => {
                        self.bad_number(c, "an HTTP status code such as 200");
                        return None;
                    }
                }
            }
            check.success_headers = headers(Some(s));
        }
        Some(check)
    }
}
