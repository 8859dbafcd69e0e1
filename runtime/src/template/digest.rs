//! Hash, HMAC and Base64 template functions (`sha256Hex`, `hmacSha256`,
//! `encodeBase64`, …).
//!
//! Inputs are the UTF-8 bytes of the argument text. An unresolved argument
//! (`None`) renders as the empty string rather than the hash of "".

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::digest::Digest;
use sha2::{Sha224, Sha256, Sha384, Sha512};

/// Lower-case hexadecimal rendering of `bytes`.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)])); // ok: index < 16
        out.push(char::from(DIGITS[usize::from(b & 0x0f)])); // ok: index < 16
    }
    out
}

/// Decodes hexadecimal text (either case); `None` on odd length or a non-hex digit.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| {
            let hi = char::from(*pair.first()?).to_digit(16)?;
            let lo = char::from(*pair.get(1)?).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

fn digest_hex<D: Digest>(input: Option<&str>) -> String {
    input.map_or_else(String::new, |s| to_hex(&D::digest(s.as_bytes())))
}

fn digest_base64<D: Digest>(input: Option<&str>) -> String {
    input.map_or_else(String::new, |s| STANDARD.encode(D::digest(s.as_bytes())))
}

macro_rules! digest_fns {
    ($($hex:ident $b64:ident $alg:ty, $tname:literal;)*) => {$(
        #[doc = concat!("`", $tname, "Hex(s)`: lower-case hex digest of `s`.")]
        pub fn $hex(input: Option<&str>) -> String {
            digest_hex::<$alg>(input)
        }
        #[doc = concat!("`", $tname, "Base64(s)`: padded standard Base64 of the digest of `s`.")]
        pub fn $b64(input: Option<&str>) -> String {
            digest_base64::<$alg>(input)
        }
    )*};
}

digest_fns! {
    md5_hex md5_base64 Md5, "md5";
    sha1_hex sha1_base64 Sha1, "sha1";
    sha256_hex sha256_base64 Sha256, "sha256";
    sha384_hex sha384_base64 Sha384, "sha384";
    sha512_hex sha512_base64 Sha512, "sha512";
}

/// How an HMAC key string is turned into bytes (`keyencoding` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyEncoding {
    /// `hex` / `base16`.
    Hex,
    /// `base64` (standard alphabet, padding optional).
    Base64,
    /// `utf-8`: the key's own bytes (the default).
    Utf8,
}

impl KeyEncoding {
    /// Parses the case-insensitive name; `None` for an unknown encoding.
    fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "hex" | "base16" => Some(Self::Hex),
            "base64" => Some(Self::Base64),
            "utf-8" | "utf8" => Some(Self::Utf8),
            _ => None,
        }
    }

    fn decode(self, key: &str) -> Option<Vec<u8>> {
        match self {
            Self::Hex => from_hex(key),
            Self::Base64 => STANDARD_PAD_INDIFFERENT.decode(key).ok(),
            Self::Utf8 => Some(key.as_bytes().to_vec()),
        }
    }
}

/// How an HMAC result is rendered (`outputencoding` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputEncoding {
    /// `hex` / `base16`, lower case.
    Hex,
    /// `base64`, padded standard alphabet (the default).
    Base64,
}

impl OutputEncoding {
    /// Parses the case-insensitive name; `None` for an unknown encoding.
    fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "hex" | "base16" => Some(Self::Hex),
            "base64" => Some(Self::Base64),
            _ => None,
        }
    }
}

fn hmac_bytes<D: EagerHash>(key: &[u8], message: &[u8]) -> Option<Vec<u8>>
where
    Hmac<D>: KeyInit + Mac,
{
    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().to_vec())
}

/// Shared HMAC driver: empty string when an argument is unresolved or an
/// encoding name / key text is invalid (Apigee would fault the policy).
fn hmac_text<D: EagerHash>(
    key: Option<&str>,
    message: Option<&str>,
    key_encoding: Option<&str>,
    output_encoding: Option<&str>,
) -> String
where
    Hmac<D>: KeyInit + Mac,
{
    let run = || {
        let key_enc = key_encoding.map_or(Some(KeyEncoding::Utf8), KeyEncoding::from_name)?;
        let out_enc =
            output_encoding.map_or(Some(OutputEncoding::Base64), OutputEncoding::from_name)?;
        let key = key_enc.decode(key?)?;
        let mac = hmac_bytes::<D>(&key, message?.as_bytes())?;
        Some(match out_enc {
            OutputEncoding::Hex => to_hex(&mac),
            OutputEncoding::Base64 => STANDARD.encode(mac),
        })
    };
    run().unwrap_or_default()
}

macro_rules! hmac_fns {
    ($($name:ident $alg:ty, $tname:literal;)*) => {$(
        #[doc = concat!("`", $tname, "(key,value[,keyencoding[,outputencoding]])`.")]
        pub fn $name(
            key: Option<&str>,
            message: Option<&str>,
            key_encoding: Option<&str>,
            output_encoding: Option<&str>,
        ) -> String {
            hmac_text::<$alg>(key, message, key_encoding, output_encoding)
        }
    )*};
}

hmac_fns! {
    hmac_sha224 Sha224, "hmacSha224";
    hmac_sha256 Sha256, "hmacSha256";
    hmac_sha384 Sha384, "hmacSha384";
    hmac_sha512 Sha512, "hmacSha512";
    hmac_md5 Md5, "hmacMd5";
    hmac_sha1 Sha1, "hmacSha1";
}

/// `encodeBase64(s)`: padded standard Base64 of the UTF-8 bytes of `s`.
pub fn encode_base64(input: Option<&str>) -> String {
    input.map_or_else(String::new, |s| STANDARD.encode(s))
}

/// `decodeBase64(s)`: decodes standard Base64 (padding optional) to text,
/// replacing invalid UTF-8 with U+FFFD. Base64URL or otherwise invalid input
/// yields the empty string.
pub fn decode_base64(input: Option<&str>) -> String {
    input
        .and_then(|s| STANDARD_PAD_INDIFFERENT.decode(s.trim()).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}
