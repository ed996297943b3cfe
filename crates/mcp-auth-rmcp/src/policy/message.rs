//! Reading the operations out of a JSON-RPC request body, and checking the SEP-2243
//! `Mcp-Method` / `Mcp-Name` headers against them.
//!
//! The reader is deliberately strict, so that it can never see a different operation than the
//! server will dispatch: a message must be a JSON object; `method`, `params`, `id`, and the
//! `name`, `uri` and `taskId` members of `params`, may appear at most once (a duplicate is
//! refused rather than resolved), `params` must be an object, and those members must be
//! strings. A body may be one message or a batch (a non-empty array of messages,
//! JSON-RPC 2.0 §6).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The largest number of messages accepted in one batch.
pub(crate) const MAX_BATCH_LEN: usize = 1024;

/// `Mcp-Method` (SEP-2243).
pub(crate) const MCP_METHOD: &str = "mcp-method";
/// `Mcp-Name` (SEP-2243).
pub(crate) const MCP_NAME: &str = "mcp-name";

/// Prefix and suffix of a Base64-wrapped SEP-2243 header value.
const BASE64_PREFIX: &str = "=?base64?";
const BASE64_SUFFIX: &str = "?=";

/// One JSON-RPC message, reduced to what authorization needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Message {
    /// `method`; `None` for responses and errors.
    pub(crate) method: Option<String>,
    /// `params.name`.
    pub(crate) name: Option<String>,
    /// `params.uri`.
    pub(crate) uri: Option<String>,
    /// `params.taskId`.
    pub(crate) task_id: Option<String>,
    /// `id`, kept to address error responses.
    pub(crate) id: Option<Value>,
}

/// What an operation needs to be authorized against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation<'a> {
    /// `tools/call` of a named tool.
    Tool(&'a str),
    /// `resources/read`, `resources/subscribe` or `resources/unsubscribe` of a URI.
    Resource(&'a str),
    /// `prompts/get` of a named prompt.
    Prompt(&'a str),
    /// Any other request or notification (also the named methods without their name).
    Other,
    /// A response or error sent by the client: needs nothing.
    Response,
}

impl Message {
    /// The operation this message asks for.
    pub(crate) fn operation(&self) -> Operation<'_> {
        let Some(method) = self.method.as_deref() else {
            return Operation::Response;
        };
        match (method, self.name.as_deref(), self.uri.as_deref()) {
            ("tools/call", Some(name), _) => Operation::Tool(name),
            ("prompts/get", Some(name), _) => Operation::Prompt(name),
            ("resources/read" | "resources/subscribe" | "resources/unsubscribe", _, Some(uri)) => {
                Operation::Resource(uri)
            }
            _ => Operation::Other,
        }
    }

    /// The value `Mcp-Name` must carry for this message, when its method has one
    /// (SEP-2243: `params.name`, `params.uri` or `params.taskId`).
    fn header_name(&self) -> Option<Option<&str>> {
        match self.method.as_deref()? {
            "tools/call" | "prompts/get" => Some(self.name.as_deref()),
            "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
                Some(self.uri.as_deref())
            }
            "tasks/get" | "tasks/update" | "tasks/cancel" => Some(self.task_id.as_deref()),
            _ => None,
        }
    }
}

/// Why a body could not be read as JSON-RPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// Not JSON (JSON-RPC `-32700`).
    Json,
    /// JSON, but not an acceptable message or batch (JSON-RPC `-32600`).
    Shape,
}

/// Parses a body into its messages.
pub(crate) fn parse_body(body: &[u8]) -> Result<Vec<Message>, ParseError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let result = if first == Some(&b'[') {
        serde_json::from_slice::<Batch>(body).map(|batch| batch.0)
    } else {
        serde_json::from_slice::<Message>(body).map(|message| vec![message])
    };
    result.map_err(|error| {
        if error.is_syntax() || error.is_eof() {
            ParseError::Json
        } else {
            ParseError::Shape
        }
    })
}

/// Which header disagrees with the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderMismatch {
    /// `Mcp-Method`.
    Method,
    /// `Mcp-Name`.
    Name,
}

