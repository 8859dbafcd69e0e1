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
pub struct CompiledJsonPath {
    /// The parsed path and whether it is definite (Jayway's result shape).
    parsed: Option<(JsonPath, bool)>,
    /// The member names the path starts with.
    prefix: Vec<String>,
    /// Whether those names are the whole path (`$.a.b`, `$['a']`): it then
    /// selects by walking the members, without the general evaluator.
    members_only: bool,
}

impl CompiledJsonPath {
    /// Translates and parses `path`; an invalid path (already rejected by
    /// the compiler) renders "".
    pub fn new(path: &str) -> Self {
        let Ok(translated) = translate(path) else {
            return Self {
                parsed: None,
                prefix: Vec::new(),
                members_only: false,
            };
        };
        let (prefix, members_only) = member_prefix(&translated.path);
        let parsed = JsonPath::parse(&translated.path).ok();
        Self {
            members_only: members_only && parsed.is_some() && translated.singular,
            parsed: parsed.map(|p| (p, translated.singular)),
            prefix,
        }
    }

    /// The member names the path starts with (`$.a['b'][0]` → `a`, `b`):
    /// the only parts of a document above its first other segment that
    /// the path can reach.
    pub fn member_prefix(&self) -> &[String] {
        &self.prefix
    }
}

fn compile(path: &str) -> Option<(JsonPath, bool)> {
    let translated = translate(path).ok()?;
    let parsed = JsonPath::parse(&translated.path).ok()?;
    Some((parsed, translated.singular))
}

/// The leading child-member segments of a translated (RFC 9535) path, up
/// to the first segment of any other kind (index, wildcard, filter,
/// descendant) or any spelling this reader does not know, where it stops:
/// a shorter prefix only keeps more of the document. The flag tells
/// whether the names are the whole path.
fn member_prefix(path: &str) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    let Some(mut rest) = path.strip_prefix('$') else {
        return (names, false);
    };
    loop {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || !c.is_ascii()))
                .unwrap_or(after.len());
            let name = &after[..end]; // ok: `end` comes from `find` on `after`
            if name.is_empty() {
                break; // `..` or `.*`
            }
            names.push(name.to_owned());
            rest = &after[end..]; // ok: as above
        } else if let Some(quoted) = rest.strip_prefix("['") {
            let mut name = String::new();
            let mut chars = quoted.char_indices();
            let mut close = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e @ ('\'' | '\\'))) => name.push(e),
                        _ => break,
                    },
                    '\'' => {
                        close = Some(i);
                        break;
                    }
                    c => name.push(c),
                }
            }
            let Some(after) = close.and_then(|i| quoted.get(i + 1..)?.strip_prefix(']')) else {
                break;
            };
            names.push(name);
            rest = after;
        } else {
            break;
        }
    }
    (names, rest.is_empty())
}

/// The parts of a JSON document a set of paths can reach: the members named
/// by their prefixes, and below a prefix's last name everything.
#[derive(Debug, Default)]
pub struct Reach<'p> {
    whole: bool,
    members: Vec<(&'p str, Reach<'p>)>,
}

impl<'p> Reach<'p> {
    /// Everything: the whole document is kept.
    pub fn everything() -> Self {
        Reach {
            whole: true,
            members: Vec::new(),
        }
    }

    /// Adds what `path` can reach.
    pub fn add(&mut self, path: &'p CompiledJsonPath) {
        self.add_names(path.member_prefix());
    }

    fn add_names(&mut self, names: &'p [String]) {
        if self.whole {
            return;
        }
        let Some((first, rest)) = names.split_first() else {
            self.whole = true;
            self.members.clear();
            return;
        };
        match self.members.iter_mut().find(|(n, _)| n == first) {
            Some((_, child)) => child.add_names(rest),
            None => {
                let mut child = Reach::default();
                child.add_names(rest);
                self.members.push((first, child));
            }
        }
    }

    /// Parses `text` as JSON, keeping only what the paths can reach (the
    /// rest is checked for syntax and skipped, not built): the paths select
    /// the same values in the result as in the whole document, and
    /// malformed JSON is the same error.
    pub fn parse(&self, text: &str) -> Result<Json, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let doc = serde::de::DeserializeSeed::deserialize(Pruned(self), &mut de)?;
        de.end()?;
        Ok(doc)
    }
}

/// The `Visitor` methods of a visitor that accepts every JSON scalar and
/// keeps nothing of it.
macro_rules! accept_scalars {
    () => {
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }

        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }

        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }

        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }

        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }

        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    };
}

/// What the paths of a [`MemberPaths`] select, in their order (held inline
/// for up to four paths).
pub type Found = smallvec::SmallVec<[Option<Json>; 4]>;

