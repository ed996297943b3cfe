//! JSON-RPC error responses sent at the HTTP layer (before rmcp sees the request).

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use mcp_auth::layer::RejectionBody;
use serde_json::{Value, json};

/// JSON-RPC 2.0 §5.1: invalid JSON.
pub(crate) const PARSE_ERROR: i32 = -32700;
/// JSON-RPC 2.0 §5.1: not a valid request object.
pub(crate) const INVALID_REQUEST: i32 = -32600;
/// MCP (SEP-2243): a standard header disagrees with the body.
pub(crate) const HEADER_MISMATCH: i32 = -32020;

/// A response with `status` and the JSON-RPC error `{code, message}` addressed to `id` (when it
/// is a string or a number; JSON-RPC 2.0 §5 ids), `Content-Type: application/json`.
pub(crate) fn rpc_error_response<B: RejectionBody>(
    status: StatusCode,
    code: i32,
    message: &'static str,
    id: Option<&Value>,
) -> Response<B> {
    let mut error = json!({
        "jsonrpc": "2.0",
        "error": { "code": code, "message": message },
    });
    if let (Some(id @ (Value::String(_) | Value::Number(_))), Some(object)) =
        (id, error.as_object_mut())
    {
        object.insert("id".to_owned(), id.clone());
    }
    json_response(status, error.to_string().into())
}

/// A response with `status` and the JSON document `json`, not to be cached.
pub(crate) fn json_response<B: RejectionBody>(status: StatusCode, json: Bytes) -> Response<B> {
    let mut response = Response::new(B::from_json_bytes(json));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
