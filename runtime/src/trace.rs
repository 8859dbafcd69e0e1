//! A per-request timeline like Apigee's Debug tool shows: flows entered,
//! conditions and their results, policies run, faults. Secrets are masked.

use crate::fault::Fault;
use crate::flow::PolicyMeta;
use std::fmt::Write as _;
use std::time::Duration;

/// One entry of the timeline.
#[derive(Debug, Clone)]
pub enum TraceEvent {
    /// A flow was entered (segment label, flow name).
    Flow(&'static str, &'static str),
    /// A condition was evaluated.
    Condition {
        /// Its source text.
        text: &'static str,
        /// Its result.
        value: bool,
    },
    /// A policy ran.
    Policy {
        /// Policy name.
        name: &'static str,
        /// Policy type.
        kind: &'static str,
        /// `ok`, `failed`, `failed, continued`.
        outcome: &'static str,
        /// How long it took.
        elapsed: Duration,
        /// Error code of its fault, if any.
        fault: Option<String>,
    },
    /// A fault was raised and the error flow entered.
    Fault {
        /// Error code.
        code: String,
        /// Status.
        status: u16,
    },
    /// A note from the runtime (route chosen, target called, …).
    Note(String),
}

/// The timeline of one request.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    /// Events in order.
    pub events: Vec<TraceEvent>,
    /// Values masked where they were seen; masked wherever else they show
    /// up (a backend echoing a credential, a variable copied from one).
    secrets: Vec<String>,
}

/// Header names whose values are always masked in traces.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// Whether a header's value must be masked.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// Words that mark a variable as secret (its value is masked in traces).
const SECRET_WORDS: &[&str] = &[
    "authorization",
    "token",
    "secret",
    "password",
    "apikey",
    "api_key",
    "credential",
];

/// The value to show for a variable in a trace: `***` for secrets (by name,
/// `private.` variables as Apigee masks them, or listed in the
/// environment's `trace_mask`), the value otherwise.
pub fn masked<'a>(name: &str, value: &'a str, mask: &[String]) -> &'a str {
    if is_masked(name, mask) { "***" } else { value }
}

/// Whether a variable's value is masked in traces (see [`masked`]).
pub fn is_masked(name: &str, mask: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("private.")
        || SECRET_WORDS.iter().any(|w| lower.contains(w))
        || mask.iter().any(|m| m.eq_ignore_ascii_case(name))
}

/// The value to show for a header of `message` (`request`, `response`):
/// secret headers always masked; `trace_mask` entries match the bare header
/// name or the variable (`request.header.x-card`).
pub fn masked_header<'a>(message: &str, name: &str, value: &'a str, mask: &[String]) -> &'a str {
    let secret = is_secret_header(name)
        || is_masked(name, mask)
        || is_masked(&format!("{message}.header.{name}"), mask);
    if secret { "***" } else { value }
}

