//! End-to-end tests of the `mcp-auth` binary: the built executable is run as a child process
//! against real HTTP servers on 127.0.0.1 (the development authorization server in-process,
//! deliberately broken issuers served by axum here).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod cli {
    pub mod support;

    mod check;
    mod decode;
    mod dev_server;
    mod help;
    mod token;
}
