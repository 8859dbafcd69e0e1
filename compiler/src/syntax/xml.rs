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
    /// Where each byte of `value` lies in the file, as runs sorted by
    /// decoded offset, the last one for the end of `value`. Plain text is
    /// one run however long it is, so the map stays small next to the text.
    runs: Vec<Run>,
}

/// Decoded bytes from `dec` on lie at file offsets `raw`, `raw + 1`, …
/// for `len` bytes, then stay at `raw + len` (an entity, whose decoded
/// bytes all point at its `&`, has `len` 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    dec: usize,
    raw: usize,
    len: usize,
}

impl Run {
    /// A run of plain text: every decoded byte is one file byte.
    fn plain(dec: usize, raw: usize) -> Self {
        Run {
            dec,
            raw,
            len: usize::MAX,
        }
    }

    fn at(&self, i: usize) -> usize {
        self.raw + i.saturating_sub(self.dec).min(self.len)
    }
}

impl Text {
    /// Text without a mapping (synthesised values).
    pub fn synthetic(value: impl Into<String>, span: &Span) -> Self {
        let value = value.into();
        let start = span.range.start;
        let runs = vec![
            Run {
                dec: 0,
                raw: start,
                len: 0,
            },
            Run {
                dec: value.len(),
                raw: start,
                len: 0,
            },
        ];
        Text {
            value,
            file: span.file,
            range: span.range.clone(),
            runs,
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
        let start = self.offset_at(r.start);
        let end = self.offset_at(r.end).max(start);
        Span {
            file: self.file,
            range: start..end,
        }
    }

    /// File offset of byte `i` of the decoded value (`value.len()` and
    /// beyond: the end of the text).
    fn offset_at(&self, i: usize) -> usize {
        let idx = self.runs.partition_point(|r| r.dec <= i);
        idx.checked_sub(1)
            .and_then(|k| self.runs.get(k))
            .map_or(self.range.start, |r| r.at(i))
    }

    /// A copy holding only the trimmed value, offsets kept aligned.
    pub fn trimmed_copy(&self) -> Text {
        let start = self.trim_offset();
        let end = start + self.trimmed().len();
        let mut runs = vec![Run {
            dec: 0,
            raw: self.offset_at(start),
            len: 0,
        }];
        // The run holding `start`, clipped, then the runs inside the window.
        let first = self.runs.partition_point(|r| r.dec <= start);
        if let Some(r) = first.checked_sub(1).and_then(|k| self.runs.get(k)) {
            runs[0].len = r.len.saturating_sub(start - r.dec);
        }
        runs.extend(
            self.runs
                .iter()
                .skip(first)
                .take_while(|r| r.dec < end)
                .map(|r| Run {
                    dec: r.dec - start,
                    ..*r
                }),
        );
        runs.push(Run {
            dec: end - start,
            raw: self.offset_at(end),
            len: 0,
        });
        Text {
            value: self.trimmed().to_owned(),
            file: self.file,
            range: self.range.clone(),
            runs,
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

/// Deepest element nesting accepted (Apigee configuration nests a handful
/// of levels; the tree conversion is recursive).
pub const MAX_DEPTH: usize = 64;
/// Most XML nodes (elements, text runs, comments) accepted in one file.
pub const MAX_NODES: u32 = 200_000;
/// Most attributes (namespace declarations included) accepted on one
/// element: the XML parser checks duplicates pairwise, so an element with a
/// million attributes would take hours.
pub const MAX_ATTRIBUTES: usize = 256;

/// Parses one file into an element tree. DTDs are refused: configuration
/// never needs one, and entity declarations are how XML files blow up
/// (billion laughs, quadratic expansion, external entities).
pub fn parse(file: FileId, text: &str) -> Result<Element, Box<Diagnostic>> {
    let at = |offset: usize| Span {
        file,
        range: offset..offset,
    };
    if let Some((offset, count)) = crowded_tag(text) {
        return Err(Box::new(
            Diagnostic::error(
                Code::XML_LIMIT,
                format!("an element has {count} attributes or more; at most {MAX_ATTRIBUTES} are accepted"),
            )
            .at(at(offset), "this element")
            .help("Apigee configuration elements have a few attributes; check the file"),
        ));
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        let offset = offset_of(text, pos.row as usize, pos.col as usize);
        Box::new(match e {
            roxmltree::Error::DtdDetected => Diagnostic::error(
                Code::XML_DTD,
                "the file declares a DTD (<!DOCTYPE …>), which bundle files may not",
            )
            .at(at(offset), "DTD")
            .help("remove the <!DOCTYPE …> declaration and its entities; write special characters as `&lt;`, `&amp;` or `&#…;`"),
            roxmltree::Error::NodesLimitReached => Diagnostic::error(
                Code::XML_LIMIT,
                format!("the file holds more than {MAX_NODES} XML nodes"),
            )
            .at(at(0), "this file")
            .help("Apigee configuration files are small; split the content or move it out of the bundle"),
            e => Diagnostic::error(Code::XML_MALFORMED, format!("malformed XML: {e}"))
                .at(at(offset), "here")
                .help("fix the XML syntax; every element must be closed and `<`/`&` in text written as `&lt;`/`&amp;`"),
        })
    })?;
    convert(file, text, doc.root_element(), 0)
}

/// The first start tag with more than [`MAX_ATTRIBUTES`] attributes (`=`
/// signs outside quotes), as (offset, count). Comments, CDATA sections,
/// processing instructions and declarations are skipped whole.
fn crowded_tag(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let skip_to = |from: usize, end: &str| {
        text.get(from..)
            .and_then(|rest| rest.find(end))
            .map_or(b.len(), |i| from + i + end.len())
    };
    let mut i = 0;
    while let Some(lt) = text.get(i..).and_then(|rest| rest.find('<')).map(|j| i + j) {
        let rest = text.get(lt..).unwrap_or_default();
        i = if rest.starts_with("<!--") {
            skip_to(lt, "-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to(lt, "]]>")
        } else if rest.starts_with("<?") {
            skip_to(lt, "?>")
        } else if rest.starts_with("<!") {
            skip_to(lt, ">")
        } else {
            let mut quote = None;
            let mut count = 0;
            let mut j = lt + 1;
            while let Some(&c) = b.get(j) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'=') => {
                        count += 1;
                        if count > MAX_ATTRIBUTES {
                            return Some((lt, count));
                        }
                    }
                    (None, b'>' | b'<') => break,
                    (None, _) => {}
                }
                j += 1;
            }
            j.max(lt + 1)
        };
    }
    None
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
            Code::XML_LIMIT,
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
            let range = text_extent(src, child.range());
            let t = decode_text(file, src, range, child.text().unwrap_or(""));
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

