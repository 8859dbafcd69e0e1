//! The message-building elements shared by AssignMessage, RaiseFault's
//! FaultResponse and ServiceCallout's Request: Copy, Remove, Add, Set,
//! AssignVariable — compiled in document order.

use super::super::Sema;
use super::super::vars::VarTable;
use crate::diagnostics::{Code, Diagnostic};
use crate::expr::template::TemplateOptions;
use crate::ir::{self, Collection, CopySpec, MessageOp, MsgSel, PartSel, RemoveSpec, Scalar};
use crate::syntax::xml::{Element, Text};

const COLLECTIONS: &[(&str, &str, Collection)] = &[
    ("Headers", "Header", Collection::Header),
    ("QueryParams", "QueryParam", Collection::Query),
    ("FormParams", "FormParam", Collection::Form),
];

const SCALARS: &[(&str, Scalar)] = &[
    ("Verb", Scalar::Verb),
    ("Path", Scalar::Path),
    ("Version", Scalar::Version),
    ("StatusCode", Scalar::StatusCode),
    ("ReasonPhrase", Scalar::ReasonPhrase),
];

impl Sema<'_> {
    /// Compiles the operation elements among `el`'s children, in order.
    /// Children not in `others` nor an operation get an unknown-element warning.
    pub(crate) fn message_ops(&mut self, el: &Element, others: &[&str]) -> Vec<MessageOp> {
        let mut ops = Vec::new();
        let mut known: Vec<&str> = vec!["Copy", "Remove", "Add", "Set", "AssignVariable"];
        known.extend_from_slice(others);
        self.check_children(el, &known);
        for child in &el.children {
            match child.name.as_str() {
                "Set" => self.set_ops(child, &mut ops),
                "Add" => self.add_ops(child, &mut ops),
                "Remove" => ops.push(MessageOp::Remove(self.remove_spec(child))),
                "Copy" => {
                    if let Some(c) = self.copy_spec(child) {
                        ops.push(MessageOp::Copy(c));
                    }
                }
                "AssignVariable" => {
                    if let Some(av) = self.assign_variable(child) {
                        ops.push(MessageOp::AssignVariable(Box::new(av)));
                    }
                }
                _ => {}
            }
        }
        ops
    }

    fn set_ops(&mut self, set: &Element, ops: &mut Vec<MessageOp>) {
        let mut known: Vec<&str> = vec!["Payload", "Authentication"];
        known.extend(COLLECTIONS.iter().map(|c| c.0));
        known.extend(SCALARS.iter().map(|s| s.0));
        self.check_children(set, &known);
        for child in &set.children {
            if let Some(&(_, item, coll)) = COLLECTIONS.iter().find(|c| c.0 == child.name) {
                for it in child.children_named(item) {
                    if let Some((name, tpl)) = self.named_item(it) {
                        ops.push(MessageOp::SetItem(coll, name, tpl));
                    }
                }
            } else if let Some(&(_, scalar)) = SCALARS.iter().find(|s| s.0 == child.name) {
                if let Some(t) = child.text.as_ref().filter(|t| !t.trimmed().is_empty())
                    && let Some(tpl) = self.value_template(t)
                {
                    ops.push(MessageOp::SetScalar(scalar, tpl));
                }
            } else if child.name == "Payload" {
                let content_type = child.attr("contentType").and_then(|c| self.content_type(c));
                let prefix = child
                    .attr("variablePrefix")
                    .and_then(|p| p.trimmed().chars().next());
                let suffix = child
                    .attr("variableSuffix")
                    .and_then(|p| p.trimmed().chars().next());
                let opts = TemplateOptions {
                    variable_prefix: prefix.unwrap_or('{'),
                    variable_suffix: suffix.unwrap_or('}'),
                    ..TemplateOptions::default()
                };
                let empty;
                let text = match &child.text {
                    Some(t) => t,
                    None => {
                        empty = crate::syntax::xml::Text::synthetic("", &child.span());
                        &empty
                    }
                };
                // Payload text is used as written, minus surrounding whitespace
                // lines (XML indentation), never quote-stripped.
                let trimmed = text.trimmed_copy();
                if let Some(payload) = self.template(&trimmed, &opts) {
                    ops.push(MessageOp::SetPayload {
                        content_type,
                        payload,
                    });
                }
            } else if child.name == "Authentication" {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNSUPPORTED_FEATURE,
                        "<Authentication> in <Set> is not supported by proxyc yet",
                    )
                    .at(child.span(), "not supported yet")
                    .help("remove <Authentication>; see the README for what is supported"),
                );
            }
        }
    }

    /// `Payload@contentType`, checked here so that the generated code sets
    /// it as a constant header value: visible ASCII (and tabs) only.
    fn content_type(&mut self, attr: &Text) -> Option<String> {
        let value = attr.trimmed();
        if ir::is_static_header_value(value) {
            return Some(value.to_owned());
        }
        self.diags.push(
            Diagnostic::error(
                Code::INVALID_VALUE,
                format!(
                    "contentType `{}` cannot be sent as a Content-Type header",
                    value.escape_debug()
                ),
            )
            .at(attr.span(), "control or non-ASCII character")
            .help("write a media type in plain ASCII, such as application/json"),
        );
        None
    }

    fn add_ops(&mut self, add: &Element, ops: &mut Vec<MessageOp>) {
        let known: Vec<&str> = COLLECTIONS.iter().map(|c| c.0).collect();
        self.check_children(add, &known);
        for child in &add.children {
            if let Some(&(_, item, coll)) = COLLECTIONS.iter().find(|c| c.0 == child.name) {
                for it in child.children_named(item) {
                    if let Some((name, tpl)) = self.named_item(it) {
                        ops.push(MessageOp::AddItem(coll, name, tpl));
                    }
                }
            }
        }
    }

    /// `<Header name="…">template</Header>`.
    fn named_item(&mut self, it: &Element) -> Option<(String, ir::Template)> {
        let name = self.required_attr(
            it,
            "name",
            Code::MISSING_ELEMENT,
            format!("<{}> needs a name attribute", it.name),
            "no name",
            "add name=\"…\" naming the header or parameter",
        )?;
        let text = it
            .text
            .clone()
            .unwrap_or_else(|| crate::syntax::xml::Text::synthetic("", &it.span()));
        let tpl = self.value_template(&text)?;
        Some((name, tpl))
    }

    /// A `PartSel` from `<Headers/>` (all) or `<Headers><Header name="h.2"/>…`.
    fn part_sel(&mut self, el: Option<&Element>, item: &str) -> PartSel {
        let Some(el) = el else { return PartSel::None };
        let named: Vec<&Element> = el.children_named(item).collect();
        if named.is_empty() {
            return PartSel::All;
        }
        let mut out = Vec::new();
        for it in named {
            let Some(name) = it.attr("name").map(|n| n.trimmed().to_owned()) else {
                self.diags.push(
                    Diagnostic::error(
                        Code::MISSING_ELEMENT,
                        format!("<{item}> needs a name attribute"),
                    )
                    .at(it.span(), "no name")
                    .help("add name=\"…\" naming the header or parameter"),
                );
                continue;
            };
            // A named child may say `false` to opt out.
            if it.text_str().eq_ignore_ascii_case("false") {
                continue;
            }
            match name.rsplit_once('.') {
                Some((base, idx)) if idx.parse::<i64>().is_ok() => {
                    let i = idx.parse::<i64>().unwrap_or(0);
                    if i <= 0 {
                        self.diags.push(
                            Diagnostic::error(
                                Code::INVALID_INDEX,
                                format!("index {i} in `{name}` must be 1 or more"),
                            )
                            .at(it.span(), "invalid index")
                            .help("indexes count from 1: `name.1` is the first value"),
                        );
                        continue;
                    }
                    out.push((base.to_owned(), usize::try_from(i).ok()));
                }
                _ => out.push((name, None)),
            }
        }
        PartSel::Named(out)
    }

    fn remove_spec(&mut self, el: &Element) -> RemoveSpec {
        if el.children.is_empty() {
            return RemoveSpec {
                headers: PartSel::All,
                query: PartSel::All,
                form: PartSel::All,
                payload: true,
            };
        }
        self.check_children(el, &["Headers", "QueryParams", "FormParams", "Payload"]);
        RemoveSpec {
            headers: self.part_sel(el.child("Headers"), "Header"),
            query: self.part_sel(el.child("QueryParams"), "QueryParam"),
            form: self.part_sel(el.child("FormParams"), "FormParam"),
            payload: self.bool_text(el.child("Payload"), false),
        }
    }

    fn copy_spec(&mut self, el: &Element) -> Option<CopySpec> {
        let source_name = el.attr("source").map_or("message", |s| s.trimmed());
        let Some(source) = self.vars.message_sel(source_name) else {
            self.diags.push(
                Diagnostic::error(
                    Code::INVALID_VALUE,
                    format!("Copy source `{source_name}` is not a message variable"),
                )
                .at(el.span(), "source must name a message")
                .help(
                    "use request, response, or a variable created by AssignMessage/ServiceCallout",
                ),
            );
            return None;
        };
        if source == MsgSel::Request || source == MsgSel::Message {
            self.needs_request_content = true;
        }
        if matches!(source, MsgSel::Response | MsgSel::Message | MsgSel::Error) {
            self.needs_response_content = true;
        }
        if el.children.is_empty() {
            return Some(CopySpec {
                source,
                headers: PartSel::All,
                query: PartSel::All,
                form: PartSel::All,
                payload: true,
                path: true,
                verb: true,
                version: true,
                status: true,
                reason: true,
            });
        }
        self.check_children(
            el,
            &[
                "Headers",
                "QueryParams",
                "FormParams",
                "Payload",
                "Path",
                "Verb",
                "Version",
                "StatusCode",
                "ReasonPhrase",
            ],
        );
        Some(CopySpec {
            source,
            headers: self.part_sel(el.child("Headers"), "Header"),
            query: self.part_sel(el.child("QueryParams"), "QueryParam"),
            form: self.part_sel(el.child("FormParams"), "FormParam"),
            payload: self.bool_text(el.child("Payload"), false),
            path: self.bool_text(el.child("Path"), false),
            verb: self.bool_text(el.child("Verb"), false),
            version: self.bool_text(el.child("Version"), false),
            status: self.bool_text(el.child("StatusCode"), false),
            reason: self.bool_text(el.child("ReasonPhrase"), false),
        })
    }

    /// Resolves a variable a policy writes; a read-only built-in is
    /// reported at `span` (PXC056).
    pub(crate) fn writable_var(
        &mut self,
        name: &str,
        span: crate::diagnostics::Span,
        label: &str,
        help: &str,
    ) -> Option<ir::Var> {
        let target = self.vars.resolve(name);
        if VarTable::is_read_only(&target) {
            self.diags.push(
                Diagnostic::error(
                    Code::READ_ONLY_VARIABLE,
                    format!("`{name}` is a read-only built-in variable"),
                )
                .at(span, label.to_owned())
                .help(help.to_owned()),
            );
            return None;
        }
        Some(target)
    }

    fn assign_variable(&mut self, el: &Element) -> Option<ir::AssignVariable> {
        self.check_children(
            el,
            &[
                "Name",
                "Value",
                "Ref",
                "Template",
                "ResourceURL",
                "PropertySetRef",
            ],
        );
        let Some(name_text) = el.child_text("Name") else {
            self.diags.push(
                Diagnostic::error(
                    Code::INVALID_VARIABLE_NAME,
                    "InvalidVariableName: <AssignVariable> has no <Name>",
                )
                .at(el.span(), "no Name")
                .help("add <Name>my.variable</Name>"),
            );
            return None;
        };
        let name = name_text.trimmed().to_owned();
        let target = self.writable_var(
            &name,
            name_text.span(),
            "cannot be assigned",
            "assign a variable of your own, or change the message with <Set>",
        )?;
        for unsupported in ["ResourceURL", "PropertySetRef"] {
            if let Some(c) = el.child(unsupported) {
                self.diags.push(
                    Diagnostic::error(
                        Code::UNSUPPORTED_FEATURE,
                        format!("<{unsupported}> is not supported by proxyc yet"),
                    )
                    .at(c.span(), "not supported yet")
                    .help("remove the element; see the README for what is supported"),
                );
            }
        }
        let template_el = el.child("Template");
        let template_ref = template_el
            .and_then(|t| t.attr("ref"))
            .filter(|r| !r.trimmed().is_empty())
            .map(|r| {
                self.note_read(r.trimmed(), r.span());
                self.vars.resolve(r.trimmed())
            });
        let template = match template_el
            .and_then(|t| t.text.as_ref())
            .filter(|t| !t.trimmed().is_empty())
        {
            Some(t) => Some(self.value_template(t)?),
            None => None,
        };
        let reference = el.child_text("Ref").map(|r| {
            let n = r
                .trimmed()
                .trim_start_matches('{')
                .trim_end_matches('}')
                .to_owned();
            self.note_read(&n, r.span());
            let v = self.vars.resolve(&n);
            self.note_content_need(&v);
            (n, v)
        });
        let value = el.child("Value").map(|v| {
            v.text
                .as_ref()
                .map_or_else(String::new, |t| t.value.clone())
        });
        Some(ir::AssignVariable {
            name,
            target,
            template_ref,
            template,
            reference,
            value,
        })
    }
}