/// Paths made only of member names (`$.a.b`), answered in one pass over a
/// document without building it: the value at each path's end is
/// deserialized, everything else is syntax-checked and skipped. Results and
/// errors are those of [`CompiledJsonPath::select`] on a whole parse.
#[derive(Debug, Default)]
pub struct MemberPaths {
    root: MemberNode,
    count: usize,
}

/// One member along the paths: the paths ending here (by index), and the
/// members below.
#[derive(Debug, Default)]
struct MemberNode {
    ends: Vec<usize>,
    members: Vec<(String, MemberNode)>,
}

impl MemberPaths {
    /// The plan for `paths`, or `None` when one of them is not made only
    /// of member names.
    pub fn new<'p>(paths: impl IntoIterator<Item = &'p CompiledJsonPath>) -> Option<Self> {
        let mut plan = MemberPaths::default();
        for (i, path) in paths.into_iter().enumerate() {
            if !path.members_only {
                return None;
            }
            let mut node = &mut plan.root;
            for name in &path.prefix {
                let at = match node.members.iter().position(|(n, _)| n == name) {
                    Some(at) => at,
                    None => {
                        node.members.push((name.clone(), MemberNode::default()));
                        node.members.len() - 1
                    }
                };
                node = &mut node.members[at].1; // ok: `at` indexes `members`
            }
            node.ends.push(i);
            plan.count = i + 1;
        }
        Some(plan)
    }

    /// What each path (in the order given to [`Self::new`]) selects in
    /// `text`; malformed JSON is the error a whole parse gives.
    pub fn select(&self, text: &str) -> Result<Found, serde_json::Error> {
        let mut found: Found = smallvec::smallvec![None; self.count];
        let mut de = serde_json::Deserializer::from_str(text);
        serde::de::DeserializeSeed::deserialize(
            Member {
                node: &self.root,
                found: &mut found,
            },
            &mut de,
        )?;
        de.end()?;
        Ok(found)
    }
}

impl MemberNode {
    /// Forgets what was found at or below this node (a repeated key: the
    /// last one wins, as in a whole parse).
    fn clear(&self, found: &mut [Option<Json>]) {
        for &i in &self.ends {
            found[i] = None; // ok: indices come from `MemberPaths::new`
        }
        for (_, child) in &self.members {
            child.clear(found);
        }
    }

    /// Answers this node's paths from a value built whole (the last path
    /// ending here takes it; any other gets a copy).
    fn fill(&self, value: Json, found: &mut [Option<Json>]) {
        for (name, child) in &self.members {
            if let Some(v) = value.as_object().and_then(|o| o.get(name)) {
                child.fill(v.clone(), found);
            }
        }
        if let Some((&last, others)) = self.ends.split_last() {
            for &i in others {
                found[i] = Some(value.clone()); // ok: as above
            }
            found[last] = Some(value); // ok: as above
        }
    }
}

/// Deserializes a value at a node of a [`MemberPaths`].
struct Member<'a> {
    node: &'a MemberNode,
    found: &'a mut [Option<Json>],
}

impl<'de> serde::de::DeserializeSeed<'de> for Member<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.node.ends.is_empty() {
            return d.deserialize_any(self);
        }
        // A path ends here: its value is needed whole.
        let value: Json = serde::Deserialize::deserialize(d)?;
        self.node.fill(value, self.found);
        Ok(())
    }
}

impl<'de> serde::de::Visitor<'de> for Member<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Members met before in this object (by position, the first 64):
        // only a repeated key has earlier finds to forget.
        let mut met = 0u64;
        let members = &self.node.members;
        while let Some(key) = map.next_key_seed(MemberKey(members))? {
            match key.and_then(|at| members.get(at).map(|(_, child)| (at, child))) {
                Some((at, child)) => {
                    let bit = u32::try_from(at)
                        .ok()
                        .and_then(|at| 1u64.checked_shl(at))
                        .unwrap_or(0);
                    if bit == 0 || met & bit != 0 {
                        child.clear(self.found);
                    }
                    met |= bit;
                    map.next_value_seed(Member {
                        node: child,
                        found: self.found,
                    })?;
                }
                None => map.next_value_seed(Skip)?,
            }
        }
        Ok(())
    }

    // Anything but an object has no members: nothing below is selected.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        serde::de::Visitor::visit_seq(Skip, seq)
    }

    accept_scalars!();
}

/// Deserializes the reachable part of a value; a value no member name can
/// enter (not an object) where only member names continue becomes `null`,
/// which the paths treat alike (no member matches in either).
struct Pruned<'r, 'p>(&'r Reach<'p>);

