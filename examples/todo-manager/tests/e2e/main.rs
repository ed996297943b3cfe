//! End-to-end tests of the todo-manager example over real sockets: the development
//! authorization server as the issuer, the example on 127.0.0.1:0 through its library API,
//! rmcp's own client and raw HTTP on the wire.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod embedded;
mod ownership;
mod step_up;
mod support;
