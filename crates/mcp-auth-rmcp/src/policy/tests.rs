#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use mcp_auth::scope::HierarchicalScopeMatcher;
use mcp_auth::{AuthInfo, BearerToken};
use serde_json::Value;
use tower::{ServiceExt, service_fn};

use super::message::{HeaderMismatch, Message, Operation, ParseError, check_headers, parse_body};
use super::*;

fn policy() -> ScopePolicy {
    ScopePolicy::new()
        .with_resource_metadata("https://mcp.example.com/.well-known/oauth-protected-resource")
        .unwrap()
        .with_tool("delete", ["todo:write"])
        .unwrap()
        .with_resource("todo://admin", ["admin"])
        .unwrap()
        .with_resource_template("todo://{id}", ["todo:read"])
        .unwrap()
        .with_resource_template("{+any}", ["files:read"])
        .unwrap()
        .with_prompt("summary", ["todo:read"])
        .unwrap()
}

#[test]
fn rules_resolve_in_order() {
    let policy = policy().with_default_scopes(["base"]).unwrap();
    assert_eq!(
        policy.required_for(Operation::Tool("delete")),
        ["todo:write"]
    );
    assert_eq!(policy.required_for(Operation::Tool("other")), ["base"]);
    assert_eq!(
        policy.required_for(Operation::Resource("todo://admin")),
        ["admin"]
    );
    assert_eq!(
        policy.required_for(Operation::Resource("todo://7")),
        ["todo:read"]
    );
    assert_eq!(
        policy.required_for(Operation::Resource("todo://7/x")),
        ["files:read"]
    );
    assert_eq!(
        policy.required_for(Operation::Prompt("summary")),
        ["todo:read"]
    );
    assert_eq!(policy.required_for(Operation::Prompt("other")), ["base"]);
    assert_eq!(policy.required_for(Operation::Other), ["base"]);
    assert!(policy.required_for(Operation::Response).is_empty());
    assert!(!policy.requires_nothing());
    assert!(ScopePolicy::new().requires_nothing());
}

#[test]
fn invalid_configuration_is_refused() {
    assert!(ScopePolicy::new().with_tool("t", ["bad scope"]).is_err());
    assert!(ScopePolicy::new().with_default_scopes([""]).is_err());
    assert!(
        ScopePolicy::new()
            .with_resource_template("x://{a*}", ["s"])
            .is_err()
    );
    assert!(ScopePolicy::new().with_max_body_bytes(0).is_err());
    assert!(
        ScopePolicy::new()
            .with_max_body_bytes(MAX_BODY_BYTES_LIMIT + 1)
            .is_err()
    );
    assert!(
        ScopePolicy::new()
            .with_resource_metadata("http://example.com/prm")
            .is_err()
    );
    assert!(
        ScopePolicy::new()
            .with_resource_metadata("relative/prm")
            .is_err()
    );
}

fn one(body: &str) -> Message {
    let mut messages = parse_body(body.as_bytes()).unwrap();
    assert_eq!(messages.len(), 1);
    messages.remove(0)
}