impl<'de> serde::de::DeserializeSeed<'de> for Pruned<'_, '_> {
    type Value = Json;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        if self.0.whole {
            return serde::Deserialize::deserialize(d);
        }
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Pruned<'_, '_> {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = serde_json::Map::new();
        let members = &self.0.members;
        while let Some(key) = map.next_key_seed(MemberKey(members))? {
            match key.and_then(|at| members.get(at)) {
                // A repeated key: the last one wins, as in a whole parse.
                Some((name, child)) => {
                    let value = map.next_value_seed(Pruned(child))?;
                    out.insert((*name).to_owned(), value);
                }
                None => map.next_value_seed(Skip)?,
            }
        }
        Ok(Json::Object(out))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_str<E>(self, _: &str) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
}

/// Whether `text` is one JSON document, checked exactly as parsing it into
/// a `serde_json::Value` checks it (numbers, strings, nesting limit)
/// without building one.
pub(crate) fn is_json_document(text: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::DeserializeSeed::deserialize(Skip, &mut de)
        .and_then(|()| de.end())
        .is_ok()
}

/// Skips a value, checking its syntax. Unlike `IgnoredAny` it goes
/// through `deserialize_any`, so the parser's nesting limit applies as in a
/// whole parse (too deep is the same error pruned or not).
struct Skip;

impl<'de> serde::de::DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // A key is a string parsed in full whatever the seed; nothing
        // needs to be built of it.
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    accept_scalars!();
}

/// An object key, as the position of the member it names among
/// `members` (`None` for any other key): matched where it is read, with
/// no key value built.
struct MemberKey<'a, N, T>(&'a [(N, T)]);

impl<'de, N: AsRef<str>, T> serde::de::DeserializeSeed<'de> for MemberKey<'_, N, T> {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, N: AsRef<str>, T> serde::de::Visitor<'de> for MemberKey<'_, N, T> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|(n, _)| n.as_ref() == v))
    }
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
    match (&path.parsed, json) {
        (Some((p, singular)), Some(json)) => evaluate(p, *singular, json, wants_array(want_array)),
        _ => String::new(),
    }
}

impl CompiledJsonPath {
    /// Whether the path translated and parsed.
    pub fn is_valid(&self) -> bool {
        self.parsed.is_some()
    }

    /// What the path selects in `doc`, Jayway-shaped: a definite path
    /// yields the selected value, any other path the array of matches;
    /// `None` when nothing matches (or the path is invalid).
    pub fn select(&self, doc: &Json) -> Option<Json> {
        if self.members_only {
            // The name selectors of RFC 9535 §2.3.1: a member of an object,
            // nothing in any other value.
            return self
                .prefix
                .iter()
                .try_fold(doc, |node, name| node.as_object()?.get(name))
                .cloned();
        }
        let (path, singular) = self.parsed.as_ref()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
        "path": "/items/42", "n": 7, "flag": true, "none": null,
        "headers": {"x-proxy": "proxyc", "accept": ["a", "b"], "it's": 1},
        "list": [{"id": 1, "tags": ["x"]}, {"id": 2}],
        "deep": {"a": {"b": {"c": [1, 2, {"d": "e"}]}}},
        "dup": 1, "dup": 2,
        "esc\u0061ped": "yes"
    }"#;

    const PATHS: &[&str] = &[
        "$.path",
        "$.n",
        "$.headers.x-proxy",
        "$.headers['accept'][1]",
        "$.headers['it\\'s']",
        "$.list[*].id",
        "$.list[0].tags",
        "$..id",
        "$.deep.a.b.c[2].d",
        "$.deep.*.b",
        "$.dup",
        "$.escaped",
        "$.path.more",
        "$.missing.x",
        "$.none",
        "$",
    ];

    #[test]
    fn prefixes_stop_at_the_first_segment_that_is_not_a_member_name() {
        let prefix = |p: &str| CompiledJsonPath::new(p).member_prefix().to_vec();
        assert_eq!(prefix("$.a.b"), ["a", "b"]);
        assert_eq!(prefix("$.headers.x-proxy"), ["headers", "x-proxy"]);
        assert_eq!(prefix("$['a']['b c'][0].d"), ["a", "b c"]);
        assert_eq!(prefix("$.headers['it\\'s']"), ["headers", "it's"]);
        assert_eq!(prefix("$..id"), Vec::<String>::new());
        assert_eq!(prefix("$.a.*.b"), ["a"]);
        assert_eq!(prefix("$.a[?(@.x)]"), ["a"]);
        assert_eq!(prefix("$"), Vec::<String>::new());
    }

