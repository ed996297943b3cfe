//! `mcp-auth dev-server` as a child process: it prints the bound issuer, answers its metadata,
//! and is killed by its PID handle at the end.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, ChildStdout, Stdio};

use serde_json::Value;

use super::support::{command, run, temp_path};

/// A running `mcp-auth dev-server`, killed when dropped.
struct DevServerProcess {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl DevServerProcess {
    fn spawn(args: &[&str]) -> Self {
        let mut all = vec!["dev-server"];
        all.extend_from_slice(args);
        let mut child = command(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Self { child, stdout }
    }

    /// The next line of stdout (blocking; the server prints its banner at once).
    fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self
            .stdout
            .read_line(&mut line)
            .expect("stdout is readable");
        assert!(
            n > 0,
            "the server exited before printing: {:?}",
            self.child.try_wait()
        );
        line
    }

    /// Lines until one starting with `prefix` (after indentation); returns the banner so far.
    fn lines_until(&mut self, prefix: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for _ in 0..100 {
            let line = self.line();
            let done = line.trim_start().starts_with(prefix);
            lines.push(line);
            if done {
                return lines;
            }
        }
        panic!("no line starting with {prefix:?}: {lines:?}");
    }
}

impl Drop for DevServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn metadata(issuer: &str) -> Value {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    client
        .get(format!("{issuer}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banner_names_the_bound_issuer_which_answers_its_metadata() {
    let (server, banner) = tokio::task::spawn_blocking(|| {
        let mut server = DevServerProcess::spawn(&["--bind", "127.0.0.1:0"]);
        let banner = server.lines_until("Stop it with Ctrl-C");
        (server, banner)
    })
    .await
    .unwrap();
    let banner = banner.concat();
    let issuer = banner
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("issuer"))
        .map(|rest| rest.trim().to_owned())
        .expect("an issuer line");
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    assert!(
        !issuer.ends_with(":0"),
        "the bound port is printed: {issuer}"
    );
    assert!(banner.contains(&format!("{issuer}/token")), "{banner}");
    assert!(banner.contains("alice (sub u-alice"), "{banner}");
    assert!(banner.contains("mcp-inspector (public)"), "{banner}");
    assert!(!banner.contains("WARNING"), "{banner}");

    let doc = metadata(&issuer).await;
    assert_eq!(doc["issuer"], issuer.as_str());

    // The CLI's own check passes against the CLI's own server.
    let out = run(&["check", &issuer]).await;
    assert_eq!(out.code, 0, "{}", out.stdout);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_banner_users_file_and_keys_file() {
    let users = temp_path("users.json");
    std::fs::write(
        &users,
        r#"[{"username": "carol", "sub": "u-carol", "name": "Carol", "department": "research"}]"#,
    )
    .unwrap();
    let keys = temp_path("keys.json");
    let args = [
        "--bind",
        "127.0.0.1:0",
        "--json",
        "--alg",
        "rs256",
        "--users",
        users.to_str().unwrap(),
        "--keys",
        keys.to_str().unwrap(),
        "--scopes",
        "openid profile todo:read",
    ]
    .map(str::to_owned);
    let (server, first) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut server = DevServerProcess::spawn(&args);
        let first = server.line();
        (server, first)
    })
    .await
    .unwrap();
    let banner: Value = serde_json::from_str(&first).expect("one JSON line");
    let issuer = banner["issuer"].as_str().unwrap().to_owned();
    assert_eq!(banner["loopback"], true);
    assert_eq!(banner["signing_algorithm"], "RS256");
    assert_eq!(banner["users"][0]["username"], "carol");
    assert_eq!(banner["users"].as_array().unwrap().len(), 1);
    assert_eq!(banner["endpoints"]["token"], format!("{issuer}/token"));
    assert!(
        !first.contains("dev-secret"),
        "no secret in the JSON banner"
    );
    let doc = metadata(&issuer).await;
    assert_eq!(doc["scopes_supported"][2], "todo:read");
    assert!(keys.exists(), "the keys file is created");
    drop(server);
    let _ = std::fs::remove_file(&users);
    let _ = std::fs::remove_file(&keys);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_users_file_is_a_usage_error() {
    let missing = temp_path("missing-users.json");
    let out = run(&[
        "dev-server",
        "--bind",
        "127.0.0.1:0",
        "--users",
        missing.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("users file"), "{}", out.stderr);

    let bad = temp_path("bad-users.json");
    std::fs::write(&bad, r#"{"users": [{"name": "no username"}]}"#).unwrap();
    let out = run(&[
        "dev-server",
        "--bind",
        "127.0.0.1:0",
        "--users",
        bad.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    let _ = std::fs::remove_file(&bad);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_loopback_bind_prints_a_loud_warning() {
    let (server, banner) = tokio::task::spawn_blocking(|| {
        let mut server = DevServerProcess::spawn(&["--bind", "0.0.0.0:0"]);
        let banner = server.lines_until("issuer").concat();
        (server, banner)
    })
    .await
    .unwrap();
    drop(server);
    assert!(
        banner.contains("WARNING: listening on 0.0.0.0:"),
        "{banner}"
    );
    assert!(banner.contains("NOT a loopback address"), "{banner}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly() {
    let code = tokio::task::spawn_blocking(|| {
        let mut server = DevServerProcess::spawn(&["--bind", "127.0.0.1:0"]);
        server.lines_until("Stop it with Ctrl-C");
        let pid = server.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        // A generous upper bound: the server stops at once.
        for _ in 0..200 {
            if let Some(status) = server.child.try_wait().expect("status") {
                return (status.code(), server.line());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the server did not stop within 10 s of SIGTERM");
    })
    .await
    .unwrap();
    assert_eq!(code, (Some(0), "stopping\n".to_owned()));
}
