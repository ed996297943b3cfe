#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use http::HeaderMap;

use super::SseServerConfig;
use super::service::{is_json, parse_messages, session_id};

#[test]
fn session_id_query() {
    assert_eq!(session_id(None), Ok(None));
    assert_eq!(session_id(Some("a=b")), Ok(None));
    assert_eq!(session_id(Some("sessionId=abc")), Ok(Some("abc")));
    assert_eq!(session_id(Some("x=1&sessionId=abc&y=2")), Ok(Some("abc")));
    assert_eq!(session_id(Some("sessionId=a&sessionId=b")), Err(()));
    assert_eq!(session_id(Some("sessionid=abc")), Ok(None));
}

#[test]
fn content_type() {
    let mut headers = HeaderMap::new();
    assert!(!is_json(&headers));
    headers.insert(
        "content-type",
        "application/json; charset=utf-8".parse().unwrap(),
    );
    assert!(is_json(&headers));
    headers.insert("content-type", "Application/JSON".parse().unwrap());
    assert!(is_json(&headers));
    headers.insert("content-type", "text/plain".parse().unwrap());
    assert!(!is_json(&headers));
}

#[test]
fn messages_and_batches() {
    let one = parse_messages(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
    assert_eq!(one.len(), 1);
    let batch = parse_messages(
        br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}]"#,
    )
    .unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(parse_messages(b"[]").unwrap_err().status(), 400);
    assert_eq!(parse_messages(b"{").unwrap_err().status(), 400);
    assert_eq!(parse_messages(br#"{"x":1}"#).unwrap_err().status(), 400);
}

#[test]
fn configuration_is_validated() {
    let config = SseServerConfig::new();
    assert_eq!(config.sse_path(), "/sse");
    assert_eq!(config.message_path(), "/messages");
    assert_eq!(config.endpoint(), "/messages");
    let config = config
        .with_endpoint_base("https://mcp.example.com/legacy")
        .unwrap()
        .with_message_path("/msg")
        .unwrap();
    assert_eq!(config.endpoint(), "https://mcp.example.com/legacy/msg");

    let config = SseServerConfig::new();
    assert!(config.clone().with_sse_path("sse").is_err());
    assert!(config.clone().with_sse_path("/a?b").is_err());
    assert!(config.clone().with_message_path("/a b").is_err());
    assert!(config.clone().with_endpoint_base("/x/").is_err());
    assert!(config.clone().with_endpoint_base("/x\r\n").is_err());
    assert!(config.clone().with_max_body_bytes(0).is_err());
    assert!(config.clone().with_channel_capacity(0).is_err());
    assert!(config.clone().with_max_sessions(0).is_err());
    assert!(
        config
            .clone()
            .with_keep_alive(Some(Duration::from_millis(10)))
            .is_err()
    );
    assert!(config.with_keep_alive(None).is_ok());
}