#[test]
fn messages_are_classified() {
    let call = one(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete","arguments":{"name":"x"}}}"#,
    );
    assert_eq!(call.operation(), Operation::Tool("delete"));
    let read = one(r#"{"method":"resources/subscribe","params":{"uri":"todo://1"}}"#);
    assert_eq!(read.operation(), Operation::Resource("todo://1"));
    let prompt = one(r#"{"method":"prompts/get","params":{"name":"summary"},"id":"a"}"#);
    assert_eq!(prompt.operation(), Operation::Prompt("summary"));
    assert_eq!(
        one(r#"{"method":"tools/list","id":2}"#).operation(),
        Operation::Other
    );
    assert_eq!(
        one(r#"{"method":"tools/call","id":2}"#).operation(),
        Operation::Other
    );
    assert_eq!(
        one(r#"{"method":"tools/call","params":null}"#).operation(),
        Operation::Other
    );
    assert_eq!(
        one(r#"{"id":2,"result":{}}"#).operation(),
        Operation::Response
    );
    // Escapes decode the same way rmcp's parser decodes them.
    let escaped = one(r#"{"m\u0065thod":"tools/call","params":{"n\u0061me":"del\u0065te"}}"#);
    assert_eq!(escaped.operation(), Operation::Tool("delete"));
}

#[test]
fn ambiguous_or_malformed_bodies_are_refused() {
    assert_eq!(parse_body(b"{"), Err(ParseError::Json));
    assert_eq!(parse_body(b""), Err(ParseError::Json));
    assert_eq!(parse_body(b"{} trailing"), Err(ParseError::Json));
    for shape in [
        r#""tools/call""#,
        r#"[]"#,
        r#"[1]"#,
        r#"{"method":"a","method":"tools/call"}"#,
        r#"{"method":"tools/call","params":{},"params":{"name":"x"}}"#,
        r#"{"method":"tools/call","params":{"name":"a","name":"b"}}"#,
        r#"{"method":"resources/read","params":{"uri":"a","uri":"b"}}"#,
        r#"{"method":"tools/call","params":["delete"]}"#,
        r#"{"method":"tools/call","params":{"name":7}}"#,
        r#"{"method":7}"#,
        r#"{"id":1,"id":2,"method":"ping"}"#,
    ] {
        assert_eq!(
            parse_body(shape.as_bytes()),
            Err(ParseError::Shape),
            "{shape}"
        );
    }
    let too_long = format!("[{}]", vec![r#"{"method":"ping"}"#; 1025].join(","));
    assert_eq!(parse_body(too_long.as_bytes()), Err(ParseError::Shape));
    let batch = parse_body(br#" [{"method":"ping"},{"id":1,"result":{}}]"#).unwrap();
    assert_eq!(batch.len(), 2);
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn standard_headers_must_agree_with_every_message() {
    let call = parse_body(br#"{"method":"tools/call","params":{"name":"delete"}}"#).unwrap();
    assert_eq!(check_headers(&HeaderMap::new(), &call), Ok(()));
    let ok = headers(&[("mcp-method", "tools/call"), ("mcp-name", "delete")]);
    assert_eq!(check_headers(&ok, &call), Ok(()));
    let b64 = headers(&[("mcp-name", "=?base64?ZGVsZXRl?=")]);
    assert_eq!(check_headers(&b64, &call), Ok(()));
    let bad_b64 = headers(&[("mcp-name", "=?base64?!!?=")]);
    assert_eq!(check_headers(&bad_b64, &call), Err(HeaderMismatch::Name));
    let other = headers(&[("mcp-name", "read")]);
    assert_eq!(check_headers(&other, &call), Err(HeaderMismatch::Name));
    let method = headers(&[("mcp-method", "tools/list")]);
    assert_eq!(check_headers(&method, &call), Err(HeaderMismatch::Method));
    let twice = headers(&[("mcp-method", "tools/call"), ("mcp-method", "tools/call")]);
    assert_eq!(check_headers(&twice, &call), Err(HeaderMismatch::Method));

    let batch = parse_body(
        br#"[{"method":"tools/call","params":{"name":"delete"}},{"method":"tools/call","params":{"name":"read"}}]"#,
    )
    .unwrap();
    assert_eq!(check_headers(&ok, &batch), Err(HeaderMismatch::Name));
    // A name header on a method without a name is not compared (as rmcp).
    let list = parse_body(br#"{"method":"tools/list"}"#).unwrap();
    assert_eq!(check_headers(&headers(&[("mcp-name", "x")]), &list), Ok(()));
}

type Body = Full<Bytes>;

/// A service echoing the request body; proves the body is re-attached.
fn echo()
-> impl tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future = impl Send>
+ Clone
+ Send
+ 'static {
    service_fn(|request: Request<Body>| async move {
        let bytes = request.into_body().collect().await.unwrap().to_bytes();
        Ok::<_, Infallible>(Response::new(Full::new(bytes)))
    })
}

fn request(body: &'static str, scopes: Option<&[&str]>) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap();
    if let Some(scopes) = scopes {
        let info = AuthInfo::new(BearerToken::new("t"), "https://as", "alice")
            .with_scopes(scopes.iter().copied());
        request.extensions_mut().insert(info);
    }
    request
}

async fn body_of(response: Response<Body>) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn passes_authorized_requests_with_their_body() {
    let service = policy().into_layer().layer(echo());
    let body = r#"{"method":"tools/call","params":{"name":"delete"}}"#;
    let response = service
        .oneshot(request(body, Some(&["todo:write"])))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_of(response).await, body);
}

#[tokio::test]
async fn refuses_without_auth_info_with_a_401_challenge() {
    let service = policy().into_layer().layer(echo());
    let body = r#"{"method":"tools/call","params":{"name":"delete"}}"#;
    let response = service.oneshot(request(body, None)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer scope=\"todo:write\", \
         resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\""
    );
    let json: Value = serde_json::from_str(&body_of(response).await).unwrap();
    assert_eq!(json["error"], "unauthorized");
}

#[tokio::test]
async fn hierarchical_matcher_is_honoured() {
    let matcher = HierarchicalScopeMatcher::new(':').unwrap();
    let service = policy()
        .with_scope_matcher(matcher)
        .into_layer()
        .layer(echo());
    let body = r#"{"method":"tools/call","params":{"name":"delete"}}"#;
    let response = service
        .oneshot(request(body, Some(&["todo"])))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn non_post_and_empty_policies_pass_untouched() {
    let service = policy().into_layer().layer(echo());
    let mut get = request("not json at all", None);
    *get.method_mut() = Method::GET;
    let response = service.oneshot(get).await.unwrap();
    assert_eq!(body_of(response).await, "not json at all");

    let service = ScopePolicy::new().into_layer().layer(echo());
    let response = service.oneshot(request("not json", None)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn announced_oversized_bodies_are_refused_unread() {
    let service = policy()
        .with_max_body_bytes(8)
        .unwrap()
        .into_layer()
        .layer(echo());
    let mut big = request("{}", Some(&[]));
    big.headers_mut().insert(
        http::header::CONTENT_LENGTH,
        HeaderValue::from_static("1000000000"),
    );
    let response = service.clone().oneshot(big).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = service
        .oneshot(request(r#"{"method":"ping"}"#, Some(&[])))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