impl HeaderMismatch {
    /// The fixed message of the JSON-RPC error (never echoes the request).
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Method => "Mcp-Method header does not match the request body",
            Self::Name => "Mcp-Name header does not match the request body",
        }
    }
}

/// Checks the `Mcp-Method` and `Mcp-Name` headers, when present, against every message of the
/// body. A repeated header, or one that is not visible ASCII, is a mismatch too.
pub(crate) fn check_headers(
    headers: &HeaderMap,
    messages: &[Message],
) -> Result<(), HeaderMismatch> {
    if let Some(method) = single_header(headers, MCP_METHOD).map_err(|()| HeaderMismatch::Method)?
        && messages.iter().any(|m| m.method.as_deref() != Some(method))
    {
        return Err(HeaderMismatch::Method);
    }
    if let Some(raw) = single_header(headers, MCP_NAME).map_err(|()| HeaderMismatch::Name)? {
        let name = decode_header_value(raw).ok_or(HeaderMismatch::Name)?;
        for message in messages {
            if let Some(expected) = message.header_name()
                && expected != Some(name.as_str())
            {
                return Err(HeaderMismatch::Name);
            }
        }
    }
    Ok(())
}

/// The one value of header `name`: `Ok(None)` when absent, `Err` when repeated or not text.
fn single_header<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, ()> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(());
    }
    value.to_str().map(Some).map_err(|_| ())
}

/// Undoes the SEP-2243 value encoding: `=?base64?<standard base64 of UTF-8>?=`, or the text.
fn decode_header_value(value: &str) -> Option<String> {
    match value
        .strip_prefix(BASE64_PREFIX)
        .and_then(|inner| inner.strip_suffix(BASE64_SUFFIX))
    {
        Some(inner) => String::from_utf8(STANDARD.decode(inner).ok()?).ok(),
        None => Some(value.to_owned()),
    }
}

/// A batch: a non-empty array of at most [`MAX_BATCH_LEN`] messages.
struct Batch(Vec<Message>);

impl<'de> Deserialize<'de> for Batch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BatchVisitor;
        impl<'de> Visitor<'de> for BatchVisitor {
            type Value = Batch;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-empty array of JSON-RPC messages")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Batch, A::Error> {
                let mut messages = Vec::new();
                while let Some(message) = seq.next_element::<Message>()? {
                    if messages.len() == MAX_BATCH_LEN {
                        return Err(de::Error::custom("batch too long"));
                    }
                    messages.push(message);
                }
                if messages.is_empty() {
                    return Err(de::Error::custom("empty batch"));
                }
                Ok(Batch(messages))
            }
        }
        deserializer.deserialize_seq(BatchVisitor)
    }
}

/// Sets `slot` once; a second occurrence of the member is an error.
fn set_once<T, E: de::Error>(
    slot: &mut Option<T>,
    value: T,
    member: &'static str,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(member));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MessageVisitor;
        impl<'de> Visitor<'de> for MessageVisitor {
            type Value = Message;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
                let mut message = Message::default();
                let mut params: Option<Option<Params>> = None;
                let mut id: Option<Value> = None;
                let mut method: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "method" => set_once(&mut method, map.next_value()?, "method")?,
                        "params" => set_once(&mut params, map.next_value()?, "params")?,
                        "id" => set_once(&mut id, map.next_value()?, "id")?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                message.method = method;
                message.id = id;
                if let Some(Some(params)) = params {
                    message.name = params.name;
                    message.uri = params.uri;
                    message.task_id = params.task_id;
                }
                Ok(message)
            }
        }
        deserializer.deserialize_map(MessageVisitor)
    }
}

/// The members of `params` that name the target of an operation.
#[derive(Default)]
struct Params {
    name: Option<String>,
    uri: Option<String>,
    task_id: Option<String>,
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamsVisitor;
        impl<'de> Visitor<'de> for ParamsVisitor {
            type Value = Params;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a params object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
                let mut params = Params::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => set_once(&mut params.name, map.next_value()?, "name")?,
                        "uri" => set_once(&mut params.uri, map.next_value()?, "uri")?,
                        "taskId" => set_once(&mut params.task_id, map.next_value()?, "taskId")?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(params)
            }
        }
        deserializer.deserialize_map(ParamsVisitor)
    }
}
