//! `xpath(expr,xml[,type][,prefix:uri…])` on sxd-document + sxd-xpath
//! (XPath 1.0).
//!
//! Extra arguments containing `:` bind a namespace prefix (`p:urn:x` binds
//! `p` to `urn:x`); any other extra argument names the result type,
//! case-insensitive: `nodeset` (default, also for unknown names), `node`,
//! `number`, `boolean`, `string`.
//!
//! Rendering: a node set serialises its nodes in document order as XML text
//! (elements with their markup, attributes and text nodes as their value);
//! `node` serialises only the first; `number` uses Java's `Double.toString`
//! form (`2.0`, `1.0E7`, `NaN`); `boolean` is `true`/`false`; `string` is the
//! XPath string value. A non-node-set result asked for as `nodeset` renders
//! its string value. No match, invalid XML, an invalid expression or an
//! unresolved `expr`/`xml` argument renders ""; so does XML nested deeper
//! than 1024 elements (sxd-xpath's descendant search is quadratic in depth); so does a namespace prefix
//! the arguments do not bind.

use std::fmt::Write as _;

use sxd_document::dom::{ChildOfElement, Element};
use sxd_xpath::nodeset::Node;
use sxd_xpath::{Context, Factory, Value};

use super::xpath_guard::{MAX_NESTING, max_nesting, prefixes};

/// The requested result type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultType {
    Nodeset,
    Node,
    Number,
    Boolean,
    Text,
}

impl ResultType {
    fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "node" => Self::Node,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "string" => Self::Text,
            _ => Self::Nodeset,
        }
    }
}

/// `xpath(expr,xml,extra…)`.
pub fn xpath(expr: Option<&str>, xml: Option<&str>, extra: &[Option<&str>]) -> String {
    let (Some(expr), Some(xml)) = (expr, xml) else {
        return String::new();
    };
    evaluate(expr, xml, extra).unwrap_or_default()
}

/// Deepest element nesting accepted in the XML argument.
const MAX_XML_DEPTH: usize = 1024;

/// Whether `xml` nests elements deeper than `limit`: counts `<name` opens
/// and `</` / `/>` closes; comments, CDATA and processing instructions are
/// not skipped, so the estimate can only be too high.
fn nested_deeper_than(xml: &str, limit: usize) -> bool {
    let bytes = xml.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        match (b, next) {
            (b'<', Some(b'/')) | (b'/', Some(b'>')) => depth = depth.saturating_sub(1),
            (b'<', Some(n)) if n != b'!' && n != b'?' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn evaluate(expr: &str, xml: &str, extra: &[Option<&str>]) -> Option<String> {
    if max_nesting(expr) > MAX_NESTING || nested_deeper_than(xml, MAX_XML_DEPTH) {
        return None;
    }
    let mut context = Context::new();
    let mut bound = Vec::new();
    let mut wanted = ResultType::Nodeset;
    for arg in extra.iter().flatten() {
        match arg.split_once(':') {
            Some((prefix, uri)) => {
                context.set_namespace(prefix.trim(), uri.trim());
                bound.push(prefix.trim());
            }
            None => wanted = ResultType::from_name(arg),
        }
    }
    if prefixes(expr).iter().any(|(_, p)| !bound.contains(p)) {
        return None;
    }
    let compiled = Factory::new().build(expr).ok()??;
    let package = sxd_document::parser::parse(xml).ok()?;
    let document = package.as_document();
    let value = compiled.evaluate(&context, document.root()).ok()?;
    Some(match (wanted, value) {
        (ResultType::Nodeset, Value::Nodeset(nodes)) => {
            nodes
                .document_order()
                .into_iter()
                .fold(String::new(), |mut out, node| {
                    write_node(&mut out, node);
                    out
                })
        }
        (ResultType::Node, Value::Nodeset(nodes)) => {
            let mut out = String::new();
            if let Some(first) = nodes.document_order_first() {
                write_node(&mut out, first);
            }
            out
        }
        (ResultType::Number, value) => java_double(value.number()),
        (ResultType::Boolean, value) => value.boolean().to_string(),
        (_, value) => value.string(),
    })
}

/// Java `Double.toString` rendering.
fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x < 0.0 {
            "-Infinity".into()
        } else {
            "Infinity".into()
        };
    }
    let abs = x.abs();
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        let plain = x.to_string();
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_owned()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exponent}")
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn write_node(out: &mut String, node: Node<'_>) {
    match node {
        Node::Root(root) => {
            for child in root.children() {
                if let Some(element) = child.element() {
                    write_element(out, element);
                }
            }
        }
        Node::Element(element) => write_element(out, element),
        Node::Attribute(attr) => out.push_str(attr.value()),
        Node::Text(text) => out.push_str(text.text()),
        Node::Comment(comment) => {
            let _ = write!(out, "<!--{}-->", comment.text());
        }
        Node::ProcessingInstruction(pi) => {
            let _ = write!(
                out,
                "<?{} {}?>",
                pi.target(),
                pi.value().unwrap_or_default()
            );
        }
        Node::Namespace(ns) => out.push_str(ns.uri()),
    }
}