/// The file range of a text node. roxmltree merges text and CDATA
/// sections into one node but reports the range of its first part only;
/// the rest runs on to the next markup that is not CDATA.
fn text_extent(src: &str, range: Range<usize>) -> Range<usize> {
    let mut end = range.end;
    loop {
        let rest = src.get(end..).unwrap_or_default();
        end = if rest.starts_with("<![CDATA[") {
            rest.find("]]>").map_or(src.len(), |i| end + i + 3)
        } else if !rest.is_empty() && !rest.starts_with('<') {
            rest.find('<').map_or(src.len(), |i| end + i)
        } else {
            return range.start..end;
        };
    }
}

fn join_text(mut a: Text, b: Text) -> Text {
    a.runs.pop();
    let shift = a.value.len();
    a.value.push_str(&b.value);
    a.runs.extend(b.runs.into_iter().map(|r| Run {
        dec: r.dec + shift,
        ..r
    }));
    a.range = a.range.start..b.range.end;
    a
}

/// Builds a [`Text`] for decoded `value` whose raw form is `src[raw]`,
/// mapping every decoded byte back to the raw offset (entities, CDATA).
fn decode_text(file: FileId, src: &str, raw: Range<usize>, value: &str) -> Text {
    let raw_text = src.get(raw.clone()).unwrap_or("");
    let mut runs: Vec<Run> = Vec::new();
    let mut dec = 0; // position in value
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
        let entity = !in_cdata && rb.get(r) == Some(&b'&');
        let continues = runs
            .last()
            .is_some_and(|run| run.len == usize::MAX && run.at(dec) == start);
        if entity {
            runs.push(Run {
                dec,
                raw: start,
                len: 0,
            });
        } else if !continues {
            runs.push(Run::plain(dec, start));
        }
        dec += ch.len_utf8();
        if entity {
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
    runs.push(Run {
        dec,
        raw: raw.start + r.min(raw_text.len()),
        len: 0,
    });
    Text {
        value: value.to_owned(),
        file,
        range: raw,
        runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(src: &str) -> Text {
        let root = parse(FileId(0), src).expect("well-formed"); // ok: unit test
        root.text.expect("text") // ok: unit test
    }

    /// The file text a decoded byte range maps back to.
    fn raw<'s>(src: &'s str, t: &Text, r: Range<usize>) -> &'s str {
        &src[t.sub_span(&r).range]
    }

    #[test]
    fn decoded_offsets_map_back_through_entities_cdata_and_crlf() {
        let src = "<a>x &lt; y\r\nz<![CDATA[<c>]]>é&#233;w</a>";
        let t = text_of(src);
        assert_eq!(t.value, "x < y\nz<c>ééw");
        let find = |s: &str| t.value.find(s).expect("in value"); // ok: unit test
        assert_eq!(raw(src, &t, 0..1), "x");
        assert_eq!(raw(src, &t, find("<")..find("<") + 1), "&lt;");
        assert_eq!(raw(src, &t, find("<")..find(" y") + 2), "&lt; y");
        assert_eq!(raw(src, &t, find("y")..find("y") + 1), "y");
        // A range ends where the next decoded byte starts (after a marker).
        assert_eq!(raw(src, &t, find("z")..find("z") + 1), "z<![CDATA[");
        assert_eq!(raw(src, &t, find("<c>")..find("<c>") + 3), "<c>]]>");
        let w = find("w");
        assert_eq!(raw(src, &t, w..w + 1), "w");
        assert_eq!(raw(src, &t, w - 2..w), "&#233;");
        assert_eq!(raw(src, &t, w - 4..w - 2), "é");
        assert_eq!(raw(src, &t, 0..t.value.len()), &src[3..src.len() - 4]);
    }

    #[test]
    fn trimmed_copies_and_long_plain_text_keep_their_offsets() {
        let long = "v".repeat(100_000);
        let src = format!("<a>  &amp;{long}&gt; </a>");
        let t = text_of(&src);
        assert!(t.runs.len() <= 6, "{} runs", t.runs.len());
        let trimmed = t.trimmed_copy();
        assert_eq!(trimmed.value, format!("&{long}>"));
        assert_eq!(raw(&src, &trimmed, 0..1), "&amp;");
        assert_eq!(raw(&src, &trimmed, 1..3), "vv");
        let end = trimmed.value.len();
        assert_eq!(raw(&src, &trimmed, end - 1..end), "&gt;");
        assert_eq!(
            raw(&src, &trimmed, 0..end),
            src[5..src.len() - 5].to_owned()
        );
    }

    #[test]
    fn synthetic_text_points_at_its_span_start() {
        let span = Span {
            file: FileId(0),
            range: 10..20,
        };
        let t = Text::synthetic("abc", &span);
        assert_eq!(t.sub_span(&(1..2)).range, 10..10);
        assert_eq!(t.trimmed_copy().sub_span(&(0..3)).range, 10..10);
    }

    #[test]
    fn crowded_tags_are_found_outside_comments_and_cdata() {
        let many: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" a{i}=''")).collect();
        assert!(crowded_tag(&format!("<r{many}/>")).is_some());
        let hidden = format!("<r><!--<x{many}>--><![CDATA[<x{many}>]]><?p {many}?></r>");
        assert_eq!(crowded_tag(&hidden), None);
        let quoted = format!("<r a=\"{}\"/>", "=".repeat(1000));
        assert_eq!(crowded_tag(&quoted), None);
    }
}
