//! Text template functions: case conversion, `substring`, the escaping
//! family and `firstnonnull`. Unresolved arguments render as "".

/// `toUpperCase(s)` (Unicode upper-casing, locale independent).
pub fn to_upper_case(input: Option<&str>) -> String {
    input.map(str::to_uppercase).unwrap_or_default()
}

/// `toLowerCase(s)` (Unicode lower-casing, locale independent).
pub fn to_lower_case(input: Option<&str>) -> String {
    input.map(str::to_lowercase).unwrap_or_default()
}

/// Resolves a Java-style index against `len`: negative counts from the end,
/// then clamped into `0..=len`.
fn resolve_index(index: i64, len: usize) -> usize {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let abs = if index < 0 {
        len_i.saturating_add(index)
    } else {
        index
    };
    usize::try_from(abs.clamp(0, len_i)).unwrap_or(len)
}

/// `substring(str,start[,end])`: Java `String.substring` indices (0-based,
/// `end` exclusive) counted in Unicode scalar values; negative indices count
/// from the end; out-of-range indices are clamped; `start >= end` gives "".
/// A non-integer index gives "".
pub fn substring(input: Option<&str>, start: Option<&str>, end: Option<&str>) -> String {
    let run = || {
        let text = input?;
        let start: i64 = start?.trim().parse().ok()?;
        let end: Option<i64> = match end {
            Some(e) => Some(e.trim().parse().ok()?),
            None => None,
        };
        let len = text.chars().count();
        let from = resolve_index(start, len);
        let to = end.map_or(len, |e| resolve_index(e, len));
        Some(
            text.chars()
                .skip(from)
                .take(to.saturating_sub(from))
                .collect(),
        )
    };
    run().unwrap_or_default()
}

/// `escapeJSON(s)`: full JSON string escaping (`"`, `\`, `\b \f \n \r \t`,
/// `\u00XX` for the other control characters), without surrounding quotes.
pub fn escape_json(input: Option<&str>) -> String {
    let Some(text) = input else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Appends the XML 1.0 entity for one of the five special characters, or
/// the character itself.
fn push_xml_char(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\'' => out.push_str("&apos;"),
        '"' => out.push_str("&quot;"),
        '&' => out.push_str("&amp;"),
        c => out.push(c),
    }
}

/// `escapeXML(s)`: replaces `< > ' " &` with `&lt; &gt; &apos; &quot; &amp;`.
pub fn escape_xml(input: Option<&str>) -> String {
    let Some(text) = input else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len() + 8);
    text.chars().for_each(|c| push_xml_char(&mut out, c));
    out
}

/// `escapeXML11(s)`: like [`escape_xml`], then drops characters XML 1.1
/// forbids (U+0000, U+FFFE, U+FFFF) and writes the restricted ranges
/// `#x1-#x8 #xB-#xC #xE-#x1F #x7F-#x84 #x86-#x9F` as decimal character
/// references (`&#1;`).
pub fn escape_xml11(input: Option<&str>) -> String {
    let Some(text) = input else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let code = u32::from(c);
        match code {
            0 | 0xFFFE | 0xFFFF => {}
            0x1..=0x8 | 0xB..=0xC | 0xE..=0x1F | 0x7F..=0x84 | 0x86..=0x9F => {
                out.push_str(&format!("&#{code};"));
            }
            _ => push_xml_char(&mut out, c),
        }
    }
    out
}

/// `encodeHTML(s)` / `escapeHTML(s)`: encodes `< > & "` as named entities and
/// the apostrophe as `&#39;` (HTML 4 has no `&apos;`).
pub fn encode_html(input: Option<&str>) -> String {
    let Some(text) = input else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `firstnonnull(v1,…,vn)`: the left-most resolved argument (an empty string
/// counts as resolved); the text `null` when every argument is unresolved,
/// which is what Apigee's documentation table shows.
pub fn firstnonnull(args: &[Option<&str>]) -> String {
    args.iter()
        .flatten()
        .next()
        .map_or_else(|| String::from("null"), |s| (*s).to_owned())
}
