//! `mcp-auth decode`: unverified decoding, verification with `--issuer`, tampered tokens and
//! garbage.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth_dev::DevServer;
use serde_json::Value;

use super::support::{command, run, run_command, unreachable_issuer};
use super::token::{RESOURCE, client_credentials_token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decodes_without_verifying_and_says_so() {
    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &[]).await;
    let out = run(&["decode", &token]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.has_line_starting("UNVERIFIED"), "{}", out.stdout);
    assert!(!out.has_line_starting("VERIFIED"), "{}", out.stdout);
    assert!(out.stdout.contains("\"typ\": \"at+jwt\""), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!("\"aud\": \"{RESOURCE}\"")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("\"iss\": \"{}\"", server.issuer()))
    );
    assert!(out.stdout.contains("exp  "), "{}", out.stdout);

    // From stdin, with a `Bearer ` prefix, as JSON.
    let out = run_command(
        command(&["decode", "-", "--json"]),
        Some(format!("Bearer {token}\n")),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["verified"], false);
    assert_eq!(json["verification"], Value::Null);
    assert_eq!(json["header"]["alg"], "ES256");
    assert_eq!(json["claims"]["sub"], "dev-client");
    assert_eq!(json["signature_bytes"], 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_from_the_token_command_verifies() {
    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &["--scope", "openid profile"]).await;
    let out = run(&[
        "decode",
        &token,
        "--issuer",
        server.issuer(),
        "--resource",
        RESOURCE,
    ])
    .await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.has_line_starting("VERIFIED"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("audience   http://127.0.0.1:3001/mcp (checked)")
    );
    assert!(
        out.stdout.contains("subject    dev-client"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("scopes     openid profile"),
        "{}",
        out.stdout
    );

    let out = run(&[
        "decode",
        &token,
        "--issuer",
        server.issuer(),
        "--resource",
        RESOURCE,
        "--json",
    ])
    .await;
    assert_eq!(out.code, 0);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["verified"], true);
    assert_eq!(json["verification"]["result"], "verified");
    assert_eq!(json["verification"]["audience_checked"], true);
    assert_eq!(json["verification"]["subject"], "dev-client");

    // Without --resource the audience is not checked, and the output says so.
    let out = run(&["decode", &token, "--issuer", server.issuer()]).await;
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("NOT checked"), "{}", out.stdout);
}

/// The token with one signature byte changed (a well-formed JWT that does not verify).
fn tamper_signature(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[10] ^= 0x01;
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The token with its claims changed by `edit`, signature kept.
fn tamper(token: &str, edit: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    edit(&mut claims);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// The token with its `sub` claim changed, signature kept.
fn tamper_claims(token: &str) -> String {
    tamper(token, |claims| claims["sub"] = "u-admin".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_tokens_are_refused_with_exit_1() {
    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &[]).await;
    for tampered in [tamper_signature(&token), tamper_claims(&token)] {
        let out = run(&[
            "decode",
            &tampered,
            "--issuer",
            server.issuer(),
            "--resource",
            RESOURCE,
        ])
        .await;
        assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
        assert!(out.has_line_starting("REFUSED"), "{}", out.stdout);
        assert!(!out.has_line_starting("VERIFIED"), "{}", out.stdout);
        assert!(
            out.stdout.contains("The access token signature is invalid"),
            "{}",
            out.stdout
        );
    }
    // The tampered claims are still shown, unverified.
    let out = run(&["decode", &tamper_claims(&token)]).await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("u-admin"));
    assert!(out.has_line_starting("UNVERIFIED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_audience_and_wrong_issuer_are_refused() {
    let server = DevServer::builder().start().await.unwrap();
    let other = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &[]).await;

    let out = run(&[
        "decode",
        &token,
        "--issuer",
        server.issuer(),
        "--resource",
        "http://127.0.0.1:3002/mcp",
        "--json",
    ])
    .await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["verified"], false);
    assert_eq!(json["verification"]["result"], "refused");
    assert_eq!(json["verification"]["error"]["kind"], "InvalidAudience");

    let out = run(&[
        "decode",
        &token,
        "--issuer",
        other.issuer(),
        "--resource",
        RESOURCE,
    ])
    .await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("The access token issuer is not trusted"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_issuer_exits_3() {
    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &[]).await;
    let issuer = unreachable_issuer().await;

    // Another issuer's token is refused before any fetch: exit 1.
    let out = run(&["decode", &token, "--issuer", &issuer]).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("The access token issuer is not trusted")
    );

    // A token naming the unreachable issuer cannot be checked: exit 3.
    let claims = |c: &mut Value| c["iss"] = issuer.clone().into();
    let out = run(&["decode", &tamper(&token, claims), "--issuer", &issuer]).await;
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.stdout.contains("cannot be verified right now"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_is_a_clear_usage_error() {
    for garbage in [
        "garbage",
        "a.b.c",
        "e30.e30",
        "a.b.c.d.e",
        "eyJhbGciOiJub25lIn0.bm90IGpzb24.",
        "",
        "-",
    ] {
        let out = run_command(
            command(&["decode", garbage]),
            Some("still not a token".into()),
        )
        .await;
        assert_eq!(out.code, 2, "{garbage:?}: {}", out.stderr);
        assert!(
            out.stderr.starts_with("error: "),
            "{garbage:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c01_alg_none_is_shown_but_never_verified() {
    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &[]).await;
    let claims = token.split('.').nth(1).unwrap();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    for signature in ["", "c2lnbmF0dXJl"] {
        let unsecured = format!("{header}.{claims}.{signature}");
        let out = run(&["decode", &unsecured]).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.has_line_starting("UNVERIFIED"), "{}", out.stdout);

        let out = run(&[
            "decode",
            &unsecured,
            "--issuer",
            server.issuer(),
            "--resource",
            RESOURCE,
        ])
        .await;
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(out.has_line_starting("REFUSED"), "{}", out.stdout);
        // Empty signature: malformed (RFC 7515 needs one); any other: `none` is not allowed.
        let reason = if signature.is_empty() {
            "The access token is malformed"
        } else {
            "unsupported algorithm"
        };
        assert!(out.stdout.contains(reason), "{}", out.stdout);
    }
    let out = run(&["decode", &format!("{header}.{claims}.")]).await;
    assert!(
        out.stdout.contains("an unsecured JWT is never accepted"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i07_the_tokens_own_issuer_is_never_contacted() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &[]).await;
    // An "attacker" issuer that counts every request it gets.
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let attacker = super::support::serve(axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { axum::http::StatusCode::NOT_FOUND }
    }))
    .await;
    let forged = tamper(&token, |claims| claims["iss"] = attacker.clone().into());
    let out = run(&[
        "decode",
        &forged,
        "--issuer",
        server.issuer(),
        "--resource",
        RESOURCE,
    ])
    .await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("The access token issuer is not trusted"),
        "{}",
        out.stdout
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the token's issuer was contacted"
    );
}
