//! Strict parsing of a JSON object document: RFC 8259 §4 leaves duplicate member names
//! undefined, and a metadata or key document with two `issuer` members is an attack (battery
//! I09; RFC 7515 §4 requires rejecting duplicates in JOSE headers for the same reason), so
//! duplicates are refused at every depth.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a body is not an acceptable JSON object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonObjectError {
    /// Not JSON (or trailing data after it); the text says where.
    #[error("the body is not valid JSON: {0}")]
    Syntax(String),
    /// An object has two members with the same name.
    #[error("the JSON has a duplicate member {0}")]
    DuplicateMember(String),
    /// Valid JSON, but not an object.
    #[error("the JSON is not an object")]
    NotAnObject,
}

const DUPLICATE: &str = "duplicate member ";

/// Parses `bytes` as one JSON object, refusing duplicate member names at any depth. A leading
/// UTF-8 byte-order mark is ignored (RFC 8259 §8.1 allows that). Nesting is limited by
/// `serde_json`'s recursion limit, so hostile input cannot exhaust the stack.
///
/// # Errors
///
/// [`JsonObjectError`] says why.
///
/// ```
/// use mcp_auth::metadata::{JsonObjectError, parse_json_object};
///
/// assert!(parse_json_object(br#"{"issuer":"https://a.example"}"#).is_ok());
/// assert!(matches!(
///     parse_json_object(br#"{"issuer":"https://a.example","issuer":"https://b.example"}"#),
///     Err(JsonObjectError::DuplicateMember(_))
/// ));
/// assert_eq!(parse_json_object(b"[1]"), Err(JsonObjectError::NotAnObject));
/// ```
pub fn parse_json_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonObjectError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict::deserialize(&mut deserializer).and_then(|v| {
        deserializer.end()?;
        Ok(v)
    });
    match parsed {
        Ok(Strict(Value::Object(map))) => Ok(map),
        Ok(Strict(_)) => Err(JsonObjectError::NotAnObject),
        Err(e) => {
            let text = e.to_string();
            match text.strip_prefix(DUPLICATE) {
                Some(rest) => Err(JsonObjectError::DuplicateMember(rest.to_owned())),
                None => Err(JsonObjectError::Syntax(text)),
            }
        }
    }
}

/// A JSON value whose objects have unique member names.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
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
            .ok_or_else(|| E::custom("a number is not finite"))
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

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Strict::deserialize(deserializer).map(|s| s.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            if map.contains_key(&name) {
                let shown: String = name.chars().take(64).collect();
                return Err(de::Error::custom(format!("{DUPLICATE}{shown:?}")));
            }
            let Strict(value) = access.next_value()?;
            map.insert(name, value);
        }
        Ok(Value::Object(map))
    }
}
