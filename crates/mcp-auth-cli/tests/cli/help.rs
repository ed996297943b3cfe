//! `--help` everywhere, with examples and exit codes; usage errors exit 2.

use super::support::run;

const COMMANDS: [&[&str]; 5] = [&[], &["dev-server"], &["check"], &["token"], &["decode"]];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_help_page_exits_0_with_examples_and_exit_codes() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        let out = run(&args).await;
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("Exit codes:"),
            "{args:?}:\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("Examples:"),
            "{args:?}:\n{}",
            out.stdout
        );
        for code in ["0  ", "1  ", "2  ", "3  "] {
            assert!(out.stdout.contains(code), "{args:?} lacks exit code {code}");
        }

        let mut args = command.to_vec();
        args.push("-h");
        let out = run(&args).await;
        assert_eq!(out.code, 0, "{args:?}");
        assert!(
            out.stdout.contains("Exit codes:"),
            "{args:?}:\n{}",
            out.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["check"],
        &["frobnicate"],
        &["check", "https://as.example.com", "--type", "saml"],
        &["dev-server", "--bind", "not-an-address"],
        &["decode", "x.y.z", "--resource", "http://127.0.0.1:1/mcp"],
    ] {
        let out = run(args).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_is_printed() {
    let out = run(&["--version"]).await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("mcp-auth "), "{}", out.stdout);
}
