//! Request handling of [`SseServer`]: `GET` opens a session, `POST` delivers messages.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty};
use rmcp::ServerHandler;
use rmcp::model::{ClientJsonRpcMessage, GetExtensions};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tower_service::Service;

use super::SseServer;
use super::session::Session;
use super::stream::EventStream;
use super::transport::SessionTransport;
use crate::body::{BodyError, announced_too_large, read_capped};
use crate::policy::message::MAX_BATCH_LEN;
use crate::principal::Principal;
use crate::rpc_error::{INVALID_REQUEST, PARSE_ERROR, json_response, rpc_error_response};

/// The responses of [`SseServer`].
type SseResponse = Response<BoxBody<Bytes, Infallible>>;

/// Seconds a client should wait after a `503` (sessions or queue full).
const RETRY_AFTER_SECS: u32 = 1;

impl<S, B> Service<Request<B>> for SseServer<S>
where
    S: ServerHandler,
    B: Body + Send + 'static,
    B::Data: Send,
{
    type Response = SseResponse;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<SseResponse, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let server = self.clone();
        Box::pin(async move { Ok(server.handle(request).await) })
    }
}

impl<S: ServerHandler> SseServer<S> {
    async fn handle<B>(self, request: Request<B>) -> SseResponse
    where
        B: Body + Send + 'static,
        B::Data: Send,
    {
        let path = request.uri().path();
        let on_sse = path == self.config.sse_path;
        let on_messages = path == self.config.message_path;
        match *request.method() {
            Method::GET if on_sse => self.open_session(request.into_parts().0),
            Method::POST if on_messages => self.deliver(request).await,
            _ if !on_sse && !on_messages => plain(StatusCode::NOT_FOUND, "Not Found"),
            _ => {
                let allow = match (on_sse, on_messages) {
                    (true, true) => "GET, POST",
                    (true, false) => "GET",
                    _ => "POST",
                };
                let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
                response
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static(allow));
                response
            }
        }
    }

    /// `GET`: a new session, its server instance, and its event stream.
    fn open_session(&self, parts: Parts) -> SseResponse {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let capacity = self.config.channel_capacity;
        let (incoming_tx, incoming_rx) = mpsc::channel(capacity);
        let (outgoing_tx, outgoing_rx) = mpsc::channel(capacity);
        let session = Session {
            sender: incoming_tx,
            principal: Principal::from_extensions(&parts.extensions),
        };
        let Some(guard) = self
            .sessions
            .insert(id.clone(), session, self.config.max_sessions)
        else {
            tracing::warn!("legacy SSE: session limit reached");
            return unavailable("Too many sessions");
        };
        let service = match (self.factory)() {
            Ok(service) => service,
            Err(error) => {
                tracing::warn!(%error, "legacy SSE: the server factory failed");
                return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            }
        };
        tokio::spawn(async move {
            let transport = SessionTransport::new(incoming_rx, outgoing_tx);
            match rmcp::serve_server(service, transport).await {
                Ok(running) => {
                    let _ = running.waiting().await;
                }
                Err(error) => {
                    tracing::debug!(%error, "legacy SSE session ended before initialization")
                }
            }
        });
        let endpoint = format!("{}?sessionId={id}", self.config.endpoint());
        let body = EventStream::new(&endpoint, outgoing_rx, self.config.keep_alive, guard);
        let mut response = Response::new(body.boxed());
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-store"),
        );
        headers.insert(
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        );
        response
    }

    /// `POST`: checks the session and its principal, reads the message(s), queues them for the
    /// session's server.
    async fn deliver<B>(&self, request: Request<B>) -> SseResponse
    where
        B: Body + Send + 'static,
        B::Data: Send,
    {
        let Ok(Some(id)) = session_id(request.uri().query()) else {
            return plain(
                StatusCode::BAD_REQUEST,
                "Bad Request: one sessionId is required",
            );
        };
        let Some(session) = self.sessions.get(id) else {
            return plain(StatusCode::NOT_FOUND, "Not Found: unknown session");
        };
        if session.principal.is_some()
            && session.principal != Principal::from_extensions(request.extensions())
        {
            tracing::warn!("legacy SSE: a request used a session opened by another principal");
            let body = json!({
                "error": "forbidden",
                "error_description": "The session belongs to another principal",
            });
            return json_response(StatusCode::FORBIDDEN, body.to_string().into());
        }
        if !is_json(request.headers()) {
            return plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type: Content-Type must be application/json",
            );
        }
        let max = self.config.max_body_bytes;
        if announced_too_large(request.headers(), max) {
            return body_error(BodyError::TooLarge);
        }
        let (parts, body) = request.into_parts();
        let bytes = match read_capped(body, max).await {
            Ok(bytes) => bytes,
            Err(error) => return body_error(error),
        };
        let messages = match parse_messages(&bytes) {
            Ok(messages) => messages,
            Err(response) => return response,
        };
        let permits = match session.sender.try_reserve_many(messages.len()) {
            Ok(permits) => permits,
            Err(TrySendError::Full(())) => return unavailable("Session queue full"),
            Err(TrySendError::Closed(())) => {
                return plain(StatusCode::NOT_FOUND, "Not Found: unknown session");
            }
        };
        for (permit, mut message) in permits.zip(messages) {
            attach_parts(&mut message, &parts);
            permit.send(message);
        }
        let mut response = Response::new(Empty::new().map_err(never).boxed());
        *response.status_mut() = StatusCode::ACCEPTED;
        response
    }
}

