//! Parsing the conditions and templates found in XML text, rebasing their
//! spans onto the file, and resolving their variables.

use super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::expr::condition::{self, ConditionOptions};
use crate::expr::template::{self, TemplateOptions};
use crate::expr::{ExprError, ExprWarning};
use crate::ir;
use crate::syntax::xml::Text;
use std::collections::BTreeMap;
use std::ops::Range;

fn expr_diag(
    text: &Text,
    offset: usize,
    code: &'static str,
    message: &str,
    span: &Range<usize>,
    help: Option<&String>,
    error: bool,
) -> Diagnostic {
    let file_span = text.sub_span(&(span.start + offset..span.end + offset));
    let d = if error {
        Diagnostic::error(Code(code), message)
    } else {
        Diagnostic::warning(Code(code), message)
    };
    let d = d.at(file_span, "");
    match help {
        Some(h) => d.help(h.clone()),
        None => d,
    }
}

impl Sema<'_> {
    fn report_expr_errors(&mut self, text: &Text, offset: usize, errors: Vec<ExprError>) {
        for e in errors {
            let d = expr_diag(
                text,
                offset,
                e.code,
                &e.message,
                &e.span,
                e.help.as_ref(),
                true,
            );
            self.diags.push(d);
        }
    }

    fn report_expr_warnings(&mut self, text: &Text, offset: usize, warnings: Vec<ExprWarning>) {
        for w in warnings {
            let d = expr_diag(
                text,
                offset,
                w.code,
                &w.message,
                &w.span,
                w.help.as_ref(),
                false,
            );
            self.diags.push(d);
        }
    }

    /// Compiles a `<Condition>`; empty text means "always" (`None`).
    pub(super) fn condition(&mut self, text: Option<&Text>) -> Option<ir::Condition> {
        let text = text?;
        let src = text.trimmed();
        if src.is_empty() {
            return None;
        }
        let offset = text.trim_offset();
        let opts = ConditionOptions {
            java_precedence: self.opts.java_precedence,
        };
        match condition::parse(src, &opts) {
            Ok(expr) => {
                expr.visit_variables(&mut |name, span| {
                    let span = text.sub_span(&(span.start + offset..span.end + offset));
                    self.note_read(name, span);
                });
                let warnings = condition::warnings(&expr, src);
                self.report_expr_warnings(text, offset, warnings);
                let expr = condition::fold(expr);
                let mut vars = BTreeMap::new();
                for name in condition_variables(&expr) {
                    let v = self.vars.resolve(&name);
                    self.note_content_need(&v);
                    vars.insert(name, v);
                }
                Some(ir::Condition {
                    text: src.to_owned(),
                    expr,
                    vars,
                })
            }
            Err(errors) => {
                self.report_expr_errors(text, offset, errors);
                None
            }
        }
    }

    /// Compiles a message template.
    pub(super) fn template(&mut self, text: &Text, opts: &TemplateOptions) -> Option<ir::Template> {
        let src = if opts.strip_quotes {
            text.trimmed()
        } else {
            text.value.as_str()
        };
        let offset = if opts.strip_quotes {
            text.trim_offset()
        } else {
            0
        };
        match template::parse(src, opts) {
            Ok((tpl, warnings)) => {
                self.report_expr_warnings(text, offset, warnings);
                let mut vars = BTreeMap::new();
                for (name, span) in tpl.variables() {
                    let span = text.sub_span(&(span.start + offset..span.end + offset));
                    self.note_read(name, span);
                    let v = self.vars.resolve(name);
                    self.note_content_need(&v);
                    vars.insert(name.to_owned(), v);
                }
                Some(ir::Template { tpl, vars })
            }
            Err(errors) => {
                self.report_expr_errors(text, offset, errors);
                None
            }
        }
    }

    /// A template from trimmed element text (URLs, header values, …).
    pub(super) fn value_template(&mut self, text: &Text) -> Option<ir::Template> {
        self.template(
            text,
            &TemplateOptions {
                strip_quotes: true,
                ..TemplateOptions::default()
            },
        )
    }

    /// Records that a variable read needs a body buffered.
    pub(super) fn note_content_need(&mut self, var: &ir::Var) {
        use ir::MsgSel;
        match var.content_need() {
            Some(MsgSel::Request) => self.needs_request_content = true,
            Some(MsgSel::Response | MsgSel::Error) => self.needs_response_content = true,
            Some(MsgSel::Message) => {
                self.needs_request_content = true;
                self.needs_response_content = true;
            }
            Some(MsgSel::Slot(_)) | None => {}
        }
    }
}

/// The variable names a condition reads, in first-seen order.
fn condition_variables(expr: &condition::Expr) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    expr.visit_variables(&mut |name, _span| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    });
    names
}
