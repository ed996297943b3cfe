//! Running the binary, and small servers to run it against.

use std::io::Write as _;
use std::process::{Command, Stdio};

use axum::Router;
use tokio::net::TcpListener;

/// What one run of `mcp-auth` gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The first line of stdout that shows `level` (`ok`, `note`, `warn`, `FAIL`) for the
    /// requirement `label`.
    pub fn requirement(&self, level: &str, label: &str) -> Option<&str> {
        self.stdout.lines().find(|line| {
            line.trim_start()
                .strip_prefix(level)
                .is_some_and(|rest| rest.starts_with(' ') && rest.trim_start().starts_with(label))
        })
    }

    /// Whether a line of stdout starts with `prefix`.
    pub fn has_line_starting(&self, prefix: &str) -> bool {
        self.stdout.lines().any(|line| line.starts_with(prefix))
    }
}

/// `mcp-auth` with a clean environment for the variables it reads, and no colour.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mcp-auth"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("MCP_AUTH_CLIENT_SECRET")
        .stdin(Stdio::null());
    command
}

/// Runs `command` to completion off the async runtime (the servers it talks to run on it).
pub async fn run_command(mut command: Command, stdin: Option<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // The binary may exit before reading it all (a usage error): ignore a closed pipe.
            let _ = pipe.write_all(input.as_bytes());
        }
        let output = child.wait_with_output().expect("the binary finishes");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("the blocking task finishes")
}

/// Runs `mcp-auth ARGS`.
pub async fn run(args: &[&str]) -> Run {
    run_command(command(args), None).await
}

/// Serves `router` on 127.0.0.1:0 for the rest of the test; returns `http://127.0.0.1:PORT`.
pub async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// Serves the router `make` builds from the base URL (documents that name their own address).
pub async fn serve_with(make: impl FnOnce(&str) -> Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = make(&base);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    base
}

/// A loopback URL where nothing listens (a port just released).
pub async fn unreachable_issuer() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A fresh path in the temporary directory.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "mcp-auth-cli-test-{}-{n}-{name}",
        std::process::id()
    ))
}