/// The `sessionId` query parameter: `Ok(None)` when absent, `Err` when repeated.
pub(super) fn session_id(query: Option<&str>) -> Result<Option<&str>, ()> {
    let mut found = None;
    for pair in query.unwrap_or_default().split('&') {
        if let Some(("sessionId", value)) = pair.split_once('=') {
            if found.is_some() {
                return Err(());
            }
            found = Some(value);
        }
    }
    Ok(found)
}

/// `true` for `Content-Type: application/json` (parameters allowed).
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or_default();
            essence.trim().eq_ignore_ascii_case("application/json")
        })
}

/// One message or a batch (JSON-RPC 2.0 §6) of at most [`MAX_BATCH_LEN`] messages.
#[allow(clippy::result_large_err)]
pub(super) fn parse_messages(body: &[u8]) -> Result<Vec<ClientJsonRpcMessage>, SseResponse> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let parsed = if first == Some(&b'[') {
        serde_json::from_slice::<Vec<ClientJsonRpcMessage>>(body)
    } else {
        serde_json::from_slice::<ClientJsonRpcMessage>(body).map(|message| vec![message])
    };
    match parsed {
        Ok(messages) if !messages.is_empty() && messages.len() <= MAX_BATCH_LEN => Ok(messages),
        Ok(_) => Err(rpc_error_response(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            "Invalid Request: a batch must hold 1 to 1024 messages",
            None,
        )),
        Err(error) if error.is_syntax() || error.is_eof() => Err(rpc_error_response(
            StatusCode::BAD_REQUEST,
            PARSE_ERROR,
            "Parse error: the body is not JSON",
            None,
        )),
        Err(_) => Err(rpc_error_response(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            "Invalid Request: the body is not a JSON-RPC message",
            None,
        )),
    }
}

/// Puts the `POST`'s request parts (with the `AuthInfo` the Bearer layer inserted) into the
/// message extensions, as rmcp's `StreamableHttpService` does.
fn attach_parts(message: &mut ClientJsonRpcMessage, parts: &Parts) {
    match message {
        ClientJsonRpcMessage::Request(request) => {
            request.request.extensions_mut().insert(parts.clone());
        }
        ClientJsonRpcMessage::Notification(notification) => {
            notification
                .notification
                .extensions_mut()
                .insert(parts.clone());
        }
        ClientJsonRpcMessage::Response(_) | ClientJsonRpcMessage::Error(_) => {}
    }
}

fn body_error(error: BodyError) -> SseResponse {
    match error {
        BodyError::TooLarge => rpc_error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            INVALID_REQUEST,
            "Request body too large",
            None,
        ),
        BodyError::Read => plain(StatusCode::BAD_REQUEST, "Bad Request: unreadable body"),
    }
}

fn never(never: Infallible) -> Infallible {
    never
}

fn plain(status: StatusCode, text: &'static str) -> SseResponse {
    let body = http_body_util::Full::new(Bytes::from_static(text.as_bytes()));
    let mut response = Response::new(body.map_err(never).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn unavailable(text: &'static str) -> SseResponse {
    let mut response = plain(StatusCode::SERVICE_UNAVAILABLE, text);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}
