//! The `whoami` binary: `cargo run -p whoami` (see the library docs and README.md).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    mcp_auth_examples::run(whoami::example(), whoami::WhoAmI::new).await
}
