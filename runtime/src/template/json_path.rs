//! `jsonPath(path,json[,wantArray])` on `serde_json_path` (RFC 9535), with
//! the Jayway dialect translated first (see [`super::jsonpath_compat`]).
//!
//! Result shape follows Jayway: a definite path (names and indices only)
//! yields the selected value, any other path yields the list of matches.
//! When that result is an array, `wantArray` = `true` (case-insensitive)
//! returns it as JSON text, otherwise its first element is returned. Strings
//! render raw, numbers and booleans as JSON, objects and arrays as JSON text,
//! JSON `null` and "no match" as "". Invalid JSON, an invalid path or an
//! unresolved argument render as "".

use serde_json::Value as Json;
use serde_json_path::JsonPath;

use super::jsonpath_compat::translate;

/// A JSONPath parsed once from a template literal.
#[derive(Debug)]
pub struct CompiledJsonPath(Option<(JsonPath, bool)>);

impl CompiledJsonPath {
    /// Translates and parses `path`; an invalid path (already rejected by
    /// the compiler) renders "".
    pub fn new(path: &str) -> Self {
        Self(compile(path))
    }
}

fn compile(path: &str) -> Option<(JsonPath, bool)> {
    let translated = translate(path).ok()?;
    let parsed = JsonPath::parse(&translated.path).ok()?;
    Some((parsed, translated.singular))
}

fn render(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn evaluate(path: &JsonPath, singular: bool, json: &str, want_array: bool) -> String {
    let Ok(doc) = serde_json::from_str::<Json>(json) else {
        return String::new();
    };
    let nodes = path.query(&doc).all();
    let list: Vec<&Json> = if singular {
        match nodes.first() {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(value) => return render(value),
            None => return String::new(),
        }
    } else {
        nodes
    };
    if want_array {
        serde_json::to_string(&list).unwrap_or_default()
    } else {
        list.first().map(|v| render(v)).unwrap_or_default()
    }
}

fn wants_array(flag: Option<&str>) -> bool {
    flag.is_some_and(|f| f.trim().eq_ignore_ascii_case("true"))
}

/// `jsonPath` with a path from a variable (translated and parsed per call).
pub fn json_path(path: Option<&str>, json: Option<&str>, want_array: Option<&str>) -> String {
    match (path.and_then(compile), json) {
        (Some((p, singular)), Some(json)) => evaluate(&p, singular, json, wants_array(want_array)),
        _ => String::new(),
    }
}

/// `jsonPath` with a literal path parsed once.
pub fn json_path_compiled(
    path: &CompiledJsonPath,
    json: Option<&str>,
    want_array: Option<&str>,
) -> String {
    match (&path.0, json) {
        (Some((p, singular)), Some(json)) => evaluate(p, *singular, json, wants_array(want_array)),
        _ => String::new(),
    }
}

impl CompiledJsonPath {
    /// Whether the path translated and parsed.
    pub fn is_valid(&self) -> bool {
        self.0.is_some()
    }

    /// What the path selects in `doc`, Jayway-shaped: a definite path
    /// yields the selected value, any other path the array of matches;
    /// `None` when nothing matches (or the path is invalid).
    pub fn select(&self, doc: &Json) -> Option<Json> {
        let (path, singular) = self.0.as_ref()?;
        let nodes = path.query(doc).all();
        if *singular {
            nodes.first().map(|v| (*v).clone())
        } else if nodes.is_empty() {
            None
        } else {
            Some(Json::Array(nodes.into_iter().cloned().collect()))
        }
    }
}
