//! ServiceCallout (policies.md §2, variables.md §6.2).

use super::super::Sema;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::expr::template::{Piece, TemplateOptions};
use crate::ir::{
    Audience, CalloutAuth, CalloutConnection, LocalTarget, MsgSel, ServiceCallout, Template,
};
use crate::syntax::xml::{Element, Text};

/// The request variable when `<Request>` names none.
const DEFAULT_REQUEST_VAR: &str = "servicecallout.request";

/// `Timeout` default (ms).
const DEFAULT_TIMEOUT_MS: u64 = 55_000;

/// The request variable a ServiceCallout reads.
fn request_var(el: &Element) -> String {
    el.child("Request")
        .and_then(|r| r.attr("variable"))
        .map(|v| v.trimmed().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_REQUEST_VAR.to_owned())
}

/// Names written by `<AssignVariable>` anywhere under `el`.
fn assigned_names<'e>(el: &'e Element, out: &mut Vec<&'e str>) {
    for c in &el.children {
        if c.name == "AssignVariable" {
            if let Some(n) = c.child_text("Name") {
                out.push(n.trimmed());
            }
        } else {
            assigned_names(c, out);
        }
    }
}

impl Sema<'_> {
    /// Declares the message variables ServiceCallouts create: every
    /// `<Response>`, and each request variable no policy assigns a plain
    /// value to (one that does is read as a slot, so the run-time check
    /// `RequestVariableNotMessageType` can fire).
    pub(super) fn declare_callout_messages(&mut self, files: &[Element]) {
        let mut assigned: Vec<&str> = Vec::new();
        for f in files {
            assigned_names(f, &mut assigned);
        }
        for p in files.iter().filter(|p| p.name == "ServiceCallout") {
            if let Some(r) = p.child_text("Response") {
                let name = r.trimmed().to_owned();
                if !name.is_empty() {
                    self.vars.declare_message(&name);
                }
            }
            let req = request_var(p);
            if !assigned.contains(&req.as_str()) {
                self.vars.declare_message(&req);
            }
        }
    }

    pub(super) fn service_callout(&mut self, el: &Element, name: &str) -> Option<ServiceCallout> {
        self.check_children(
            el,
            &[
                "DisplayName",
                "Description",
                "Request",
                "Response",
                "Timeout",
                "HTTPTargetConnection",
                "LocalTargetConnection",
                "Properties",
                "FaultRules",
            ],
        );
        let request_var = request_var(el);
        let request = self
            .vars
            .message_sel(&request_var)
            .unwrap_or_else(|| MsgSel::Slot(self.vars.slot(&request_var)));
        let req = el.child("Request");
        let clear_payload = req.is_none_or(|r| self.attr_bool(r, "clearPayload", true));
        let ignore_unresolved = self.bool_text(
            req.and_then(|r| r.child("IgnoreUnresolvedVariables")),
            false,
        );
        let ops = req
            .map(|r| self.message_ops(r, &["IgnoreUnresolvedVariables"]))
            .unwrap_or_default();
        let response = el
            .child_text("Response")
            .map(Text::trimmed)
            .filter(|r| !r.is_empty())
            .map(|r| {
                self.vars.declare_message(r);
                self.vars.message_sel(r).unwrap_or(MsgSel::Response)
            });
        let timeout_ms = self.callout_timeout(el.child("Timeout"))?;
        let connection = self.callout_connection(el)?;
        let target_url_slot = self.vars.slot(&format!("servicecallout.{name}.target.url"));
        let requesturi_slot = self.vars.slot("servicecallout.requesturi");
        Some(ServiceCallout {
            request_var,
            request,
            clear_payload,
            ignore_unresolved,
            ops,
            response,
            timeout_ms,
            connection,
            target_url_slot,
            requesturi_slot,
        })
    }

    /// `<Timeout>`: positive milliseconds (`InvalidTimeoutValue` otherwise).
    fn callout_timeout(&mut self, el: Option<&Element>) -> Option<u64> {
        let Some(el) = el else {
            return Some(DEFAULT_TIMEOUT_MS);
        };
        let text = el.text_str();
        match text.parse::<i64>() {
            Ok(v) if v > 0 => Some(u64::try_from(v).unwrap_or(DEFAULT_TIMEOUT_MS)),
            Ok(_) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::INVALID_TIMEOUT,
                        format!("InvalidTimeoutValue: <Timeout> is {text}"),
                    )
                    .at(el.span(), "zero or negative")
                    .help("give the timeout in milliseconds, e.g. <Timeout>30000</Timeout>"),
                );
                None
            }
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::INVALID_VALUE,
                        format!("<Timeout> `{text}` is not an integer"),
                    )
                    .at(el.span(), "expected milliseconds")
                    .help("give the timeout in milliseconds, e.g. <Timeout>30000</Timeout>"),
                );
                None
            }
        }
    }

    fn callout_connection(&mut self, el: &Element) -> Option<CalloutConnection> {
        if let Some(conn) = el.child("HTTPTargetConnection") {
            return self.callout_http(conn);
        }
        if let Some(local) = el.child("LocalTargetConnection") {
            return self.callout_local(local).map(CalloutConnection::Local);
        }
        self.diags.push(
            Diagnostic::error(
                Code::CONNECTION_INFO_MISSING,
                "ConnectionInfoMissing: the ServiceCallout has neither <HTTPTargetConnection> nor <LocalTargetConnection>",
            )
            .at(el.span(), "no connection")
            .help("add <HTTPTargetConnection><URL>https://…</URL></HTTPTargetConnection>"),
        );
        None
    }

    /// A `LocalTargetConnection` (ServiceCallout or TargetEndpoint).
    pub(in crate::sema) fn callout_local(&mut self, local: &Element) -> Option<LocalTarget> {
        self.check_children(local, &["APIProxy", "ProxyEndpoint", "Path"]);
        let text = |n: &str| {
            local
                .child_text(n)
                .map(|t| t.trimmed().to_owned())
                .filter(|t| !t.is_empty())
        };
        match (text("APIProxy"), text("Path")) {
            (Some(proxy), _) => Some(LocalTarget::Proxy {
                proxy,
                endpoint: text("ProxyEndpoint"),
            }),
            (None, Some(path)) => Some(LocalTarget::Path(path)),
            (None, None) => {
                self.missing(
                    local,
                    "APIProxy",
                    "name the proxy (<APIProxy>, optionally <ProxyEndpoint>) or its base path (<Path>)",
                );
                None
            }
        }
    }

    fn callout_http(&mut self, conn: &Element) -> Option<CalloutConnection> {
        self.check_children(conn, super::super::transport::HTTP_CONNECTION_CHILDREN);
        if conn.child("LoadBalancer").is_none()
            && conn
                .child_text("URL")
                .is_none_or(|t| t.trimmed().is_empty())
        {
            self.diags.push(
                Diagnostic::error(
                    Code::URL_MISSING,
                    "URLMissing: <HTTPTargetConnection> has no <URL>",
                )
                .at(conn.span(), "no URL")
                .help("set the URL: <URL>https://backend.example.com/path</URL>"),
            );
            return None;
        }
        let (url, props) = self.http_transport(conn, |s, url_text| {
            let url = s.template(
                url_text,
                &TemplateOptions {
                    strip_quotes: true,
                    dollar_braces: true,
                    ..TemplateOptions::default()
                },
            )?;
            s.check_callout_url(url_text, &url, true)?;
            Some(url)
        })?;
        let auth = match conn.child("Authentication") {
            Some(a) => Some(self.callout_auth(a)?),
            None => None,
        };
        Some(CalloutConnection::Http {
            url,
            props: Box::new(props),
            auth,
        })
    }

    /// The scheme must be literal http(s) (for TargetEndpoint URLs too);
    /// with `host_rules` (ServiceCallout), host and port come from literal
    /// text or from exactly one reference followed by `/`, `?`, the end of
    /// the URL or a second reference holding the rest.
    pub(in crate::sema) fn check_callout_url(
        &mut self,
        text: &Text,
        url: &Template,
        host_rules: bool,
    ) -> Option<()> {
        let offset = text.trim_offset();
        let pieces = url.tpl.pieces();
        let span_of = |p: &Piece| match p {
            Piece::Var { span, .. } | Piece::Call { span, .. } => {
                Some(text.sub_span(&(span.start + offset..span.end + offset)))
            }
            Piece::Lit(_) => None,
        };
        let err = |s: &mut Self, span: Option<Span>, msg: &str, help: &str| {
            s.diags.push(
                Diagnostic::error(Code::INVALID_URL_TEMPLATE, msg.to_owned())
                    .at(span.unwrap_or_else(|| text.span()), "here")
                    .help(help.to_owned()),
            );
        };
        let help = "write the scheme literally; take host and port from one variable and the rest from another: http://{host_port}/{path}";
        let Some(Piece::Lit(first)) = pieces.first() else {
            let span = pieces.first().and_then(span_of);
            err(
                self,
                span,
                "the URL's scheme cannot come from a variable",
                help,
            );
            return None;
        };
        let lower = first.to_ascii_lowercase();
        let Some(after) = ["http://", "https://"]
            .iter()
            .find_map(|s| lower.starts_with(s).then(|| &first[s.len()..]))
        else {
            let what = if first.contains("://") {
                "the URL's scheme must be http or https"
            } else {
                "the URL must start with a literal http:// or https://"
            };
            err(self, pieces.get(1).and_then(span_of), what, help);
            return None;
        };
        if !host_rules {
            return Some(());
        }
        let host_done = |s: &str| s.contains(['/', '?']);
        if !after.is_empty() {
            // Literal host: it must end before any reference.
            if pieces.len() > 1 && !host_done(after) {
                err(
                    self,
                    pieces.get(1).and_then(span_of),
                    "the URL's host is split between literal text and a variable",
                    help,
                );
                return None;
            }
            return Some(());
        }
        // Host and port from one reference.
        match pieces.get(2) {
            None | Some(Piece::Var { .. } | Piece::Call { .. }) => Some(()),
            Some(Piece::Lit(rest)) if rest.starts_with(['/', '?']) => Some(()),
            Some(Piece::Lit(_)) => {
                err(
                    self,
                    pieces.get(1).and_then(span_of),
                    "the URL's host is split between a variable and literal text",
                    help,
                );
                None
            }
        }
    }

    fn callout_auth(&mut self, a: &Element) -> Option<CalloutAuth> {
        self.check_children(a, &["GoogleAccessToken", "GoogleIDToken", "HeaderName"]);
        let header = a
            .child_text("HeaderName")
            .map(|h| h.trimmed().to_owned())
            .filter(|h| !h.is_empty());
        if let Some(t) = a.child("GoogleAccessToken") {
            self.check_children(t, &["Scopes", "LifetimeInSeconds"]);
            let scopes = t
                .child("Scopes")
                .map(|s| {
                    s.children_named("Scope")
                        .map(|s| s.text_str().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let lifetime_secs = match t.child("LifetimeInSeconds") {
                None => None,
                Some(l) => match l.text_str().parse::<u32>() {
                    Ok(v) if v > 0 => Some(v),
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::INVALID_VALUE,
                                format!(
                                    "<LifetimeInSeconds> `{}` is not a positive number of seconds",
                                    l.text_str()
                                ),
                            )
                            .at(l.span(), "invalid lifetime")
                            .help("e.g. <LifetimeInSeconds>3600</LifetimeInSeconds>"),
                        );
                        return None;
                    }
                },
            };
            return Some(CalloutAuth::Access {
                scopes,
                lifetime_secs,
                header,
            });
        }
        if let Some(t) = a.child("GoogleIDToken") {
            self.check_children(t, &["Audience", "IncludeEmail"]);
            let include_email = self.bool_text(t.child("IncludeEmail"), false);
            let audience = match t.child("Audience") {
                None => Audience::TargetUrl,
                Some(aud) if self.attr_bool(aud, "useTargetUrl", false) => Audience::TargetUrl,
                Some(aud) => match aud.attr("ref").map(Text::trimmed).filter(|r| !r.is_empty()) {
                    Some(r) => Audience::Ref(self.vars.resolve(r)),
                    None if !aud.text_str().is_empty() => {
                        Audience::Literal(aud.text_str().to_owned())
                    }
                    None => Audience::TargetUrl,
                },
            };
            return Some(CalloutAuth::Id {
                audience,
                include_email,
                header,
            });
        }
        self.missing(
            a,
            "GoogleAccessToken",
            "use <GoogleAccessToken> (OAuth access token) or <GoogleIDToken> (OpenID Connect ID token)",
        );
        None
    }
}
