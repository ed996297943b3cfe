//! I6: rejections are logged without the token, claim values or verifier details.

use std::fmt::{self, Write as _};
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, Subscriber, span};

use super::*;

/// A minimal subscriber that writes every event and span field into one string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Writer<'a>(&'a Capture);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = self.0.0.lock().unwrap();
        let _ = write!(text, "{}={value:?} ", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &span::Attributes<'_>) -> span::Id {
        span.record(&mut Writer(self));
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, values: &span::Record<'_>) {
        values.record(&mut Writer(self));
    }

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        event.record(&mut Writer(self));
        self.0.lock().unwrap().push('\n');
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

#[tokio::test]
async fn g10_rejections_are_logged_without_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let c = Counters::default();
    let layer = c
        .layer()
        .require_scopes(["todo:write"])
        .unwrap()
        .show_error_details(true);
    for token in [
        "tok-down",
        "tok-wrong-iss",
        "tok-expired",
        "tok-read",
        "tok-read-write",
        "tok-unknown",
        "tok-\"quoted",
    ] {
        run(&layer, &c, bearer(token)).await;
    }
    run(
        &layer,
        &c,
        request(&[b"Bearer tok-read"], "/mcp?access_token=tok-query"),
    )
    .await;
    run(&layer, &c, request(&[], "/mcp?access_token=tok-query")).await;
    let logs = capture.0.lock().unwrap().clone();
    assert!(
        logs.contains("bearer authentication rejected"),
        "capture works: {logs}"
    );
    assert!(
        logs.contains("Unavailable") && logs.contains("InvalidIssuer"),
        "{logs}"
    );
    for secret in [
        "tok-",
        INTERNAL,
        "evil.example",
        "1700000000",
        "alice",
        "client-1",
    ] {
        assert!(!logs.contains(secret), "{secret:?} logged: {logs}");
    }
}
