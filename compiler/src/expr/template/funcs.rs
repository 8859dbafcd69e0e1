//! The catalogue of template functions: names, arities, runtime entry points
//! and "did you mean" suggestions.

use std::fmt;

/// A template function (Apigee message-template reference §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // one variant per Apigee function, named after it
pub enum Func {
    Md5Hex,
    Sha1Hex,
    Sha256Hex,
    Sha384Hex,
    Sha512Hex,
    Md5Base64,
    Sha1Base64,
    Sha256Base64,
    Sha384Base64,
    Sha512Base64,
    HmacSha224,
    HmacSha256,
    HmacSha384,
    HmacSha512,
    HmacMd5,
    HmacSha1,
    EncodeBase64,
    DecodeBase64,
    ToUpperCase,
    ToLowerCase,
    Substring,
    ReplaceAll,
    ReplaceFirst,
    EscapeJson,
    EscapeXml,
    EscapeXml11,
    EncodeHtml,
    EscapeHtml,
    TimeFormat,
    TimeFormatMs,
    TimeFormatUtc,
    TimeFormatUtcMs,
    CreateUuid,
    RandomLong,
    Xeger,
    FirstNonNull,
    JsonPath,
    Xpath,
}

/// Catalogue row: template name, function, min and max argument count,
/// runtime function (`tfn::<name>`), argument summary for help texts.
struct Entry {
    name: &'static str,
    func: Func,
    min: usize,
    max: usize,
    runtime: &'static str,
    params: &'static str,
}

const fn entry(
    name: &'static str,
    func: Func,
    (min, max): (usize, usize),
    runtime: &'static str,
    params: &'static str,
) -> Entry {
    Entry {
        name,
        func,
        min,
        max,
        runtime,
        params,
    }
}

/// Most arguments `xpath` takes: expression, XML, type and 10 namespaces.
const XPATH_MAX_ARGS: usize = 13;

const CATALOGUE: &[Entry] = &[
    entry("md5Hex", Func::Md5Hex, (1, 1), "md5_hex", "string"),
    entry("sha1Hex", Func::Sha1Hex, (1, 1), "sha1_hex", "string"),
    entry("sha256Hex", Func::Sha256Hex, (1, 1), "sha256_hex", "string"),
    entry("sha384Hex", Func::Sha384Hex, (1, 1), "sha384_hex", "string"),
    entry("sha512Hex", Func::Sha512Hex, (1, 1), "sha512_hex", "string"),
    entry("md5Base64", Func::Md5Base64, (1, 1), "md5_base64", "string"),
    entry(
        "sha1Base64",
        Func::Sha1Base64,
        (1, 1),
        "sha1_base64",
        "string",
    ),
    entry(
        "sha256Base64",
        Func::Sha256Base64,
        (1, 1),
        "sha256_base64",
        "string",
    ),
    entry(
        "sha384Base64",
        Func::Sha384Base64,
        (1, 1),
        "sha384_base64",
        "string",
    ),
    entry(
        "sha512Base64",
        Func::Sha512Base64,
        (1, 1),
        "sha512_base64",
        "string",
    ),
    entry(
        "hmacSha224",
        Func::HmacSha224,
        (2, 4),
        "hmac_sha224",
        "key,value[,keyencoding[,outputencoding]]",
    ),
    entry(
        "hmacSha256",
        Func::HmacSha256,
        (2, 4),
        "hmac_sha256",
        "key,value[,keyencoding[,outputencoding]]",
    ),
    entry(
        "hmacSha384",
        Func::HmacSha384,
        (2, 4),
        "hmac_sha384",
        "key,value[,keyencoding[,outputencoding]]",
    ),
    entry(
        "hmacSha512",
        Func::HmacSha512,
        (2, 4),
        "hmac_sha512",
        "key,value[,keyencoding[,outputencoding]]",
    ),
    entry(
        "hmacMd5",
        Func::HmacMd5,
        (2, 4),
        "hmac_md5",
        "key,value[,keyencoding[,outputencoding]]",
    ),
    entry(
        "hmacSha1",
        Func::HmacSha1,
        (2, 4),
        "hmac_sha1",
        "key,value[,keyencoding[,outputencoding]]",
    ),
    entry(
        "encodeBase64",
        Func::EncodeBase64,
        (1, 1),
        "encode_base64",
        "string",
    ),
    entry(
        "decodeBase64",
        Func::DecodeBase64,
        (1, 1),
        "decode_base64",
        "string",
    ),
    entry(
        "toUpperCase",
        Func::ToUpperCase,
        (1, 1),
        "to_upper_case",
        "string",
    ),
    entry(
        "toLowerCase",
        Func::ToLowerCase,
        (1, 1),
        "to_lower_case",
        "string",
    ),
    entry(
        "substring",
        Func::Substring,
        (2, 3),
        "substring",
        "string,start[,end]",
    ),
    entry(
        "replaceAll",
        Func::ReplaceAll,
        (3, 3),
        "replace_all",
        "string,regex,replacement",
    ),
    entry(
        "replaceFirst",
        Func::ReplaceFirst,
        (3, 3),
        "replace_first",
        "string,regex,replacement",
    ),
    entry(
        "escapeJSON",
        Func::EscapeJson,
        (1, 1),
        "escape_json",
        "string",
    ),
    entry("escapeXML", Func::EscapeXml, (1, 1), "escape_xml", "string"),
    entry(
        "escapeXML11",
        Func::EscapeXml11,
        (1, 1),
        "escape_xml11",
        "string",
    ),
    entry(
        "encodeHTML",
        Func::EncodeHtml,
        (1, 1),
        "encode_html",
        "string",
    ),
    entry(
        "escapeHTML",
        Func::EscapeHtml,
        (1, 1),
        "encode_html",
        "string",
    ),
    entry(
        "timeFormat",
        Func::TimeFormat,
        (2, 2),
        "time_format",
        "format,epoch",
    ),
    entry(
        "timeFormatMs",
        Func::TimeFormatMs,
        (2, 2),
        "time_format_ms",
        "format,epoch",
    ),
    entry(
        "timeFormatUTC",
        Func::TimeFormatUtc,
        (2, 2),
        "time_format_utc",
        "format,epoch",
    ),
    entry(
        "timeFormatUTCMs",
        Func::TimeFormatUtcMs,
        (2, 2),
        "time_format_utc_ms",
        "format,epoch",
    ),
    entry("createUuid", Func::CreateUuid, (0, 0), "create_uuid", ""),
    entry(
        "randomLong",
        Func::RandomLong,
        (0, 2),
        "random_long",
        "[min[,max]]",
    ),
    entry("xeger", Func::Xeger, (1, 1), "xeger", "regex"),
    entry(
        "firstnonnull",
        Func::FirstNonNull,
        (1, usize::MAX),
        "firstnonnull",
        "value1,value2,...",
    ),
    entry(
        "jsonPath",
        Func::JsonPath,
        (2, 3),
        "json_path",
        "path,json[,wantArray]",
    ),
    entry(
        "xpath",
        Func::Xpath,
        (2, XPATH_MAX_ARGS),
        "xpath",
        "expression,xml[,type][,prefix:uri...]",
    ),
];

