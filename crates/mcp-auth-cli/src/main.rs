//! # mcp-auth
//!
//! The `mcp-auth` command, a companion of the [`mcp_auth`] crate:
//!
//! * `mcp-auth dev-server`: runs the embedded development authorization server
//!   ([`mcp_auth_dev`]) until Ctrl-C;
//! * `mcp-auth check <issuer>`: discovers an authorization server's metadata (RFC 8414, OpenID
//!   Connect Discovery) and reports, one line per requirement, whether MCP clients can use it;
//! * `mcp-auth token`: gets an access token (client credentials against any issuer, or as a
//!   test user of the development server), printed alone so `TOKEN=$(mcp-auth token …)` works;
//! * `mcp-auth decode <token>`: shows a JWT's header and claims, and verifies it against an
//!   issuer with [`mcp_auth::JwtVerifier`] when asked.
//!
//! Exit codes: `0` success, `1` the check failed or the token was refused, `2` usage or
//! configuration error, `3` network error or service unavailable.

use std::process::ExitCode;

use clap::Parser;

mod check;
mod cli;
mod decode;
mod dev_server;
mod exit;
mod outbound;
mod style;
mod token;

use cli::{Cli, Command};
use exit::{Exit, Failure};
use style::Style;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let err = Style::stderr(cli.color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            report_failure(
                &err,
                &Failure::usage(format!("cannot start the runtime: {error}")),
            );
            return Exit::Usage.into();
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            report_failure(&err, &failure);
            failure.exit.into()
        }
    }
}

async fn run(cli: Cli) -> Result<Exit, Failure> {
    let out = Style::stdout(cli.color);
    match cli.command {
        Command::DevServer(args) => dev_server::run(args, &out).await,
        Command::Check(args) => check::run(args, &out).await,
        Command::Token(args) => token::run(args, &Style::stderr(cli.color)).await,
        Command::Decode(args) => decode::run(args, &out).await,
    }
}

fn report_failure(style: &Style, failure: &Failure) {
    eprintln!("{} {}", style.red_bold("error:"), failure.message);
    if let Some(hint) = &failure.hint {
        eprintln!("{} {hint}", style.dim("hint:"));
    }
}