fn qualified(prefix: Option<&str>, local: &str) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("{p}:{local}"),
        _ => local.to_owned(),
    }
}

/// Work items of the iterative serialiser (no recursion: deep documents
/// cannot exhaust the stack).
enum Step<'d> {
    Child(ChildOfElement<'d>, Option<Element<'d>>),
    Close(String),
}

/// Serialises `top` and its subtree; the top element re-declares every
/// namespace in scope so the fragment stands alone, descendants declare
/// what they add.
fn write_element(out: &mut String, top: Element<'_>) {
    let mut stack = vec![Step::Child(ChildOfElement::Element(top), None)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Close(name) => {
                let _ = write!(out, "</{name}>");
            }
            Step::Child(ChildOfElement::Text(t), _) => escape_into(out, t.text(), false),
            Step::Child(ChildOfElement::Comment(c), _) => {
                let _ = write!(out, "<!--{}-->", c.text());
            }
            Step::Child(ChildOfElement::ProcessingInstruction(pi), _) => {
                let _ = write!(
                    out,
                    "<?{} {}?>",
                    pi.target(),
                    pi.value().unwrap_or_default()
                );
            }
            Step::Child(ChildOfElement::Element(el), parent) => {
                let name = qualified(el.preferred_prefix(), el.name().local_part());
                let _ = write!(out, "<{name}");
                write_namespaces(out, el, parent);
                for attr in el.attributes() {
                    let _ = write!(
                        out,
                        " {}=\"",
                        qualified(attr.preferred_prefix(), attr.name().local_part())
                    );
                    escape_into(out, attr.value(), true);
                    out.push('"');
                }
                let children = el.children();
                if children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    stack.push(Step::Close(name));
                    stack.extend(children.into_iter().rev().map(|c| Step::Child(c, Some(el))));
                }
            }
        }
    }
}

fn write_namespaces(out: &mut String, el: Element<'_>, parent: Option<Element<'_>>) {
    let inherited = parent.map(|p| p.namespaces_in_scope()).unwrap_or_default();
    for ns in el.namespaces_in_scope() {
        let known = inherited
            .iter()
            .any(|i| i.prefix() == ns.prefix() && i.uri() == ns.uri());
        if ns.prefix() != "xml" && !known {
            let _ = write!(out, " xmlns:{}=\"", ns.prefix());
            escape_into(out, ns.uri(), true);
            out.push('"');
        }
    }
    let default = el.recursive_default_namespace_uri();
    let parent_default = parent.and_then(|p| p.recursive_default_namespace_uri());
    if default != parent_default {
        let _ = write!(out, " xmlns=\"");
        escape_into(out, default.unwrap_or_default(), true);
        out.push('"');
    }
}