/// A URI as a trace shows it: query parameters whose names are secret
/// (`access_token`, `key`, `trace_mask` entries as bare names or
/// `request.queryparam.<name>`) have their values replaced by `***`.
pub fn masked_uri(uri: &str, mask: &[String]) -> String {
    let Some((path, query)) = uri.split_once('?') else {
        return uri.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            if is_masked_param(&decoded, mask) && !value.is_empty() {
                format!("{name}=***")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

/// Whether a query parameter's value is masked: secret-looking names,
/// `key` (API keys), or `trace_mask` entries (bare or `request.queryparam.<name>`).
pub fn is_masked_param(name: &str, mask: &[String]) -> bool {
    name.eq_ignore_ascii_case("key")
        || is_masked(name, mask)
        || is_masked(&format!("request.queryparam.{name}"), mask)
}

impl Trace {
    /// Registers a masked value: the rendered timeline shows `***` wherever
    /// it appears (for `Authorization`, the credential after the scheme
    /// too). Values shorter than 4 bytes are not tracked.
    pub fn secret(&mut self, value: &str) {
        let credential = value.split_once(' ').map(|(_, c)| c.trim());
        for v in std::iter::once(value).chain(credential) {
            if v.len() >= 4 && !self.secrets.iter().any(|s| s == v) {
                self.secrets.push(v.to_owned());
            }
        }
    }

    /// Records a flow entry in a segment (e.g. `proxy request`).
    pub fn flow(&mut self, segment: &'static str, name: &'static str) {
        self.events.push(TraceEvent::Flow(segment, name));
    }

    /// Records a condition.
    pub fn condition(&mut self, text: &'static str, value: bool) {
        self.events.push(TraceEvent::Condition { text, value });
    }

    /// Records a policy execution.
    pub fn policy(
        &mut self,
        meta: &PolicyMeta,
        outcome: &'static str,
        elapsed: Duration,
        fault: Option<&Fault>,
    ) {
        self.events.push(TraceEvent::Policy {
            name: meta.name,
            kind: meta.kind,
            outcome,
            elapsed,
            fault: fault.map(|f| f.code.to_string()),
        });
    }

    /// Records a fault.
    pub fn fault(&mut self, fault: &Fault) {
        self.events.push(TraceEvent::Fault {
            code: fault.code.to_string(),
            status: fault.status,
        });
    }

    /// Records a note.
    pub fn note(&mut self, note: String) {
        self.events.push(TraceEvent::Note(note));
    }

    /// Renders the timeline for a terminal.
    pub fn render(&self, title: &str) -> String {
        let mut out = format!("── trace {title}\n");
        for e in &self.events {
            let _ = match e {
                TraceEvent::Flow(segment, name) => writeln!(out, "  ▸ {segment}: {name}"),
                TraceEvent::Condition { text, value } => {
                    writeln!(out, "      condition ({text}) → {value}")
                }
                TraceEvent::Policy {
                    name,
                    kind,
                    outcome,
                    elapsed,
                    fault,
                } => writeln!(
                    out,
                    "      policy {name} [{kind}] {outcome} in {}µs{}",
                    elapsed.as_micros(),
                    fault
                        .as_ref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                ),
                TraceEvent::Fault { code, status } => writeln!(out, "  ✖ fault {code} → {status}"),
                TraceEvent::Note(n) => writeln!(out, "      {n}"),
            };
        }
        let mut secrets: Vec<&String> = self.secrets.iter().collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for s in secrets {
            out = out.replace(s.as_str(), "***");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        assert!(is_secret_header("Authorization"));
        assert_eq!(masked("request.header.x-api-token", "abc", &[]), "***");
        assert_eq!(masked("private.secret", "abc", &[]), "***");
        assert_eq!(masked("my.var", "abc", &["my.var".to_owned()]), "***");
        assert_eq!(masked("greeting", "hello", &[]), "hello");
        assert_eq!(masked("private.pin", "1234", &[]), "***");
    }

    #[test]
    fn headers_match_bare_and_qualified_mask_entries() {
        let mask = ["request.header.x-card".to_owned(), "x-ssn".to_owned()];
        assert_eq!(
            masked_header("request", "Authorization", "Bearer a", &[]),
            "***"
        );
        assert_eq!(masked_header("request", "X-Card", "4111", &mask), "***");
        assert_eq!(masked_header("response", "x-ssn", "078", &mask), "***");
        assert_eq!(masked_header("response", "x-card", "4111", &mask), "4111");
        assert_eq!(masked_header("request", "accept", "*/*", &mask), "*/*");
    }

    #[test]
    fn uri_query_values_are_masked_by_name() {
        let mask = ["request.queryparam.card".to_owned()];
        assert_eq!(
            masked_uri("http://h/p?access_token=abc&q=1&key=k&card=4111", &mask),
            "http://h/p?access_token=***&q=1&key=***&card=***"
        );
        assert_eq!(masked_uri("http://h/p", &mask), "http://h/p");
    }

    #[test]
    fn registered_secrets_are_masked_wherever_they_appear() {
        let mut t = Trace::default();
        t.secret("Bearer abc123");
        t.secret("ab");
        t.note(r#"set body = {"authorization":"Bearer abc123","raw":"abc123","ab":1}"#.into());
        let text = t.render("GET /x");
        assert!(
            text.contains(r#"{"authorization":"***","raw":"***","ab":1}"#),
            "{text}"
        );
    }

    #[test]
    fn renders_the_timeline() {
        let mut t = Trace::default();
        t.flow("proxy request", "PreFlow");
        t.condition("a = 1", true);
        let text = t.render("GET /x");
        assert!(text.contains("proxy request: PreFlow"), "{text}");
        assert!(text.contains("condition (a = 1) → true"), "{text}");
    }
}