    #[test]
    fn walking_member_names_selects_what_the_evaluator_selects() {
        let whole: Json = serde_json::from_str(DOC).unwrap(); // ok: unit test
        let walked = [
            "$.path",
            "$.n",
            "$.headers.x-proxy",
            "$.headers['it\\'s']",
            "$.dup",
        ];
        for path in PATHS.iter().chain(&["$.none.x", "$.list.id", "$['path']"]) {
            let compiled = CompiledJsonPath::new(path);
            let (parsed, singular) = compiled.parsed.as_ref().unwrap(); // ok: unit test
            let evaluated = parsed.query(&whole).all();
            let expected = if *singular {
                evaluated.first().map(|v| (*v).clone())
            } else {
                (!evaluated.is_empty())
                    .then(|| Json::Array(evaluated.into_iter().cloned().collect()))
            };
            assert_eq!(compiled.select(&whole), expected, "{path}");
            if walked.contains(path) {
                assert!(compiled.members_only, "{path} is walked");
            }
        }
        for path in [
            "$..id",
            "$.list[0].tags",
            "$.deep.*.b",
            "$.headers['accept'][1]",
        ] {
            assert!(!CompiledJsonPath::new(path).members_only, "{path}");
        }
    }

    #[test]
    fn member_paths_select_in_one_pass_what_a_whole_parse_selects() {
        let docs = [
            DOC,
            r#"{"a": {"b": 1}, "a": {"c": 2}}"#,
            r#"{"a": {"b": 1}, "a": 5}"#,
            r#"{"a": [{"b": 1}], "b": {"a": null}}"#,
            r#"[1, 2]"#,
            r#""text""#,
            r#"{"p\u0061th": "escaped", "headers": {"x-pro\u0078y": [1]}, "a\u0000": 1}"#,
        ];
        let paths = [
            "$.path",
            "$.headers.x-proxy",
            "$.headers",
            "$.dup",
            "$.a.b",
            "$.a",
            "$.b.a",
            "$.missing.x",
            "$",
        ];
        let compiled: Vec<CompiledJsonPath> =
            paths.iter().map(|p| CompiledJsonPath::new(p)).collect();
        let plan = MemberPaths::new(&compiled).unwrap(); // ok: unit test
        for doc in docs {
            let whole: Json = serde_json::from_str(doc).unwrap(); // ok: unit test
            let found = plan.select(doc).unwrap(); // ok: unit test
            for (path, (c, f)) in paths.iter().zip(compiled.iter().zip(found)) {
                assert_eq!(f, c.select(&whole), "{path} in {doc}");
            }
        }
        assert!(MemberPaths::new(&[CompiledJsonPath::new("$.a[0]")]).is_none());
        for bad in ["", "{", r#"{"a": 1,}"#, r#"{"a": {"b": [}}"#, "1 2"] {
            let expected = serde_json::from_str::<Json>(bad).unwrap_err().to_string(); // ok: unit test
            let got = plan.select(bad).unwrap_err().to_string(); // ok: unit test
            assert_eq!(got, expected, "{bad}");
        }
    }

    #[test]
    fn a_pruned_document_answers_every_path_as_the_whole_one() {
        let whole: Json = serde_json::from_str(DOC).unwrap(); // ok: unit test
        for path in PATHS {
            let compiled = CompiledJsonPath::new(path);
            assert!(compiled.is_valid(), "{path}");
            // Alone, and together with a path reaching elsewhere.
            let other = CompiledJsonPath::new("$.headers.accept");
            for with_other in [false, true] {
                let mut reach = Reach::default();
                reach.add(&compiled);
                if with_other {
                    reach.add(&other);
                }
                let pruned = reach.parse(DOC).unwrap(); // ok: unit test
                assert_eq!(compiled.select(&pruned), compiled.select(&whole), "{path}");
                if with_other {
                    assert_eq!(other.select(&pruned), other.select(&whole), "{path}");
                }
            }
        }
    }

    #[test]
    fn pruning_builds_only_the_reachable_members() {
        let mut reach = Reach::default();
        let (a, b) = (
            CompiledJsonPath::new("$.path"),
            CompiledJsonPath::new("$.headers.x-proxy"),
        );
        reach.add(&a);
        reach.add(&b);
        let pruned = reach.parse(DOC).unwrap(); // ok: unit test
        assert_eq!(
            pruned,
            serde_json::json!({"path": "/items/42", "headers": {"x-proxy": "proxyc"}})
        );
        let root_array = reach.parse("[1, {\"path\": 2}]").unwrap(); // ok: unit test
        assert_eq!(a.select(&root_array), None);
    }

    #[test]
    fn malformed_json_is_the_same_error_pruned_or_not() {
        let mut reach = Reach::default();
        let p = CompiledJsonPath::new("$.a");
        reach.add(&p);
        for bad in [
            "{\"a\": 1,}",
            "{\"b\": [1, 2}",
            "{\"a\": 1} x",
            "{\"b\": tru}",
            "",
            &format!("{{\"b\": {}{}}}", "[".repeat(200), "]".repeat(200)),
        ] {
            let whole = serde_json::from_str::<Json>(bad).unwrap_err().to_string();
            let pruned = reach.parse(bad).unwrap_err().to_string();
            assert_eq!(pruned, whole, "{bad}");
        }
    }
}
