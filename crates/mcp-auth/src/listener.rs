//! A TCP listener for `axum::serve` that turns Nagle's algorithm off on every connection
//! (feature `axum`).
//!
//! ## Why an MCP server needs it
//!
//! An MCP answer is often written in more than one small piece: rmcp's Streamable HTTP transport
//! streams `text/event-stream` answers frame by frame, and chunked bodies end with a separate
//! terminating chunk. On a socket with Nagle's algorithm on (the operating system's default,
//! and what `tokio::net::TcpListener` gives you), the second small write waits until the first
//! is acknowledged; an HTTP client that delays its acknowledgement (Linux and most stacks do,
//! up to 40 ms) then waits for data that is sitting in the server's send buffer. The result is a
//! stall of about 40 ms on **every** keep-alive request — a few dozen requests per second per
//! connection, whatever the machine. Setting `TCP_NODELAY` on each accepted socket removes it;
//! request/response protocols such as HTTP lose nothing by it, because hyper already writes
//! whole frames at once.
//!
//! ## Use it
//!
//! Bind [`NoDelayListener`] where you would bind a `tokio::net::TcpListener` and hand it to
//! `axum::serve` as usual:
//!
//! ```no_run
//! use mcp_auth::listener::NoDelayListener;
//!
//! # async fn run(app: axum::Router) -> std::io::Result<()> {
//! let listener = NoDelayListener::bind("127.0.0.1:3001").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! A listener you already have converts with [`NoDelayListener::from`]. With axum's own
//! helpers the same effect is `listener.tap_io(|tcp| { let _ = tcp.set_nodelay(true); })`
//! (`axum::serve::ListenerExt`); this type names the intent and logs the rare failure.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};

/// A [`TcpListener`] whose accepted connections have `TCP_NODELAY` set, for
/// [`axum::serve`](::axum::serve()). See the [module docs](self) for why.
pub struct NoDelayListener {
    inner: TcpListener,
}

impl NoDelayListener {
    /// Binds a new listener on `addr`.
    ///
    /// # Errors
    ///
    /// The operating system's error when the address cannot be bound.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        Ok(Self {
            inner: TcpListener::bind(addr).await?,
        })
    }

    /// The address this listener is bound to (the actual port when bound to port 0).
    ///
    /// # Errors
    ///
    /// The operating system's error when the socket cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The underlying listener.
    #[must_use]
    pub fn into_inner(self) -> TcpListener {
        self.inner
    }
}

impl From<TcpListener> for NoDelayListener {
    fn from(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for NoDelayListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoDelayListener")
            .field("local_addr", &self.inner.local_addr().ok())
            .finish()
    }
}

impl ::axum::serve::Listener for NoDelayListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop: it retries (and backs off on resource exhaustion) by itself.
        let (stream, addr) = ::axum::serve::Listener::accept(&mut self.inner).await;
        if let Err(error) = stream.set_nodelay(true) {
            // The connection still works, only slower; nothing the client could be told.
            tracing::debug!(%error, %addr, "could not set TCP_NODELAY on an accepted connection");
        }
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nodelay_set() {
        let mut listener = NoDelayListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let (stream, _) = ::axum::serve::Listener::accept(&mut listener).await;
        assert!(stream.nodelay().unwrap());
        drop(client.await.unwrap());

        // A plain tokio listener does not: the default this type exists to change.
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = plain.local_addr().unwrap();
        let client = tokio::spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let (stream, _) = plain.accept().await.unwrap();
        assert!(!stream.nodelay().unwrap());
        drop(client.await.unwrap());
    }
}
