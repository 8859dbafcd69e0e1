//! ExtractVariables (policies.md §5): patterns become static matcher data,
//! JSONPaths and XPaths are checked here, every variable the policy can
//! create is resolved to where it lives.

use super::super::Sema;
use super::super::vars::VarTable;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::expr::template::TemplateOptions;
use crate::ir::{
    EvItem, EvJsonPath, EvJsonVar, EvPattern, EvPiece, EvSource, EvStep, EvType, EvXmlVar,
    ExtractVariables, Var,
};
use crate::syntax::xml::{Element, Text};

// The runtime's own Jayway→RFC 9535 translation and XPath prefix scanner
// (shared with template checking), so a path accepted here is the path the
// runtime evaluates.
use crate::expr::template::shared::{jsonpath_compat, xpath_guard};

const KNOWN: &[&str] = &[
    "DisplayName",
    "Description",
    "Properties",
    "FaultRules",
    "Source",
    "VariablePrefix",
    "IgnoreUnresolvedVariables",
    "URIPath",
    "QueryParam",
    "Header",
    "FormParam",
    "Variable",
    "JSONPayload",
    "XMLPayload",
];

const TYPES: &[(&str, EvType)] = &[
    ("string", EvType::String),
    ("boolean", EvType::Boolean),
    ("integer", EvType::Integer),
    ("long", EvType::Long),
    ("float", EvType::Float),
    ("double", EvType::Double),
    ("nodeset", EvType::Nodeset),
];

impl EvStep {
    /// A pattern element without patterns.
    fn is_noop(&self) -> bool {
        match self {
            EvStep::UriPath(p)
            | EvStep::Query(_, p)
            | EvStep::Header(_, p)
            | EvStep::Form(_, p)
            | EvStep::Variable(_, p) => p.is_empty(),
            EvStep::Json(_) | EvStep::Xml { .. } => false,
        }
    }
}

/// Per-policy state while compiling: the prefix and the targets so far.
struct Targets {
    prefix: String,
    list: Vec<(String, Var)>,
}

