//! Battery section A (credential extraction) through the layer.

use super::*;

#[tokio::test]
async fn a01_no_credentials() {
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:read"]).unwrap();
    let o = run(&layer, &c, request(&[], "/mcp")).await;
    rejected(&o, &c, 401, None, Some("todo:read"), &[]);
    assert_eq!(
        o.headers[WWW_AUTHENTICATE],
        format!("Bearer scope=\"todo:read\", resource_metadata=\"{RM}\"").as_str()
    );
    assert_eq!(c.verifier_calls(), 0);
    // Without required scopes there is no `scope` parameter.
    let o = run(&c.layer(), &c, request(&[], "/mcp")).await;
    rejected(&o, &c, 401, None, None, &[]);
    assert_eq!(
        o.headers[WWW_AUTHENTICATE],
        format!("Bearer resource_metadata=\"{RM}\"").as_str()
    );
}

#[tokio::test]
async fn a02_unsupported_scheme() {
    let c = Counters::default();
    for value in [
        "Basic dXNlcjpwYXNz",
        "Token read",
        "DPoP read",
        "Digest username=\"u\", response=\"r\"",
        "Negotiate YII=",
    ] {
        let o = run(&c.layer(), &c, request(&[value.as_bytes()], "/mcp")).await;
        rejected(&o, &c, 401, None, None, &["dXNlcjpwYXNz"]);
        assert_eq!(
            o.rejection.unwrap().kind(),
            AuthRejectionKind::MissingCredentials
        );
    }
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a03_scheme_case_is_insensitive() {
    for scheme in ["bearer", "BEARER", "bEARER", "Bearer"] {
        let c = Counters::default();
        let value = format!("{scheme} tok-read");
        let o = run(&c.layer(), &c, request(&[value.as_bytes()], "/mcp")).await;
        let body = accepted(&o, &c);
        assert_eq!(body["sub"], "alice");
    }
}

#[tokio::test]
async fn a04_empty_credential() {
    let c = Counters::default();
    for value in ["", "Bearer", "Bearer ", "bearer   "] {
        let o = run(&c.layer(), &c, request(&[value.as_bytes()], "/mcp")).await;
        rejected(&o, &c, 400, Some("invalid_request"), None, &[]);
    }
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a06_characters_outside_b64token() {
    let c = Counters::default();
    for token in [
        "re\"ad",
        "re,ad",
        "re;ad",
        "re%61d",
        "re\\ad",
        "read extra",
        "read=x",
    ] {
        let o = run(&c.layer(), &c, bearer(token)).await;
        rejected(&o, &c, 401, Some("invalid_token"), None, &[token]);
        assert_eq!(
            o.rejection.unwrap().credential_error(),
            Some(CredentialError::MalformedToken)
        );
    }
    // UTF-8 letters are bytes outside the field grammar: invalid_request.
    let o = run(
        &c.layer(),
        &c,
        request(&["Bearer r\u{e9}ad".as_bytes()], "/mcp"),
    )
    .await;
    rejected(&o, &c, 400, Some("invalid_request"), None, &[]);
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a07_several_authorization_fields() {
    let c = Counters::default();
    let pairs: [(&[u8], &[u8]); 4] = [
        (b"Bearer tok-read", b"Bearer tok-read"),
        (b"Bearer tok-read", b"Bearer garbage"),
        (b"Bearer tok-read", b"Basic dXNlcjpwYXNz"),
        (b"Bearer tok-read", b""),
    ];
    for (a, b) in pairs {
        for order in [[a, b], [b, a]] {
            let o = run(&c.layer(), &c, request(&order, "/mcp")).await;
            rejected(&o, &c, 400, Some("invalid_request"), None, &[]);
        }
    }
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a09_query_token_only_is_ignored() {
    let c = Counters::default();
    let o = run(&c.layer(), &c, request(&[], "/mcp?access_token=read")).await;
    rejected(&o, &c, 401, None, None, &["access_token"]);
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a10_token_in_header_and_query() {
    let c = Counters::default();
    for uri in ["/mcp?access_token=read", "/mcp?a=1&access_token=other"] {
        let o = run(&c.layer(), &c, request(&[b"Bearer tok-read"], uri)).await;
        rejected(&o, &c, 400, Some("invalid_request"), None, &[]);
    }
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a11_token_in_body_or_cookie_only() {
    let c = Counters::default();
    let mut by_body = Request::builder()
        .method("POST")
        .uri("/mcp")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Full::from("access_token=read"))
        .unwrap();
    let o = run(&c.layer(), &c, by_body).await;
    rejected(&o, &c, 401, None, None, &[]);
    by_body = request(&[], "/mcp");
    by_body
        .headers_mut()
        .insert(COOKIE, HeaderValue::from_static("access_token=read"));
    let o = run(&c.layer(), &c, by_body).await;
    rejected(&o, &c, 401, None, None, &[]);
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn a13_oversized_credentials_rejected_quickly() {
    let c = Counters::default();
    for len in [64 * 1024, 1024 * 1024, 8 * 1024 * 1024] {
        let value = format!("Bearer {}", "A".repeat(len));
        let started = Instant::now();
        let o = run(&c.layer(), &c, request(&[value.as_bytes()], "/mcp")).await;
        // Generous bound: the cap is checked before the value is even scanned.
        assert!(started.elapsed() < Duration::from_secs(5));
        rejected(&o, &c, 401, Some("invalid_token"), None, &["AAAAAAAA"]);
        assert_eq!(
            o.rejection.unwrap().credential_error(),
            Some(CredentialError::TooLong)
        );
    }
    assert_eq!(c.verifier_calls(), 0);
    // The cap is configurable.
    let layer = c.layer().with_max_credential_len(10).unwrap();
    let o = run(&layer, &c, bearer("tok-read-write")).await;
    rejected(&o, &c, 401, Some("invalid_token"), None, &[]);
}
