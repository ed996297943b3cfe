//! End-to-end tests of the whoami example over real sockets: a real issuer (the development
//! authorization server, started here), the example started on 127.0.0.1:0 through its library
//! API, and rmcp's own client or raw HTTP on the wire.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod embedded;
mod hosts;
mod legacy_mode;
mod oauth_client;
mod sessions;
mod sse;
mod streamable;
mod support;
mod unauthenticated;
