//! The `whoami` binary: `cargo run -p whoami` (see the library docs and README.md).

use std::process::ExitCode;

/// jemalloc rather than the system allocator: an MCP server allocates and frees small objects
/// on every request from every connection, and glibc's allocator fragments under many
/// concurrent connections (measured with `bench/load`: about 20 % more throughput and half
/// the peak memory at 256 connections with jemalloc). Your own server can do the same.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    mcp_auth_examples::run(whoami::example(), whoami::WhoAmI::new).await
}
