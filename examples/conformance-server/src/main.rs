//! The `conformance-server` binary: `cargo run -p conformance-server` (see the library docs and
//! README.md).

use std::process::ExitCode;

use conformance_server::{Fixture, example};

#[tokio::main]
async fn main() -> ExitCode {
    mcp_auth_examples::run(example(), Fixture::new).await
}