impl Sema<'_> {
    pub(super) fn extract_variables(&mut self, el: &Element) -> Option<ExtractVariables> {
        self.check_children(el, KNOWN);
        let ignore_unresolved = self.bool_text(el.child("IgnoreUnresolvedVariables"), false);
        let source_el = el.child("Source");
        let source_name = source_el
            .map(|s| s.text_str().trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "message".to_owned());
        let clear_payload = source_el.is_some_and(|s| self.attr_bool(s, "clearPayload", false));
        let source = match self.vars.message_sel(&source_name) {
            Some(sel) => EvSource::Message(sel),
            None => EvSource::Var(self.vars.resolve(&source_name)),
        };
        let mut targets = Targets {
            prefix: el
                .child("VariablePrefix")
                .map(|p| p.text_str().trim().to_owned())
                .unwrap_or_default(),
            list: Vec::new(),
        };
        let mut steps = Vec::new();
        let mut failed = false;
        let mut present = false;
        for child in &el.children {
            let step = match child.name.as_str() {
                "URIPath" => self
                    .patterns(child, true, &mut targets)
                    .map(EvStep::UriPath),
                "QueryParam" | "Header" | "FormParam" => self.item_step(child, &mut targets),
                "Variable" => self.variable_step(child, &mut targets),
                "JSONPayload" => self.json_payload(child, &mut targets),
                "XMLPayload" => self.xml_payload(child, &mut targets),
                _ => continue,
            };
            present = true;
            match step {
                Some(s) if !s.is_noop() => steps.push(s),
                Some(_) => {}
                None => failed = true,
            }
        }
        if !present {
            self.diags.push(
                Diagnostic::error(
                    Code::EV_NOTHING_TO_EXTRACT,
                    "NothingToExtract: the policy extracts nothing",
                )
                .at(el.span(), "no extraction element")
                .help("add URIPath, QueryParam, Header, FormParam, Variable, JSONPayload or XMLPayload"),
            );
            return None;
        }
        if failed {
            return None;
        }
        // Payload, form parameters and message sources need the body read.
        let reads_body = steps
            .iter()
            .any(|s| matches!(s, EvStep::Json(_) | EvStep::Xml { .. } | EvStep::Form(..)));
        if reads_body {
            match &source {
                EvSource::Message(sel) => self.note_content_need(&Var::MsgObject(*sel)),
                EvSource::Var(v) => self.note_content_need(v),
            }
        }
        Some(ExtractVariables {
            source,
            source_name,
            clear_payload,
            ignore_unresolved,
            targets: targets.list,
            steps,
        })
    }

    /// The target index of `name` (`prefix.name`), rejecting read-only ones.
    fn target(&mut self, targets: &mut Targets, name: &str, span: Span) -> Option<usize> {
        let full = if targets.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", targets.prefix)
        };
        if let Some(i) = targets.list.iter().position(|(n, _)| *n == full) {
            return Some(i);
        }
        let var = self.vars.resolve(&full);
        if VarTable::is_read_only(&var) {
            self.diags.push(
                Diagnostic::error(
                    Code::IMMUTABLE_VARIABLE,
                    format!("ImmutableVariable: `{full}` is a read-only variable"),
                )
                .at(span, "cannot be written")
                .help("extract into a variable of your own (or change VariablePrefix)"),
            );
            return None;
        }
        targets.list.push((full, var));
        Some(targets.list.len() - 1)
    }

    fn name_attr(&mut self, el: &Element) -> Option<String> {
        self.name_attr_named(el, "name")
    }

    /// The `<Pattern>` children of `el` (none: the element is a no-op, as
    /// in the bundles Apigee's UI generates).
    fn patterns(
        &mut self,
        el: &Element,
        uri: bool,
        targets: &mut Targets,
    ) -> Option<Vec<EvPattern>> {
        self.check_children(el, &["Pattern"]);
        let mut out = Vec::new();
        let mut ok = true;
        for p in el.children_named("Pattern") {
            let ignore_case = self.attr_bool(p, "ignoreCase", false);
            let empty = Text::synthetic("", &p.span());
            let text = p.text.as_ref().unwrap_or(&empty);
            match self.pattern(text, uri, ignore_case, targets) {
                Some(pat) => out.push(pat),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn pattern(
        &mut self,
        text: &Text,
        uri: bool,
        ignore_case: bool,
        targets: &mut Targets,
    ) -> Option<EvPattern> {
        let src = text.trimmed();
        let base = text.trim_offset();
        let at = |r: std::ops::Range<usize>| text.sub_span(&(base + r.start..base + r.end));
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut captures = 0;
        let mut chars = src.char_indices().peekable();
        let invalid = |s: &mut Self, r: std::ops::Range<usize>, why: &str| {
            s.diags.push(
                Diagnostic::error(Code::EV_INVALID_PATTERN, format!("InvalidPattern: {why}"))
                    .at(at(r), "here")
                    .help("write `{name}` to capture, `%{` and `%}` for literal braces"),
            );
        };
        while let Some((i, c)) = chars.next() {
            match c {
                '%' if matches!(chars.peek(), Some((_, '{' | '}'))) => {
                    if let Some((_, b)) = chars.next() {
                        lit.push(b);
                    }
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, n) in chars.by_ref() {
                        if n == '}' {
                            closed = true;
                            break;
                        }
                        name.push(n);
                    }
                    let end = i + name.len() + 1 + usize::from(closed);
                    let name = name.trim().to_owned();
                    if !closed || name.is_empty() || name.contains('{') {
                        invalid(self, i..end, "unbalanced or empty `{…}`");
                        return None;
                    }
                    if !lit.is_empty() {
                        pieces.push(EvPiece::Lit(std::mem::take(&mut lit)));
                    }
                    let t = self.target(targets, &name, at(i..end))?;
                    pieces.push(EvPiece::Capture(t));
                    captures += 1;
                }
                '}' => {
                    invalid(self, i..i + 1, "`}` without `{`");
                    return None;
                }
                '*' => {
                    if !lit.is_empty() {
                        pieces.push(EvPiece::Lit(std::mem::take(&mut lit)));
                    }
                    if uri && matches!(chars.peek(), Some((_, '*'))) {
                        chars.next();
                        pieces.push(EvPiece::DoubleStar);
                    } else {
                        pieces.push(EvPiece::Star);
                    }
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            pieces.push(EvPiece::Lit(lit));
        }
        if captures == 0 {
            self.diags.push(
                Diagnostic::error(
                    Code::EV_PATTERN_WITHOUT_VARIABLE,
                    format!("PatternWithoutVariable: `{src}` captures nothing"),
                )
                .at(text.span(), "no {variable}")
                .help("add a `{name}` capture to the pattern"),
            );
            return None;
        }
        Some(EvPattern {
            pieces,
            ignore_case,
            segments: src.split('/').filter(|s| !s.is_empty()).count(),
        })
    }

    fn item_step(&mut self, el: &Element, targets: &mut Targets) -> Option<EvStep> {
        let name = self.name_attr(el)?;
        let item = match name.rsplit_once('.') {
            Some((base, "values")) if el.name == "Header" => EvItem::Values(base.to_owned()),
            Some((base, idx)) if idx.parse::<i64>().is_ok() => {
                let i = idx.parse::<i64>().unwrap_or(0);
                let Some(i) = usize::try_from(i).ok().filter(|i| *i > 0) else {
                    self.diags.push(
                        Diagnostic::error(
                            Code::INVALID_INDEX,
                            format!("InvalidIndex: index {i} in `{name}` must be 1 or more"),
                        )
                        .at(el.span(), "invalid index")
                        .help("occurrences are numbered from 1: name=\"h.2\" is the second"),
                    );
                    return None;
                };
                EvItem::Nth(base.to_owned(), i)
            }
            _ => EvItem::First(name),
        };
        let item = match (el.name.as_str(), item) {
            ("Header", EvItem::First(n)) => EvItem::First(n.to_ascii_lowercase()),
            (_, item) => item,
        };
        let patterns = self.patterns(el, false, targets)?;
        Some(match el.name.as_str() {
            "QueryParam" => EvStep::Query(item, patterns),
            "Header" => EvStep::Header(item, patterns),
            _ => EvStep::Form(item, patterns),
        })
    }

    fn variable_step(&mut self, el: &Element, targets: &mut Targets) -> Option<EvStep> {
        let name = self.name_attr(el)?;
        let var = self.vars.resolve(&name);
        self.note_content_need(&var);
        let patterns = self.patterns(el, false, targets)?;
        Some(EvStep::Variable(var, patterns))
    }

    fn var_type(&mut self, el: &Element, default: EvType) -> Option<EvType> {
        let Some(t) = el.attr("type") else {
            return Some(default);
        };
        let lower = t.trimmed().to_ascii_lowercase();
        match TYPES.iter().find(|(n, _)| *n == lower) {
            Some(&(_, ty)) => Some(ty),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::INVALID_VALUE,
                        format!("type=\"{}\" is not a variable type", t.trimmed()),
                    )
                    .at(t.span(), "unknown type")
                    .help("string, boolean, integer, long, float, double or nodeset"),
                );
                None
            }
        }
    }

    /// `<Variable name type>` with its path element's text.
    fn payload_var<'e>(
        &mut self,
        v: &'e Element,
        path_el: &str,
        missing: (Code, &str),
        empty: (Code, &str),
    ) -> Option<(String, EvType, &'e Text)> {
        self.check_children(v, &[path_el]);
        let name = self.name_attr(v)?;
        let ty = self.var_type(v, EvType::String)?;
        let Some(p) = v.child(path_el) else {
            self.diags.push(
                Diagnostic::error(
                    missing.0,
                    format!(
                        "{}: <Variable name=\"{name}\"> has no <{path_el}>",
                        missing.1
                    ),
                )
                .at(v.span(), "nothing to evaluate")
                .help(format!("add <{path_el}>…</{path_el}>")),
            );
            return None;
        };
        match p.text.as_ref().filter(|t| !t.trimmed().is_empty()) {
            Some(t) => Some((name, ty, t)),
            None => {
                self.diags.push(
                    Diagnostic::error(empty.0, format!("{}: <{path_el}> is empty", empty.1))
                        .at(p.span(), "empty expression")
                        .help(format!("write the expression inside <{path_el}>")),
                );
                None
            }
        }
    }

    fn json_payload(&mut self, el: &Element, targets: &mut Targets) -> Option<EvStep> {
        self.check_children(el, &["Variable"]);
        let mut vars = Vec::new();
        let mut ok = true;
        for v in el.children_named("Variable") {
            let Some((name, ty, text)) = self.payload_var(
                v,
                "JSONPath",
                (Code::EV_NO_JSON_PATHS, "NoJSONPathsToEvaluate"),
                (Code::EV_EMPTY_JSON_PATH, "EmptyJSONPathExpression"),
            ) else {
                ok = false;
                continue;
            };
            let opts = TemplateOptions {
                strip_quotes: true,
                ..TemplateOptions::default()
            };
            let Some(tpl) = self.template(text, &opts) else {
                ok = false;
                continue;
            };
            let path = match tpl.literal_text() {
                Some(lit) => {
                    if !self.check_json_path(&lit, text) {
                        ok = false;
                        continue;
                    }
                    EvJsonPath::Literal(lit)
                }
                None => EvJsonPath::Template(tpl),
            };
            let Some(target) = self.target(targets, &name, v.span()) else {
                ok = false;
                continue;
            };
            vars.push(EvJsonVar { target, ty, path });
        }
        if vars.is_empty() && ok {
            self.diags.push(
                Diagnostic::error(
                    Code::EV_NO_JSON_PATHS,
                    "NoJSONPathsToEvaluate: <JSONPayload> has no <Variable>",
                )
                .at(el.span(), "nothing to evaluate")
                .help("add <Variable name=\"…\"><JSONPath>$.…</JSONPath></Variable>"),
            );
            return None;
        }
        ok.then_some(EvStep::Json(vars))
    }

    fn check_json_path(&mut self, path: &str, text: &Text) -> bool {
        let error = match jsonpath_compat::translate(path) {
            Err(e) => e.message,
            Ok(t) => match serde_json_path::JsonPath::parse(&t.path) {
                Ok(_) => return true,
                Err(e) => e.to_string(),
            },
        };
        self.diags.push(
            Diagnostic::error(
                Code::EV_JSON_PATH_COMPILATION,
                format!("JSONPathCompilationFailed: `{path}`: {error}"),
            )
            .at(text.span(), "invalid JSONPath")
            .help("Jayway JSONPath, e.g. $.results[0].name or $.items[?(@.id == 'x')]"),
        );
        false
    }

    fn xml_payload(&mut self, el: &Element, targets: &mut Targets) -> Option<EvStep> {
        self.check_children(el, &["Namespaces", "Variable"]);
        let stop = self.attr_bool(el, "stopPayloadProcessing", false);
        let mut namespaces: Vec<String> = Vec::new();
        let mut bound: Vec<String> = Vec::new();
        let mut ok = true;
        if let Some(ns) = el.child("Namespaces") {
            self.check_children(ns, &["Namespace"]);
            for n in ns.children_named("Namespace") {
                let Some(prefix) = self.name_attr_named(n, "prefix") else {
                    ok = false;
                    continue;
                };
                let uri = n.text_str().trim();
                if bound.contains(&prefix) {
                    self.diags.push(
                        Diagnostic::error(
                            Code::EV_DUPLICATE_PREFIX,
                            format!("DuplicatePrefix: prefix `{prefix}` is declared twice"),
                        )
                        .at(n.span(), "second declaration")
                        .help("give each namespace its own prefix"),
                    );
                    ok = false;
                } else if uri.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            Code::EV_EMPTY_NAMESPACE_URI,
                            format!("NONEmptyPrefixMappedToEmptyURI: prefix `{prefix}` has no URI"),
                        )
                        .at(n.span(), "empty namespace URI")
                        .help("write the namespace URI as the element text"),
                    );
                    ok = false;
                } else {
                    namespaces.push(format!("{prefix}:{uri}"));
                    bound.push(prefix);
                }
            }
        }
        let mut vars = Vec::new();
        for v in el.children_named("Variable") {
            // The documented default type is boolean (policies.md §5), but
            // every published bundle relies on text results: string it is.
            let Some((name, ty, text)) = self.payload_var(
                v,
                "XPath",
                (Code::EV_NO_XPATHS, "NoXPathsToEvaluate"),
                (Code::EV_EMPTY_XPATH, "EmptyXPathExpression"),
            ) else {
                ok = false;
                continue;
            };
            let expr = text.trimmed().to_owned();
            if !self.check_xpath(&expr, text, &bound) {
                ok = false;
                continue;
            }
            let Some(target) = self.target(targets, &name, v.span()) else {
                ok = false;
                continue;
            };
            vars.push(EvXmlVar {
                target,
                ty,
                xpath: expr,
            });
        }
        if vars.is_empty() && ok {
            self.diags.push(
                Diagnostic::error(
                    Code::EV_NO_XPATHS,
                    "NoXPathsToEvaluate: <XMLPayload> has no <Variable>",
                )
                .at(el.span(), "nothing to evaluate")
                .help("add <Variable name=\"…\"><XPath>/…</XPath></Variable>"),
            );
            return None;
        }
        ok.then_some(EvStep::Xml {
            stop,
            namespaces,
            vars,
        })
    }

    fn name_attr_named(&mut self, el: &Element, attr: &str) -> Option<String> {
        self.required_attr(
            el,
            attr,
            Code::EV_MISSING_NAME,
            format!("MissingName: <{}> has no {attr} attribute", el.name),
            "missing attribute",
            &format!("add {attr}=\"…\""),
        )
    }

    fn check_xpath(&mut self, expr: &str, text: &Text, bound: &[String]) -> bool {
        let error = if xpath_guard::max_nesting(expr) > xpath_guard::MAX_NESTING {
            Some(format!(
                "nested deeper than {} levels",
                xpath_guard::MAX_NESTING
            ))
        } else {
            match sxd_xpath::Factory::new().build(expr) {
                Ok(Some(_)) => xpath_guard::prefixes(expr)
                    .into_iter()
                    .find(|(_, p)| !bound.iter().any(|b| b == p))
                    .map(|(_, p)| {
                        format!("namespace prefix `{p}` is not declared in <Namespaces>")
                    }),
                Ok(None) => Some("empty expression".to_owned()),
                Err(e) => Some(e.to_string()),
            }
        };
        let Some(error) = error else { return true };
        self.diags.push(
            Diagnostic::error(
                Code::EV_XPATH_COMPILATION,
                format!("XPathCompilationFailed: `{expr}`: {error}"),
            )
            .at(text.span(), "invalid XPath")
            .help("XPath 1.0; declare every prefix in <Namespaces>"),
        );
        false
    }
}