impl Func {
    /// Looks a template function up by its exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        CATALOGUE.iter().find(|e| e.name == name).map(|e| e.func)
    }

    fn entry(self) -> &'static Entry {
        let row = CATALOGUE.iter().find(|e| e.func == self);
        row.unwrap_or(&CATALOGUE[0]) // ok: each variant has a row (unit test); row 0 exists
    }

    /// The name templates use, e.g. `sha256Hex`.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// Accepted argument counts, inclusive (`usize::MAX` = unbounded).
    pub fn arity(self) -> (usize, usize) {
        let e = self.entry();
        (e.min, e.max)
    }

    /// The runtime function (`#rt::__private::tfn::<name>`) implementing it.
    pub fn runtime_name(self) -> &'static str {
        self.entry().runtime
    }

    /// Usage text for help messages, e.g. `substring(string,start[,end])`.
    pub fn usage(self) -> String {
        let e = self.entry();
        format!("{}({})", e.name, e.params)
    }
}

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Levenshtein distance on ASCII-lowercased text.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_ascii_lowercase().chars().collect();
    let b: Vec<char> = b.to_ascii_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev
                .get(j)
                .map_or(usize::MAX, |p| p + usize::from(ca != cb));
            let delete = prev.get(j + 1).map_or(usize::MAX, |p| p + 1);
            let insert = cur.get(j).map_or(usize::MAX, |p| p + 1);
            cur.push(substitute.min(delete).min(insert));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(usize::MAX)
}

/// Known function names within edit distance 2 (case-insensitive) of
/// `name`, closest first.
pub fn near_names(name: &str) -> Vec<&'static str> {
    let mut near: Vec<(usize, &'static str)> = CATALOGUE
        .iter()
        .map(|e| (distance(name, e.name), e.name))
        .filter(|(d, _)| *d <= 2)
        .collect();
    near.sort();
    near.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_one_catalogue_row() {
        for e in CATALOGUE {
            assert_eq!(
                CATALOGUE.iter().filter(|o| o.func == e.func).count(),
                1,
                "{}",
                e.name
            );
            assert_eq!(Func::from_name(e.name), Some(e.func));
            assert_eq!(e.func.name(), e.name);
        }
        assert_eq!(CATALOGUE.len(), 38);
    }

    #[test]
    fn suggestions_are_case_insensitive_and_close() {
        assert_eq!(near_names("JsonPath"), vec!["jsonPath"]);
        assert_eq!(near_names("sha256hex").first(), Some(&"sha256Hex"));
        assert_eq!(near_names("firstNonNull"), vec!["firstnonnull"]);
        assert!(near_names("search").is_empty());
        assert!(near_names("init").is_empty());
    }
}
