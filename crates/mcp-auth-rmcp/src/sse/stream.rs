//! The event stream of a session (`text/event-stream`, WHATWG HTML §9.2): the `endpoint` event,
//! then one `message` event per outgoing JSON-RPC message, and keep-alive comments.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use rmcp::RoleServer;
use rmcp::service::TxJsonRpcMessage;
use tokio::sync::mpsc;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::session::SessionGuard;

const KEEP_ALIVE_COMMENT: &[u8] = b": keep-alive\n\n";

/// The response body of `GET /sse`. Dropping it (the client went away) closes the session.
#[derive(Debug)]
pub(super) struct EventStream {
    endpoint: Option<Bytes>,
    outgoing: mpsc::Receiver<TxJsonRpcMessage<RoleServer>>,
    keep_alive: Option<Interval>,
    _guard: SessionGuard,
}

impl EventStream {
    /// `endpoint` is the URL of the session's message endpoint; it must not contain CR or LF.
    pub(super) fn new(
        endpoint: &str,
        outgoing: mpsc::Receiver<TxJsonRpcMessage<RoleServer>>,
        keep_alive: Option<Duration>,
        guard: SessionGuard,
    ) -> Self {
        let keep_alive = keep_alive.map(|period| {
            let mut interval = tokio::time::interval_at(Instant::now() + period, period);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });
        Self {
            endpoint: Some(event("endpoint", endpoint)),
            outgoing,
            keep_alive,
            _guard: guard,
        }
    }
}

/// One event. `data` must be a single line (serde_json output and the endpoint URL are).
fn event(name: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(endpoint) = this.endpoint.take() {
            return Poll::Ready(Some(Ok(Frame::data(endpoint))));
        }
        loop {
            match this.outgoing.poll_recv(cx) {
                Poll::Ready(Some(message)) => match serde_json::to_string(&message) {
                    Ok(json) => return Poll::Ready(Some(Ok(Frame::data(event("message", &json))))),
                    Err(error) => {
                        tracing::warn!(%error, "an outgoing MCP message could not be serialized");
                    }
                },
                // The session's server stopped: end the stream.
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => break,
            }
        }
        if let Some(interval) = &mut this.keep_alive
            && interval.poll_tick(cx).is_ready()
        {
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
                KEEP_ALIVE_COMMENT,
            )))));
        }
        Poll::Pending
    }
}
