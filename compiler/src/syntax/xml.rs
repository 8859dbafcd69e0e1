//! An owned XML element tree with byte spans, built from roxmltree. Text
//! keeps a map from decoded offsets to file offsets, so an error inside a
//! condition is reported at its own column even after `&lt;`/`&amp;`.

use crate::diagnostics::{Code, Diagnostic, FileId, Span};
use std::ops::Range;

/// Text content with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Decoded text (entities resolved), untrimmed.
    pub value: String,
    /// File.
    pub file: FileId,
    /// Raw byte range of the text in the file.
    pub range: Range<usize>,
    /// For each byte of `value`, its file offset (one extra entry for the end).
    offsets: Vec<usize>,
}

impl Text {
    /// Text without a mapping (synthesised values).
    pub fn synthetic(value: impl Into<String>, span: &Span) -> Self {
        let value = value.into();
        let offsets = vec![span.range.start; value.len() + 1];
        Text {
            value,
            file: span.file,
            range: span.range.clone(),
            offsets,
        }
    }

    /// The trimmed value.
    pub fn trimmed(&self) -> &str {
        self.value.trim()
    }

    /// Span of the whole text.
    pub fn span(&self) -> Span {
        Span {
            file: self.file,
            range: self.range.clone(),
        }
    }

    /// Span in the file of a byte range of the decoded value.
    pub fn sub_span(&self, r: &Range<usize>) -> Span {
        let at = |i: usize| {
            self.offsets
                .get(i.min(self.offsets.len().saturating_sub(1)))
                .copied()
                .unwrap_or(self.range.start)
        };
        let start = at(r.start);
        let end = at(r.end).max(start);
        Span {
            file: self.file,
            range: start..end,
        }
    }

    /// A copy holding only the trimmed value, offsets kept aligned.
    pub fn trimmed_copy(&self) -> Text {
        let start = self.trim_offset();
        let end = start + self.trimmed().len();
        Text {
            value: self.trimmed().to_owned(),
            file: self.file,
            range: self.range.clone(),
            offsets: self.offsets.get(start..=end).map_or_else(
                || vec![self.range.start; end - start + 1],
                <[usize]>::to_vec,
            ),
        }
    }

    /// Byte offset of the trimmed value inside `value`.
    pub fn trim_offset(&self) -> usize {
        self.value.len() - self.value.trim_start().len()
    }
}

/// An attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Name.
    pub name: String,
    /// Value with location.
    pub value: Text,
}

/// An element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Tag name (local name).
    pub name: String,
    /// File.
    pub file: FileId,
    /// Byte range of the start tag's name (where diagnostics point).
    pub name_range: Range<usize>,
    /// Byte range of the whole element.
    pub range: Range<usize>,
    /// Attributes in order.
    pub attrs: Vec<Attr>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Concatenated text children (None when there is no text node).
    pub text: Option<Text>,
}

impl Element {
    /// Span of the start tag's name.
    pub fn span(&self) -> Span {
        Span {
            file: self.file,
            range: self.name_range.clone(),
        }
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child element named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// An attribute by name.
    pub fn attr(&self, name: &str) -> Option<&Text> {
        self.attrs.iter().find(|a| a.name == name).map(|a| &a.value)
    }

    /// An attribute's trimmed value, when present and non-empty.
    pub fn attr_value(&self, name: &str) -> Option<String> {
        self.attr(name)
            .map(|t| t.trimmed().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The trimmed text, or "" when there is none.
    pub fn text_str(&self) -> &str {
        self.text.as_ref().map_or("", Text::trimmed)
    }

    /// The trimmed text of child `name`, when present and non-empty.
    pub fn child_text(&self, name: &str) -> Option<&Text> {
        self.child(name)
            .and_then(|c| c.text.as_ref())
            .filter(|t| !t.trimmed().is_empty())
    }
}

/// Limits protecting the compiler from hostile files.
const MAX_DEPTH: usize = 64;

/// Parses one file into an element tree.
pub fn parse(file: FileId, text: &str) -> Result<Element, Box<Diagnostic>> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: 200_000,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        let offset = offset_of(text, pos.row as usize, pos.col as usize);
        Box::new(Diagnostic::error(Code::XML_MALFORMED, format!("malformed XML: {e}"))
            .at(
                Span {
                    file,
                    range: offset..offset,
                },
                "here",
            )
            .help("fix the XML syntax; every element must be closed and `<`/`&` in text written as `&lt;`/`&amp;`"))
    })?;
    convert(file, text, doc.root_element(), 0)
}

fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row {
            return offset
                + line
                    .char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(line.len(), |(b, _)| b);
        }
        offset += line.len();
    }
    text.len()
}

fn convert(
    file: FileId,
    src: &str,
    node: roxmltree::Node<'_, '_>,
    depth: usize,
) -> Result<Element, Box<Diagnostic>> {
    let range = node.range();
    if depth > MAX_DEPTH {
        let d = Diagnostic::error(
            Code::XML_MALFORMED,
            format!("elements nested deeper than {MAX_DEPTH} levels"),
        )
        .at(
            Span {
                file,
                range: range.start..range.start + 1,
            },
            "too deep",
        )
        .help("Apigee configuration is never nested this deeply; check the file");
        return Err(Box::new(d));
    }
    let name = node.tag_name().name().to_owned();
    let name_start = range.start + 1;
    let name_range = name_start
        ..name_start
            + node
                .tag_name()
                .name()
                .len()
                .min(src.len().saturating_sub(name_start));
    let attrs = node
        .attributes()
        .map(|a| {
            let vr = a.range_value();
            Attr {
                name: a.name().to_owned(),
                value: decode_text(file, src, vr.clone(), a.value()),
            }
        })
        .collect();
    let mut children = Vec::new();
    let mut text: Option<Text> = None;
    for child in node.children() {
        if child.is_element() {
            children.push(convert(file, src, child, depth + 1)?);
        } else if child.is_text() {
            let t = decode_text(file, src, child.range(), child.text().unwrap_or(""));
            text = Some(match text.take() {
                None => t,
                Some(prev) => join_text(prev, t),
            });
        }
    }
    Ok(Element {
        name,
        file,
        name_range,
        range,
        attrs,
        children,
        text,
    })
}

fn join_text(mut a: Text, b: Text) -> Text {
    a.offsets.pop();
    a.value.push_str(&b.value);
    a.offsets.extend(b.offsets);
    a.range = a.range.start..b.range.end;
    a
}

/// Builds a [`Text`] for decoded `value` whose raw form is `src[raw]`,
/// mapping every decoded byte back to the raw offset (entities, CDATA).
fn decode_text(file: FileId, src: &str, raw: Range<usize>, value: &str) -> Text {
    let raw_text = src.get(raw.clone()).unwrap_or("");
    let mut offsets = Vec::with_capacity(value.len() + 1);
    let mut r = 0; // position in raw_text
    let rb = raw_text.as_bytes();
    let mut in_cdata = false;
    for ch in value.chars() {
        // Skip CDATA markers in the raw text.
        if !in_cdata
            && raw_text
                .get(r..)
                .is_some_and(|s| s.starts_with("<![CDATA["))
        {
            r += 9;
            in_cdata = true;
        }
        if in_cdata && raw_text.get(r..).is_some_and(|s| s.starts_with("]]>")) {
            r += 3;
            in_cdata = false;
            if raw_text
                .get(r..)
                .is_some_and(|s| s.starts_with("<![CDATA["))
            {
                r += 9;
                in_cdata = true;
            }
        }
        let start = raw.start + r;
        for _ in 0..ch.len_utf8() {
            offsets.push(start);
        }
        if !in_cdata && rb.get(r) == Some(&b'&') {
            // An entity reference stands for this character.
            let len = raw_text
                .get(r..)
                .and_then(|s| s.find(';'))
                .map_or(1, |i| i + 1);
            r += len;
        } else if ch == '\n' && rb.get(r) == Some(&b'\r') {
            r += 2;
        } else {
            r += ch.len_utf8();
        }
    }
    offsets.push(raw.start + r.min(raw_text.len()));
    Text {
        value: value.to_owned(),
        file,
        range: raw,
        offsets,
    }
}
