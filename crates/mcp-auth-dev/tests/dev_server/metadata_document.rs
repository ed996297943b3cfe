//! Client ID Metadata Documents: a `client_id` that is a URL is fetched (here from a real
//! axum server on 127.0.0.1), validated and cached; mismatching or unusable documents are
//! refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use serde_json::{Value, json};

use super::browser::{Browser, authorize_url, code_for, page, parse_form, pkce, tokens};
use super::support::{expect_error, http, post_form, start};

const CALLBACK: &str = "http://127.0.0.1:7777/callback";

/// A status, header fields and a body.
type Answer = (StatusCode, Vec<(&'static str, String)>, String);

/// What the document server answers, and how often it was asked.
struct Document {
    answer: Mutex<Answer>,
    hits: AtomicUsize,
}

/// A server publishing one client metadata document at `/client.json`.
struct DocumentServer {
    url: String,
    document: Arc<Document>,
}

impl DocumentServer {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/client.json", listener.local_addr().unwrap());
        let document = Arc::new(Document {
            answer: Mutex::new((StatusCode::OK, Vec::new(), String::new())),
            hits: AtomicUsize::new(0),
        });
        let shared = Arc::clone(&document);
        let app = Router::new().route(
            "/client.json",
            get(move || {
                let document = Arc::clone(&shared);
                async move {
                    document.hits.fetch_add(1, Ordering::SeqCst);
                    let (status, headers, body) = document.answer.lock().unwrap().clone();
                    let mut response: Response = (status, body).into_response();
                    response
                        .headers_mut()
                        .insert("content-type", "application/json".parse().unwrap());
                    for (name, value) in headers {
                        response.headers_mut().insert(name, value.parse().unwrap());
                    }
                    response
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, document }
    }

    fn publish(&self, status: StatusCode, headers: Vec<(&'static str, String)>, body: String) {
        *self.document.answer.lock().unwrap() = (status, headers, body);
    }

    /// Publishes a valid document for this URL, with `changes` merged in.
    fn publish_valid(&self, changes: Value) {
        let mut document = json!({
            "client_id": self.url,
            "client_name": "Document Client",
            "redirect_uris": [CALLBACK],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none"
        });
        for (name, value) in changes.as_object().unwrap() {
            document[name] = value.clone();
        }
        self.publish(StatusCode::OK, Vec::new(), document.to_string());
    }

    fn hits(&self) -> usize {
        self.document.hits.load(Ordering::SeqCst)
    }
}

fn authorize(server: &mcp_auth_dev::DevServer, client_id: &str, redirect_uri: &str) -> String {
    let (_, challenge) = pkce();
    authorize_url(
        server,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("scope", "openid"),
        ],
    )
}

/// Expects the authorization request to end on an error page mentioning `expected`.
async fn expect_refused(server: &mcp_auth_dev::DevServer, client_id: &str, expected: &str) {
    let response = http()
        .get(authorize(server, client_id, CALLBACK))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(!response.headers().contains_key("location"));
    let text = response.text().await.unwrap();
    assert!(text.contains(expected), "{expected} not in {text}");
}

#[tokio::test]
async fn a_metadata_document_client_completes_the_flow() {
    let server = start().await;
    let documents = DocumentServer::start().await;
    documents.publish_valid(json!({}));
    let client_id = documents.url.clone();

    let browser = Browser::new();
    let login =
        parse_form(&page(browser.get(&authorize(&server, &client_id, CALLBACK)).await).await);
    let consent = page(browser.submit(&server, &login, ("username", "alice")).await).await;
    // The consent page names the client and the document, shows the redirect host, and warns
    // about the loopback redirect.
    assert!(consent.contains("Document Client"));
    assert!(consent.contains(&client_id));
    assert!(consent.contains("127.0.0.1:7777"));
    assert!(consent.contains("program on this computer"));

    let flow = code_for(&server, &client_id, CALLBACK, "openid", None).await;
    let body = tokens(&server, &client_id, &flow, &[]).await;
    assert!(body["access_token"].is_string());
    let refreshed = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
        None,
    )
    .await;
    assert_eq!(refreshed.status(), 200);
}

#[tokio::test]
async fn the_documents_client_id_must_equal_its_url() {
    let server = start().await;
    let documents = DocumentServer::start().await;
    documents.publish_valid(json!({"client_id": "https://elsewhere.example/client.json"}));
    expect_refused(&server, &documents.url, "does not equal its URL").await;
    // Not even a trailing-slash difference.
    documents.publish_valid(json!({"client_id": format!("{}/", documents.url)}));
    expect_refused(&server, &documents.url, "does not equal its URL").await;
    documents.publish_valid(json!({"client_id": null}));
    expect_refused(&server, &documents.url, "does not equal its URL").await;
}

#[tokio::test]
async fn the_documents_redirect_uris_are_enforced() {
    let server = start().await;
    let documents = DocumentServer::start().await;
    documents.publish_valid(json!({}));
    let response = http()
        .get(authorize(
            &server,
            &documents.url,
            "http://127.0.0.1:7777/other",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("not registered"));
}

#[tokio::test]
async fn unusable_documents_are_refused() {
    let server = start().await;
    let documents = DocumentServer::start().await;
    documents.publish(StatusCode::NOT_FOUND, Vec::new(), "{}".into());
    expect_refused(&server, &documents.url, "could not be fetched").await;
    documents.publish(StatusCode::OK, Vec::new(), "<html>".into());
    expect_refused(&server, &documents.url, "not JSON").await;
    documents.publish(
        StatusCode::FOUND,
        vec![("location", "http://127.0.0.1:1/x".into())],
        String::new(),
    );
    expect_refused(&server, &documents.url, "redirect").await;
    documents.publish(StatusCode::OK, Vec::new(), "x".repeat(20_000));
    expect_refused(&server, &documents.url, "larger than").await;
    documents.publish_valid(json!({"client_secret": "shh"}));
    expect_refused(&server, &documents.url, "client_secret").await;
    documents.publish_valid(json!({"token_endpoint_auth_method": "client_secret_basic"}));
    expect_refused(&server, &documents.url, "none").await;
    documents.publish_valid(json!({"redirect_uris": ["http://evil.example/cb"]}));
    expect_refused(&server, &documents.url, "invalid").await;
    // URLs the server never fetches.
    for url in [
        "http://10.0.0.1/client.json",
        "https://169.254.169.254/client.json",
        "http://127.0.0.1:1/",
    ] {
        let response = http()
            .get(authorize(&server, url, CALLBACK))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{url}");
    }
}

#[tokio::test]
async fn documents_are_cached_unless_told_not_to() {
    let server = start().await;
    let documents = DocumentServer::start().await;
    documents.publish_valid(json!({}));
    for _ in 0..3 {
        let response = http()
            .get(authorize(&server, &documents.url, CALLBACK))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(documents.hits(), 1);

    let other = DocumentServer::start().await;
    let body = json!({
        "client_id": other.url, "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"
    });
    other.publish(
        StatusCode::OK,
        vec![("cache-control", "no-store".into())],
        body.to_string(),
    );
    for _ in 0..2 {
        let response = http()
            .get(authorize(&server, &other.url, CALLBACK))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(other.hits(), 2);
}

#[tokio::test]
async fn an_unreachable_document_is_invalid_client_at_the_token_endpoint() {
    let server = start().await;
    let documents = DocumentServer::start().await;
    documents.publish(StatusCode::INTERNAL_SERVER_ERROR, Vec::new(), String::new());
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &documents.url),
            ("code", "x"),
            ("code_verifier", &"v".repeat(43)),
        ],
        None,
    )
    .await;
    expect_error(response, 401, "invalid_client").await;
}
