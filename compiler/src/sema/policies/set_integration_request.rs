//! SetIntegrationRequest (policies.md §3, SetIntegrationRequest.xsd).

use super::super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{IntegrationParam, IntegrationVars, ParamType, RefOrText, SetIntegrationRequest};
use crate::syntax::xml::Element;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Request variable when `<Request>` is omitted (runtime `sir::DEFAULT_REQUEST_VARIABLE`).
pub(crate) const DEFAULT_REQUEST: &str = "integration.request";

/// Message variables no integration policy may (re)create.
const RESERVED_MESSAGES: &[&str] = &["request", "response", "message", "error"];

/// Whether `s` can be one path segment of the API URL (project, region, name).
fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~@".contains(c))
}

/// Prefix of API trigger ids (runtime `sir::TRIGGER_PREFIX`).
const TRIGGER_PREFIX: &str = "api_trigger/";

fn is_trigger(s: &str) -> bool {
    is_path_segment(s.strip_prefix(TRIGGER_PREFIX).unwrap_or(s))
}

impl Sema<'_> {
    pub(super) fn set_integration_request(
        &mut self,
        el: &Element,
    ) -> Option<SetIntegrationRequest> {
        self.check_children(
            el,
            &[
                "DisplayName",
                "Description",
                "ProjectId",
                "IntegrationName",
                "IntegrationRegion",
                "ApiTrigger",
                "ScheduleTime",
                "Parameters",
                "Request",
                "Properties",
                "FaultRules",
            ],
        );
        let project = match el.child("ProjectId") {
            Some(p) => self.ref_or_text(p, "a Google Cloud project id", is_path_segment)?,
            // Omitted: the Apigee organization is the Google Cloud project.
            None => RefOrText {
                reference: Some((
                    "organization.name".into(),
                    self.vars.resolve("organization.name"),
                )),
                text: String::new(),
            },
        };
        let name = match el.child("IntegrationName") {
            Some(n) => Some(self.ref_or_text(n, "an integration name", is_path_segment)?),
            None => None,
        };
        let Some(region_el) = el.child("IntegrationRegion") else {
            self.missing(
                el,
                "IntegrationRegion",
                "add <IntegrationRegion>us-central1</IntegrationRegion> (or ref=\"…\")",
            );
            return None;
        };
        let region = self.ref_or_text(region_el, "a region", is_path_segment)?;
        let Some(trigger_el) = el.child("ApiTrigger") else {
            self.missing(
                el,
                "ApiTrigger",
                "add <ApiTrigger>api_trigger/NAME</ApiTrigger> (or ref=\"…\")",
            );
            return None;
        };
        let mut trigger = self.ref_or_text(trigger_el, "an API trigger name", is_trigger)?;
        if !trigger.text.is_empty() && !trigger.text.starts_with(TRIGGER_PREFIX) {
            // The trigger id, so that requests need not prefix it.
            trigger.text.insert_str(0, TRIGGER_PREFIX);
        }
        let schedule_time = match el.child("ScheduleTime") {
            Some(s) => Some(self.schedule_time(s)?),
            None => None,
        };
        let params = match el.child("Parameters") {
            Some(p) => self.integration_params(p)?,
            None => Vec::new(),
        };
        let request_slot = self.integration_request_var(el)?;
        let key_order = key_order(&params);
        Some(SetIntegrationRequest {
            project,
            name,
            region,
            trigger,
            schedule_time,
            params,
            key_order,
            request_slot,
            vars: self.integration_vars(),
        })
    }

    /// The `integration.*` variables.
    pub(crate) fn integration_vars(&mut self) -> IntegrationVars {
        IntegrationVars {
            project: self.vars.resolve("integration.project.id"),
            name: self.vars.resolve("integration.name"),
            region: self.vars.resolve("integration.region"),
            trigger: self.vars.resolve("integration.trigger"),
        }
    }

    /// `ref` and text of an element; a literal text must pass `valid`.
    fn ref_or_text(
        &mut self,
        el: &Element,
        what: &str,
        valid: fn(&str) -> bool,
    ) -> Option<RefOrText> {
        let reference = el
            .attr("ref")
            .map(|r| r.trimmed().to_owned())
            .filter(|r| !r.is_empty())
            .map(|r| {
                let var = self.vars.resolve(&r);
                (r, var)
            });
        let text = el.text_str().trim().to_owned();
        if text.is_empty() && reference.is_none() {
            self.diags.push(
                Diagnostic::error(Code::MISSING_ELEMENT, format!("<{}> is empty", el.name))
                    .at(el.span(), "no text and no ref")
                    .help(format!(
                        "give {what} as text or name a flow variable with ref=\"…\""
                    )),
            );
            return None;
        }
        if !text.is_empty() && !valid(&text) {
            let span = el.text.as_ref().map_or_else(|| el.span(), |t| t.span());
            self.diags.push(
                Diagnostic::error(Code::INVALID_VALUE, format!("`{text}` is not {what}"))
                    .at(span, "not usable in the Application Integration URL")
                    .help("use letters, digits, `-`, `_`, `.`, `~` or `@` (no `/` or spaces)"),
            );
            return None;
        }
        Some(RefOrText { reference, text })
    }

    fn schedule_time(&mut self, el: &Element) -> Option<RefOrText> {
        let parsed = self.ref_or_text(el, "a schedule time", |_| true)?;
        if !parsed.text.is_empty() && OffsetDateTime::parse(&parsed.text, &Rfc3339).is_err() {
            let span = el.text.as_ref().map_or_else(|| el.span(), |t| t.span());
            self.diags.push(
                Diagnostic::error(
                    Code::INVALID_SCHEDULE_TIME,
                    format!(
                        "ScheduleTime `{}` is not an RFC 3339 timestamp",
                        parsed.text
                    ),
                )
                .at(span, "not a timestamp")
                .help("write a UTC timestamp such as 2022-01-15T01:30:15Z"),
            );
            return None;
        }
        Some(parsed)
    }

    fn integration_params(&mut self, el: &Element) -> Option<Vec<IntegrationParam>> {
        self.check_children(el, &["Parameter", "ParameterArray"]);
        let mut out: Vec<IntegrationParam> = Vec::new();
        let mut ok = true;
        for p in el
            .children
            .iter()
            .filter(|c| matches!(c.name.as_str(), "Parameter" | "ParameterArray"))
        {
            match self.integration_param(p) {
                Some(param) if out.iter().any(|o| o.name == param.name) => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::DUPLICATE_NAME,
                            format!("two parameters are named `{}`", param.name),
                        )
                        .at(p.span(), "second parameter")
                        .help("each input parameter of an integration needs its own name"),
                    );
                    ok = false;
                }
                Some(param) => out.push(param),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn integration_param(&mut self, el: &Element) -> Option<IntegrationParam> {
        let array = el.name == "ParameterArray";
        let name = self.required_attr(
            el,
            "name",
            Code::MISSING_ELEMENT,
            format!("<{}> has no name attribute", el.name),
            "unnamed parameter",
            "add name=\"…\": the integration input variable it sets",
        )?;
        let kind = self.param_type(el, array)?;
        let reference = el
            .attr("ref")
            .map(|r| r.trimmed().to_owned())
            .filter(|r| !r.is_empty())
            .map(|r| {
                let var = self.vars.resolve(&r);
                (r, var)
            });
        if !array {
            let text = el.text_str().trim().to_owned();
            // An empty literal is a valid string; other types need a value.
            let text_ok = (text.is_empty() && (kind == ParamType::String || reference.is_some()))
                || literal_ok(kind, &text);
            if !text_ok {
                self.bad_param_value(el, &name, kind, &text);
                return None;
            }
            return Some(IntegrationParam {
                name,
                kind,
                array,
                value: RefOrText { reference, text },
                values: Vec::new(),
            });
        }
        self.check_children(el, &["Value"]);
        let mut values = Vec::new();
        for v in el.children_named("Value") {
            let value = self.ref_or_text(v, "a parameter value", |_| true)?;
            if !value.text.is_empty() && !literal_ok(kind, &value.text) {
                self.bad_param_value(v, &name, kind, &value.text);
                return None;
            }
            values.push(value);
        }
        if values.is_empty() && reference.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::INTEGRATION_PARAMETER,
                    format!(
                        "EmptyParameterArray: parameter array `{name}` has no <Value> and no ref"
                    ),
                )
                .at(el.span(), "empty parameter array")
                .help("add <Value>…</Value> children or ref=\"var\" naming a JSON array"),
            );
            return None;
        }
        Some(IntegrationParam {
            name,
            kind,
            array,
            value: RefOrText {
                reference,
                text: String::new(),
            },
            values,
        })
    }

    fn param_type(&mut self, el: &Element, array: bool) -> Option<ParamType> {
        let allowed = if array {
            "string, integer, boolean or double"
        } else {
            "string, integer, boolean, double or json"
        };
        let Some(t) = el.attr("type") else {
            self.diags.push(
                Diagnostic::error(
                    Code::MISSING_ELEMENT,
                    format!("<{}> has no type attribute", el.name),
                )
                .at(el.span(), "untyped parameter")
                .help(format!("add type=\"…\": {allowed}")),
            );
            return None;
        };
        let kind = match t.trimmed() {
            "string" => ParamType::String,
            "integer" => ParamType::Integer,
            "boolean" => ParamType::Boolean,
            "double" => ParamType::Double,
            "json" if !array => ParamType::Json,
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::INTEGRATION_PARAMETER,
                        format!("type=\"{other}\" is not a {} type", el.name),
                    )
                    .at(t.span(), "unknown parameter type")
                    .help(format!("use {allowed}")),
                );
                return None;
            }
        };
        Some(kind)
    }

    fn bad_param_value(&mut self, el: &Element, name: &str, kind: ParamType, text: &str) {
        let span = el.text.as_ref().map_or_else(|| el.span(), |t| t.span());
        self.diags.push(
            Diagnostic::error(
                Code::INTEGRATION_PARAMETER,
                format!(
                    "`{text}` is not a valid {} value for parameter `{name}`",
                    type_name(kind)
                ),
            )
            .at(span, format!("not {}", type_name(kind)))
            .help(match kind {
                ParamType::Integer => "write a whole number such as 42",
                ParamType::Boolean => "write true or false",
                ParamType::Double => "write a number such as 1.5",
                ParamType::Json => "write a JSON document such as {\"a\":1}",
                ParamType::String => "any text is a string",
            }),
        );
    }

    /// `<Request>`: the slot of the message variable (declared in `declare_policy_messages`).
    fn integration_request_var(&mut self, el: &Element) -> Option<usize> {
        let name = match el.child("Request") {
            None => DEFAULT_REQUEST.to_owned(),
            Some(r) => r.text_str().trim().to_owned(),
        };
        if name.is_empty() || RESERVED_MESSAGES.contains(&name.as_str()) {
            let span = el.child("Request").map_or_else(|| el.span(), |r| r.span());
            self.diags.push(
                Diagnostic::error(
                    Code::INTEGRATION_VARIABLE,
                    if name.is_empty() {
                        "<Request> is empty".to_owned()
                    } else {
                        format!(
                            "RequestVariableNotRequestMessageType: <Request> may not be `{name}`"
                        )
                    },
                )
                .at(span, "request object variable")
                .help(format!(
                    "name a new variable, or omit <Request> to use `{DEFAULT_REQUEST}`"
                )),
            );
            return None;
        }
        Some(self.vars.slot(&name))
    }
}

/// Indices of `params` sorted by name, byte-wise as a JSON object's keys
/// are sorted (`integration_params` rejects repeated names).
fn key_order(params: &[IntegrationParam]) -> Vec<usize> {
    let mut named: Vec<(&str, usize)> = params
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    named.sort_unstable();
    named.into_iter().map(|(_, i)| i).collect()
}

/// Whether a literal is a valid value of `kind`.
fn literal_ok(kind: ParamType, text: &str) -> bool {
    match kind {
        ParamType::String => true,
        ParamType::Integer => text.parse::<i64>().is_ok(),
        ParamType::Boolean => {
            text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
        }
        ParamType::Double => text.parse::<f64>().is_ok_and(f64::is_finite),
        ParamType::Json => serde_json::from_str::<serde_json::Value>(text).is_ok(),
    }
}

fn type_name(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String => "string",
        ParamType::Integer => "integer",
        ParamType::Boolean => "boolean",
        ParamType::Double => "double",
        ParamType::Json => "json",
    }
}
