//! Strict parsing of a JSON object document: RFC 8259 §4 leaves duplicate member names
//! undefined, and a metadata or key document with two `issuer` members is an attack (battery
//! I09; RFC 7515 §4 requires rejecting duplicates in JOSE headers for the same reason), so
//! duplicates are refused at every depth.

use serde_json::{Map, Value};

use crate::json;

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
    match json::parse(bytes) {
        Ok(Some(map)) => Ok(map),
        Ok(None) => Err(JsonObjectError::NotAnObject),
        Err(e) => {
            let text = e.to_string();
            match text.strip_prefix(json::DUPLICATE) {
                Some(rest) => Err(JsonObjectError::DuplicateMember(rest.to_owned())),
                None => Err(JsonObjectError::Syntax(text)),
            }
        }
    }
}
