//! Strict JSON for JOSE objects, key sets and metadata documents: I-JSON (RFC 7493) rather
//! than "whatever serde accepts". One visitor for the whole crate.
//!
//! * Member names must be unique in every object (RFC 7515 §4, RFC 7519 §4, RFC 7493 §2.3);
//!   `serde_json::Value` would silently keep the last duplicate, which lets a token say two
//!   things at once (RFC 8725 §2.6).
//! * Text must be UTF-8 without a byte-order mark; lone surrogate escapes are refused
//!   (RFC 8725 §3.7, RFC 7493 §2.1). `serde_json` enforces both.
//! * Numbers outside the `f64` range (`1e400`) are refused by `serde_json`; nesting depth is
//!   bounded by its recursion limit (128), so no stack exhaustion (CVE-2025-53864 class).
//!
//! One pass, no intermediate `Value` tree that is then re-walked. Text that is UTF-8 as a whole
//! is read as a `str`, so `serde_json` does not check each string again (the accepted texts
//! and the errors are the same either way).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a JSON text was refused. Carries no input data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON, not UTF-8, trailing data, duplicate names, or out-of-range numbers.
    Invalid,
    /// Valid JSON, but the top-level value is not an object.
    NotAnObject,
}

/// Parses `bytes` as a JSON object with unique member names at every level.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match parse(bytes) {
        Ok(Some(map)) => Ok(map),
        Ok(None) => Err(JsonError::NotAnObject),
        Err(_) => Err(JsonError::Invalid),
    }
}

/// Parses `bytes` as one JSON text with unique member names at every level: `Some` for an
/// object, `None` for any other value. The error is serde_json's, with its position; a
/// duplicate name is reported as [`DUPLICATE`] followed by the name.
pub(crate) fn parse(bytes: &[u8]) -> Result<Option<Map<String, Value>>, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => object(serde_json::Deserializer::from_str(text)),
        // Not UTF-8: refused either way, with the same error as before the shortcut.
        Err(_) => object(serde_json::Deserializer::from_slice(bytes)),
    }
}

fn object<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
) -> Result<Option<Map<String, Value>>, serde_json::Error> {
    let map = de.deserialize_any(TopLevel)?;
    de.end()?;
    Ok(map)
}

/// Accepts any JSON value at the top, keeping it only when it is an object.
struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = Option<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        // Access tokens carry 10 to 20 claims.
        visit_object(map, 16).map(Some)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        StrictValue.visit_seq(seq).map(|_| None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The start of the error for a duplicate member name; the name follows, quoted and cut to 64
/// characters (serde_json appends the position).
pub(crate) const DUPLICATE: &str = "duplicate member ";

/// Members are gathered first, sorted by name, and the map is built from the sorted list at
/// once: cheaper than searching the tree for each insertion, and a duplicate name is then two
/// neighbours in the list.
fn visit_object<'de, A: MapAccess<'de>>(
    mut access: A,
    capacity: usize,
) -> Result<Map<String, Value>, A::Error> {
    let mut members = Vec::with_capacity(capacity);
    while let Some(name) = access.next_key::<String>()? {
        let value = access.next_value_seed(StrictValue)?;
        members.push((name, value));
    }
    members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let duplicate = members.windows(2).find_map(|pair| match pair {
        [a, b] if a.0 == b.0 => Some(a.0.as_str()),
        _ => None,
    });
    if let Some(name) = duplicate {
        let shown: String = name.chars().take(64).collect();
        return Err(de::Error::custom(format!("{DUPLICATE}{shown:?}")));
    }
    Ok(members.into_iter().collect())
}

/// A `serde_json::Value` whose objects have unique member names.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        visit_object(map, 4).map(Value::Object)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects_and_nested_values() {
        let map = parse_object(br#"{"a":1,"b":[true,null,"x",1.5],"c":{"d":-2}}"#).unwrap();
        assert_eq!(map["a"], 1);
        assert_eq!(map["b"][3], 1.5);
        assert_eq!(map["c"]["d"], -2);
    }

    #[test]
    fn duplicate_names_are_refused_at_every_level() {
        assert_eq!(parse_object(br#"{"a":1,"a":2}"#), Err(JsonError::Invalid));
        assert_eq!(
            parse_object(br#"{"a":{"b":1,"b":1}}"#),
            Err(JsonError::Invalid)
        );
        assert_eq!(
            parse_object(br#"{"a":[{"b":1,"b":1}]}"#),
            Err(JsonError::Invalid)
        );
        // Objects larger than the first allocation, duplicates first or last.
        let names: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        let many = format!("{{{}}}", names.join(","));
        assert_eq!(parse_object(many.as_bytes()).unwrap().len(), 40);
        for duplicate in [r#""m0":0,"#, r#","m39":1"#] {
            let text = if duplicate.starts_with(',') {
                format!("{{{}{duplicate}}}", names.join(","))
            } else {
                format!("{{{duplicate}{}}}", names.join(","))
            };
            assert_eq!(parse_object(text.as_bytes()), Err(JsonError::Invalid));
            let nested = format!(r#"{{"a":[{{"b":{text}}}]}}"#);
            assert_eq!(parse_object(nested.as_bytes()), Err(JsonError::Invalid));
        }
        // An escaped spelling of the same name is the same name.
        assert_eq!(
            parse_object(br#"{"alg":1,"\u0061lg":2}"#),
            Err(JsonError::Invalid)
        );
    }

    #[test]
    fn non_objects_are_told_apart() {
        for text in [&b"[]"[..], b"\"x\"", b"1", b"null", b"true", b"[{\"a\":1}]"] {
            assert_eq!(parse_object(text), Err(JsonError::NotAnObject), "{text:?}");
        }
        assert_eq!(
            parse_object(b"[{\"a\":1,\"a\":1}]"),
            Err(JsonError::Invalid)
        );
    }

    #[test]
    fn bad_encodings_are_refused() {
        let cases: [&[u8]; 9] = [
            b"{",
            b"",
            b"{} {}",
            b"\xEF\xBB\xBF{}",                    // BOM
            b"{\"a\":\"\xFF\"}",                  // invalid UTF-8
            b"{\"a\":\"\xC0\xAF\"}",              // overlong
            br#"{"a":"\ud800"}"#,                 // lone surrogate
            b"{\x00\"\x00a\x00\"\x00:\x001\x00}", // UTF-16LE
            br#"{"exp":1e999999}"#,
        ];
        for text in cases {
            assert_eq!(parse_object(text), Err(JsonError::Invalid), "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let mut text = String::from("{\"a\":");
        text.push_str(&"[".repeat(10_000));
        text.push_str(&"]".repeat(10_000));
        text.push('}');
        assert_eq!(parse_object(text.as_bytes()), Err(JsonError::Invalid));
    }
}
