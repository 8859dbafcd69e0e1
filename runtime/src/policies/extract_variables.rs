//! ExtractVariables (policies.md §5): patterns over the URI path, query
//! parameters, headers, form parameters and variables; JSONPath and XPath
//! over a payload. The compiler turns every pattern into [`Piece`]s and
//! every target name into a [`Var`]; this module matches and writes.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use serde_json::Value as Json;

use crate::ctx::{Ctx, Slot};
use crate::fault::Fault;
use crate::flow::PolicyMeta;
use crate::message::{Message, MessageKind};
use crate::template::tfn::xpath;
use crate::value::Value;
use crate::vars::{self, MsgSel, Var, WriteError};

pub use crate::template::tfn::CompiledJsonPath;
use crate::template::tfn::{MemberPaths, Reach};

/// One piece of a compiled pattern.
#[derive(Debug, Clone, Copy)]
pub enum Piece {
    /// Literal text (`%{`/`%}` already unescaped).
    Lit(&'static str),
    /// `{name}`: index into [`Config::targets`].
    Capture(usize),
    /// `*`: one path segment (URIPath) or any characters (elsewhere).
    Star,
    /// `**`: any number of path segments (URIPath only).
    DoubleStar,
}

/// A compiled `<Pattern>`.
#[derive(Debug)]
pub struct Pattern {
    /// Its pieces.
    pub pieces: &'static [Piece],
    /// `ignoreCase`.
    pub ignore_case: bool,
    /// Path segments in the pattern (the longest matching pattern wins).
    pub segments: usize,
}

/// Which value of a header or parameter a pattern reads.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// `name="h"`: the first value.
    First(&'static str),
    /// `name="h.2"`: the N-th value (1-based); missing reads as "".
    Nth(&'static str, usize),
    /// `name="h.values"`: every value, as received.
    Values(&'static str),
}

/// The type a JSON or XML variable is cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `string`.
    String,
    /// `boolean`.
    Boolean,
    /// `integer` (Java int).
    Integer,
    /// `long`.
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `nodeset`: a JSON or XML fragment as text.
    Nodeset,
}

/// Where a JSONPath comes from.
#[derive(Debug, Clone, Copy)]
pub enum JsonPathSrc {
    /// A literal path, parsed once.
    Static(&'static LazyLock<CompiledJsonPath>),
    /// A templated path: index into the rendered paths passed to [`run`].
    Rendered(usize),
}

/// `<JSONPayload><Variable>`.
#[derive(Debug)]
pub struct JsonVar {
    /// Index into [`Config::targets`].
    pub target: usize,
    /// `type`.
    pub ty: Type,
    /// The path.
    pub path: JsonPathSrc,
}

/// `<JSONPayload>`: its variables, and what of a document their paths
/// can reach (worked out on first use, then kept).
#[derive(Debug)]
pub struct JsonPayload {
    /// Variables in document order.
    pub vars: &'static [JsonVar],
    plan: OnceLock<JsonPlan>,
}

/// How a `<JSONPayload>` reads its document, worked out on first use.
#[derive(Debug)]
enum JsonPlan {
    /// Every path is member names only: one pass selects them all.
    Members(MemberPaths),
    /// Build what the paths can reach, then evaluate each.
    Pruned(Reach<'static>),
}

impl JsonPayload {
    /// The payload step for `vars`.
    pub const fn new(vars: &'static [JsonVar]) -> Self {
        JsonPayload {
            vars,
            plan: OnceLock::new(),
        }
    }

    /// The plan: member-name walks when every path is literal and made of
    /// member names; otherwise what the paths can reach (the members their
    /// literal prefixes name, or the whole document when a path is
    /// rendered per request).
    fn plan(&self) -> &JsonPlan {
        self.plan.get_or_init(|| {
            let literal: Option<Vec<&'static CompiledJsonPath>> = self
                .vars
                .iter()
                .map(|v| match v.path {
                    JsonPathSrc::Static(p) => Some(&**p),
                    JsonPathSrc::Rendered(_) => None,
                })
                .collect();
            let Some(literal) = literal else {
                return JsonPlan::Pruned(Reach::everything());
            };
            if let Some(plan) = MemberPaths::new(literal.iter().copied()) {
                return JsonPlan::Members(plan);
            }
            let mut reach = Reach::default();
            for p in literal {
                reach.add(p);
            }
            JsonPlan::Pruned(reach)
        })
    }
}

/// `<XMLPayload><Variable>`.
#[derive(Debug)]
pub struct XmlVar {
    /// Index into [`Config::targets`].
    pub target: usize,
    /// `type`.
    pub ty: Type,
    /// The XPath 1.0 expression (checked by the compiler).
    pub xpath: &'static str,
}

/// `<XMLPayload>`.
#[derive(Debug)]
pub struct XmlPayload {
    /// `stopPayloadProcessing`.
    pub stop: bool,
    /// Namespace bindings as `prefix:uri`.
    pub namespaces: &'static [&'static str],
    /// Variables in document order.
    pub vars: &'static [XmlVar],
}

/// One extraction element, in document order.
#[derive(Debug)]
pub enum Step {
    /// `<URIPath>`: patterns over `proxy.pathsuffix`.
    UriPath(&'static [Pattern]),
    /// `<QueryParam>`.
    Query(Item, &'static [Pattern]),
    /// `<Header>`.
    Header(Item, &'static [Pattern]),
    /// `<FormParam>`.
    Form(Item, &'static [Pattern]),
    /// Top-level `<Variable>`: patterns over a variable's text.
    Variable(Var, &'static [Pattern]),
    /// `<JSONPayload>`.
    Json(&'static JsonPayload),
    /// `<XMLPayload>`.
    Xml(XmlPayload),
}

/// `<Source>`.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A message the compiler knows.
    Message(MsgSel),
    /// Any other variable: a message object at run time, or text.
    Var(Var),
}

/// A variable the policy may create.
#[derive(Debug)]
pub struct Target {
    /// Its full name (`prefix.name`).
    pub name: &'static str,
    /// Where it is written.
    pub var: Var,
}

/// An ExtractVariables policy.
#[derive(Debug)]
pub struct Config {
    /// `Source`.
    pub source: Source,
    /// `Source` as written (fault strings).
    pub source_name: &'static str,
    /// `Source@clearPayload`.
    pub clear_payload: bool,
    /// `IgnoreUnresolvedVariables`.
    pub ignore_unresolved: bool,
    /// Every variable the policy may create.
    pub targets: &'static [Target],
    /// Extraction elements in document order.
    pub steps: &'static [Step],
}

fn fault(code: &'static str, msg: String) -> Fault {
    Fault::step(code, msg)
}

/// `steps.extractvariables.JsonPathParsingFailure` for a template in a
/// JSONPath that does not resolve.
pub fn unresolved(meta: &PolicyMeta, u: crate::template::Unresolved) -> Fault {
    fault(
        "steps.extractvariables.JsonPathParsingFailure",
        format!(
            "ExtractVariables {}: Json path parsing failed: unresolved variable {}",
            meta.name, u.0
        ),
    )
}

/// What the policy reads.
enum Input<'a> {
    Msg(&'a Message),
    Text(Cow<'a, str>),
}

fn input<'a>(ctx: &'a Ctx, cfg: &Config) -> Option<(Input<'a>, Option<MsgSel>)> {
    match cfg.source {
        Source::Message(sel) => vars::message(ctx, sel).map(|m| (Input::Msg(m), Some(sel))),
        Source::Var(Var::Slot(i)) => match ctx.slot(i) {
            Some(Slot::Message(m)) => Some((Input::Msg(m), Some(MsgSel::Slot(i)))),
            Some(Slot::Value(v)) => v.to_text().map(|t| (Input::Text(t), None)),
            _ => None,
        },
        Source::Var(var) => {
            let text = match vars::read(ctx, &var) {
                Value::Str(s) => s,
                Value::Null => return None,
                other => Cow::Owned(other.to_string()),
            };
            Some((Input::Text(text), None))
        }
    }
}

/// Runs the policy. `paths` are the rendered templated JSONPaths.
pub fn run(ctx: &mut Ctx, cfg: &Config, meta: &PolicyMeta, paths: &[String]) -> Result<(), Fault> {
    let (writes, clear) = {
        let Some((input, sel)) = input(ctx, cfg) else {
            if cfg.ignore_unresolved {
                return Ok(());
            }
            let json_only = cfg.steps.iter().all(|s| matches!(s, Step::Json(_)));
            let source_is_var = matches!(cfg.source, Source::Var(_));
            return Err(if json_only && source_is_var {
                fault(
                    "steps.extractvariables.JsonPathParsingFailure",
                    format!(
                        "ExtractVariables {}: Json path parsing failed for flow variables {}",
                        meta.name, cfg.source_name
                    ),
                )
            } else {
                fault(
                    "steps.extractvariables.SourceMessageNotAvailable",
                    format!(
                        "{} message is not available for ExtractVariable: {}",
                        cfg.source_name, meta.name
                    ),
                )
            });
        };
        let mut out = Writes::new();
        for step in cfg.steps {
            extract(ctx, &input, step, meta, paths, &mut out)?;
        }
        (out, sel.filter(|_| cfg.clear_payload))
    };
    for (target, value) in writes {
        let Some(t) = cfg.targets.get(target) else {
            continue;
        };
        vars::write(ctx, &t.var, value).map_err(|e| match e {
            WriteError::ReadOnly => fault(
                "steps.extractvariables.ImmutableVariable",
                format!(
                    "ExtractVariables {}: variable {} is read-only",
                    meta.name, t.name
                ),
            ),
            other => fault(
                "steps.extractvariables.SetVariableFailed",
                format!(
                    "ExtractVariables {}: could not set variable {}: {other}",
                    meta.name, t.name
                ),
            ),
        })?;
    }
    if let Some(sel) = clear
        && let Some(m) = vars::message_mut(ctx, sel)
    {
        m.body = crate::message::Body::Empty;
    }
    Ok(())
}

/// The variables a policy sets, in order (held inline for up to four).
type Writes = smallvec::SmallVec<[(usize, Value<'static>); 4]>;

fn extract(
    ctx: &Ctx,
    input: &Input<'_>,
    step: &Step,
    meta: &PolicyMeta,
    paths: &[String],
    out: &mut Writes,
) -> Result<(), Fault> {
    let msg = match input {
        Input::Msg(m) => Some(*m),
        Input::Text(_) => None,
    };
    let request = msg.filter(|m| m.kind == MessageKind::Request);
    match step {
        Step::UriPath(patterns) => {
            if request.is_some() {
                let suffix = vars::read(ctx, &Var::ProxyPathsuffix);
                let suffix = suffix.to_text().unwrap_or_default();
                apply(patterns, &suffix, true, out);
            }
        }
        Step::Query(item, patterns) => {
            if let Some(m) = request {
                let value = match *item {
                    Item::First(n) => m.query_values(n).next(),
                    Item::Nth(n, i) => Some(
                        m.query_values(n)
                            .nth(i.saturating_sub(1))
                            .unwrap_or_default(),
                    ),
                    Item::Values(n) => {
                        let all: Vec<Cow<'_, str>> = m.query_values(n).collect();
                        (!all.is_empty()).then(|| Cow::Owned(all.join(",")))
                    }
                };
                if let Some(v) = value {
                    apply(patterns, &v, false, out);
                }
            }
        }
        Step::Header(item, patterns) => {
            if let Some(m) = msg {
                let value = match *item {
                    Item::First(n) => m.header_first(n).map(Cow::Borrowed),
                    Item::Nth(n, i) => Some(Cow::Borrowed(m.header_nth(n, i).unwrap_or(""))),
                    Item::Values(n) => m.header_values_string(n).map(Cow::Owned),
                };
                if let Some(v) = value {
                    apply(patterns, &v, false, out);
                }
            }
        }
        Step::Form(item, patterns) => {
            if let Some(m) = request {
                let params = m.form_params();
                let values = |n: &str| {
                    params
                        .iter()
                        .filter(|(k, _)| k == n)
                        .map(|(_, v)| v.as_str())
                        .collect::<Vec<_>>()
                };
                let value = match *item {
                    Item::First(n) => values(n).first().map(|v| (*v).to_owned()),
                    Item::Nth(n, i) => Some(
                        values(n)
                            .get(i.saturating_sub(1))
                            .map_or_else(String::new, |v| (*v).to_owned()),
                    ),
                    Item::Values(n) => {
                        let all = values(n);
                        (!all.is_empty()).then(|| all.join(","))
                    }
                };
                if let Some(v) = value {
                    apply(patterns, &v, false, out);
                }
            }
        }
        Step::Variable(var, patterns) => {
            if let Some(text) = vars::read(ctx, var).to_text() {
                apply(patterns, &text, false, out);
            }
        }
        Step::Json(payload_step) => {
            if let Some(text) = payload(input, is_json)? {
                json(&text, payload_step, meta, paths, out)?;
            }
        }
        Step::Xml(x) => {
            if let Some(text) = payload(input, is_xml)? {
                xml(&text, x, meta, out)?;
            }
        }
    }
    Ok(())
}

/// The media type of `m`'s `Content-Type`, as written (compared without
/// regard to case below).
fn media_type(m: &Message) -> &str {
    // `header_first` (the first line's first comma-separated value) up to
    // its parameters, found in one scan.
    let Some(Ok(line)) = m
        .headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| std::str::from_utf8(v.as_bytes()))
    else {
        return "";
    };
    let end = line
        .bytes()
        .position(|b| b == b',' || b == b';')
        .unwrap_or(line.len());
    line.get(..end).map_or("", crate::text::trim)
}

/// `application/json` or `application/*+json`, in any case.
pub fn is_json(media: &str) -> bool {
    media.eq_ignore_ascii_case("application/json") || is_application_suffixed(media, "+json")
}

/// `text/xml`, `application/xml` or `application/*+xml`, in any case.
pub fn is_xml(media: &str) -> bool {
    media.eq_ignore_ascii_case("text/xml")
        || media.eq_ignore_ascii_case("application/xml")
        || is_application_suffixed(media, "+xml")
}

/// `application/*{suffix}`, in any case.
fn is_application_suffixed(media: &str, suffix: &str) -> bool {
    const APPLICATION: &str = "application/";
    let starts = media
        .get(..APPLICATION.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(APPLICATION));
    let ends = media
        .len()
        .checked_sub(suffix.len())
        .and_then(|at| media.get(at..))
        .is_some_and(|s| s.eq_ignore_ascii_case(suffix));
    starts && ends
}

/// The payload text when the content type is acceptable (`None` otherwise).
fn payload<'a>(
    input: &'a Input<'_>,
    accept: fn(&str) -> bool,
) -> Result<Option<Cow<'a, str>>, Fault> {
    match input {
        Input::Text(t) => Ok(Some(Cow::Borrowed(t.as_ref()))),
        Input::Msg(m) if accept(media_type(m)) => Ok(m.content()),
        Input::Msg(_) => Ok(None),
    }
}

fn execution_failed(meta: &PolicyMeta, why: &str) -> Fault {
    fault(
        "steps.extractvariables.ExecutionFailed",
        format!(
            "Failed to execute the ExtractVariables: {} ({why})",
            meta.name
        ),
    )
}

fn json(
    text: &str,
    step: &JsonPayload,
    meta: &PolicyMeta,
    paths: &[String],
    out: &mut Writes,
) -> Result<(), Fault> {
    if crate::text::trim(text).is_empty() {
        return Err(execution_failed(meta, "the JSON payload is empty"));
    }
    let malformed = |e: serde_json::Error| execution_failed(meta, &format!("malformed JSON: {e}"));
    let reach = match step.plan() {
        JsonPlan::Members(plan) => {
            let mut found = plan.select(text).map_err(malformed)?;
            for (v, found) in step.vars.iter().zip(found.iter_mut()) {
                if let Some(found) = found.take() {
                    out.push((v.target, cast_json(found, v.ty, meta)?));
                }
            }
            return Ok(());
        }
        JsonPlan::Pruned(reach) => reach,
    };
    // Build only what the policy's paths can reach.
    let doc: Json = reach.parse(text).map_err(malformed)?;
    for v in step.vars {
        let rendered;
        let path: &CompiledJsonPath = match v.path {
            JsonPathSrc::Static(p) => p,
            JsonPathSrc::Rendered(i) => {
                let text = paths.get(i).map_or("", String::as_str);
                rendered = CompiledJsonPath::new(text);
                if !rendered.is_valid() {
                    return Err(fault(
                        "steps.extractvariables.InvalidJSONPath",
                        format!("Invalid JSON path {text} in policy {}.", meta.name),
                    ));
                }
                &rendered
            }
        };
        if let Some(found) = path.select(&doc) {
            out.push((v.target, cast_json(found, v.ty, meta)?));
        }
    }
    Ok(())
}

fn xml(text: &str, x: &XmlPayload, meta: &PolicyMeta, out: &mut Writes) -> Result<(), Fault> {
    if crate::text::trim(text).is_empty() {
        return Err(execution_failed(meta, "the XML payload is empty"));
    }
    if sxd_document::parser::parse(text).is_err() {
        return Err(execution_failed(meta, "malformed XML"));
    }
    for v in x.vars {
        let result_type = match v.ty {
            Type::Boolean => "boolean",
            Type::Nodeset => "nodeset",
            _ => "string",
        };
        let mut extra: Vec<Option<&str>> = x.namespaces.iter().map(|n| Some(*n)).collect();
        extra.push(Some(result_type));
        let found = xpath(Some(v.xpath), Some(text), &extra);
        if found.is_empty() {
            continue;
        }
        out.push((v.target, cast_text(found, v.ty, meta)?));
        if x.stop {
            break;
        }
    }
    Ok(())
}

fn unable_to_cast(meta: &PolicyMeta, value: &str, ty: Type) -> Fault {
    fault(
        "steps.extractvariables.UnableToCast",
        format!(
            "ExtractVariables {}: unable to cast value {value} as {ty:?}",
            meta.name
        ),
    )
}

fn cast_json(found: Json, ty: Type, meta: &PolicyMeta) -> Result<Value<'static>, Fault> {
    match (ty, found) {
        (Type::Nodeset, j) => Ok(Value::Str(Cow::Owned(j.to_string()))),
        (Type::Boolean, Json::Bool(b)) => Ok(Value::Bool(b)),
        (_, Json::String(s)) => cast_text(s, ty, meta),
        (Type::String, Json::Null) => Ok(Value::Str(Cow::Borrowed(""))),
        (_, j) => cast_text(j.to_string(), ty, meta),
    }
}

/// Casts extracted text to a variable type.
fn cast_text(text: String, ty: Type, meta: &PolicyMeta) -> Result<Value<'static>, Fault> {
    // Trimmed only for the types that parse it: a string is kept whole.
    let t = || crate::text::trim(&text);
    let cast = match ty {
        Type::String | Type::Nodeset => return Ok(Value::Str(Cow::Owned(text))),
        Type::Boolean => match t().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Type::Integer => t().parse().ok().map(Value::Int),
        Type::Long => t().parse().ok().map(Value::Long),
        Type::Float => t().parse().ok().map(Value::Float),
        Type::Double => t().parse().ok().map(Value::Double),
    };
    cast.ok_or_else(|| unable_to_cast(meta, t(), ty))
}

/// Tries every pattern; the matching one with the most path segments wins
/// (first on a tie) and its captures are written.
fn apply(patterns: &[Pattern], value: &str, uri: bool, out: &mut Writes) {
    let mut best: Option<(usize, Vec<(usize, String)>)> = None;
    for p in patterns {
        if best.as_ref().is_some_and(|(segs, _)| *segs >= p.segments) {
            continue;
        }
        if let Some(caps) = match_pattern(p, value, uri) {
            best = Some((p.segments, caps));
        }
    }
    if let Some((_, caps)) = best {
        out.extend(
            caps.into_iter()
                .map(|(t, v)| (t, Value::Str(Cow::Owned(v)))),
        );
    }
}

/// Bound on matching work per pattern (wildcards backtrack).
const BUDGET: usize = 100_000;

/// Matches `value` against a pattern; the captures in order on success.
pub fn match_pattern(p: &Pattern, value: &str, uri: bool) -> Option<Vec<(usize, String)>> {
    let mut m = Matcher {
        ci: p.ignore_case,
        uri,
        budget: BUDGET,
        caps: Vec::new(),
    };
    m.go(p.pieces, value).then(|| {
        m.caps
            .into_iter()
            .rev()
            .map(|(t, v)| (t, v.to_owned()))
            .collect()
    })
}

struct Matcher<'v> {
    ci: bool,
    uri: bool,
    budget: usize,
    /// Captures, innermost (last piece) first.
    caps: Vec<(usize, &'v str)>,
}

impl<'v> Matcher<'v> {
    fn go(&mut self, pieces: &[Piece], s: &'v str) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let Some((first, rest)) = pieces.split_first() else {
            return s.is_empty();
        };
        match *first {
            Piece::Lit(l) => {
                let head = s.get(..l.len());
                let ok = head.is_some_and(|h| {
                    if self.ci {
                        h.eq_ignore_ascii_case(l)
                    } else {
                        h == l
                    }
                });
                ok && self.go(rest, s.get(l.len()..).unwrap_or(""))
            }
            Piece::Capture(_) | Piece::Star | Piece::DoubleStar => {
                let crosses = matches!(first, Piece::DoubleStar) || !self.uri;
                for (end, c) in s
                    .char_indices()
                    .map(|(i, c)| (i, Some(c)))
                    .chain([(s.len(), None)])
                {
                    let (taken, tail) = s.split_at(end);
                    if self.go(rest, tail) {
                        if let Piece::Capture(t) = *first {
                            self.caps.push((t, taken));
                        }
                        return true;
                    }
                    if c == Some('/') && !crosses {
                        break;
                    }
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(pieces: &'static [Piece], segments: usize) -> Pattern {
        Pattern {
            pieces,
            ignore_case: false,
            segments,
        }
    }

    #[test]
    fn media_type_is_the_first_header_value_without_parameters() {
        let cases: [&[&[u8]]; 9] = [
            &[b"application/json; charset=UTF-8"],
            &[b"  Application/JSON  "],
            &[b"text/xml , application/json"],
            &[b";charset=utf-8"],
            &[b""],
            &[b"application/json; p=\xff"],
            &[b"application/json", b"text/plain"],
            &[b", application/json"],
            &[],
        ];
        for lines in cases {
            let mut m = Message::new_response();
            for line in lines {
                let v = http::HeaderValue::from_bytes(line).unwrap(); // ok: unit test
                m.headers.append(http::header::CONTENT_TYPE, v);
            }
            // The definition: `header_first`, up to its parameters, trimmed.
            let expected = m
                .header_first(&http::header::CONTENT_TYPE)
                .and_then(|c| c.split(';').next())
                .map_or("", crate::text::trim);
            assert_eq!(media_type(&m), expected, "{lines:?}");
        }
    }

    #[test]
    fn uri_captures_one_segment() {
        let p = pat(&[Piece::Lit("/a/"), Piece::Capture(0), Piece::Lit("/c")], 3);
        assert_eq!(
            match_pattern(&p, "/a/b/c", true),
            Some(vec![(0, "b".into())])
        );
        assert_eq!(match_pattern(&p, "/a/b/x/c", true), None);
        let any = pat(
            &[
                Piece::Lit("/a/"),
                Piece::DoubleStar,
                Piece::Lit("/"),
                Piece::Capture(0),
            ],
            3,
        );
        assert_eq!(
            match_pattern(&any, "/a/x/y/z", true),
            Some(vec![(0, "z".into())])
        );
    }

    #[test]
    fn star_and_case() {
        let p = Pattern {
            pieces: &[Piece::Star, Piece::Lit(";charset="), Piece::Capture(1)],
            ignore_case: true,
            segments: 0,
        };
        assert_eq!(
            match_pattern(&p, "text/xml;CHARSET=UTF-16", false),
            Some(vec![(1, "UTF-16".into())])
        );
    }

    #[test]
    fn most_segments_win() {
        static PS: [Pattern; 2] = [
            Pattern {
                pieces: &[Piece::Lit("/a/"), Piece::Capture(0)],
                ignore_case: false,
                segments: 2,
            },
            Pattern {
                pieces: &[
                    Piece::Lit("/"),
                    Piece::Capture(1),
                    Piece::Lit("/"),
                    Piece::Capture(2),
                ],
                ignore_case: false,
                segments: 2,
            },
        ];
        let mut out = Writes::new();
        apply(&PS, "/a/b", true, &mut out);
        assert_eq!(out.as_slice(), [(0, Value::Str(Cow::Owned("b".into())))]);
    }

    #[test]
    fn casts() {
        let meta = PolicyMeta {
            name: "EV",
            kind: "ExtractVariables",
            continue_on_error: false,
            failed_slot: 0,
        };
        assert_eq!(
            cast_json(serde_json::json!(4), Type::Integer, &meta).ok(),
            Some(Value::Int(4))
        );
        assert!(cast_text("x".into(), Type::Double, &meta).is_err());
        assert_eq!(
            cast_json(serde_json::json!({"a": 1}), Type::String, &meta).ok(),
            Some(Value::Str(Cow::Owned("{\"a\":1}".into())))
        );
        assert!(is_json("application/vnd.api+json") && !is_json("text/plain"));
        assert!(is_xml("application/soap+xml") && is_xml("text/xml"));
        assert!(is_json("Application/Problem+JSON") && is_xml("TEXT/XML"));
        assert!(!is_json("application/") && !is_json("+json") && !is_xml("application/xmlx"));
    }
}
