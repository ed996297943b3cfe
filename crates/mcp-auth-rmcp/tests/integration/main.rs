//! Integration tests over real sockets: a real rmcp server behind the core Bearer layer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod extractor;
mod policy;
mod session_binding;
mod sse;
mod support;
