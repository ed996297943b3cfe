//! Output of `decode`: text for people, JSON for scripts.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::{Decoded, Verification};
use crate::outbound::printable;
use crate::style::Style;

/// The text output (ends with a newline).
pub(crate) fn text(decoded: &Decoded, verification: Option<&Verification>, style: Style) -> String {
    let mut out = String::new();
    let status = match verification.map(|v| &v.result) {
        None => format!(
            "{}  decoded only: the signature and claims were NOT checked (use --issuer to \
             verify)",
            style.yellow_bold("UNVERIFIED")
        ),
        Some(Ok(_)) => format!(
            "{}  by mcp_auth's JwtVerifier (details below)",
            style.green_bold("VERIFIED")
        ),
        Some(Err(error)) => format!(
            "{}  {} (details below)",
            style.red_bold("REFUSED"),
            error.kind().description()
        ),
    };
    let _ = writeln!(out, "{status}\n");
    let pretty = |map: &Map<String, Value>| {
        serde_json::to_string_pretty(map).unwrap_or_else(|_| "{}".to_owned())
    };
    let _ = writeln!(out, "{}", style.bold("Header"));
    let _ = writeln!(out, "{}\n", pretty(&decoded.header));
    let _ = writeln!(out, "{}", style.bold("Claims"));
    let _ = writeln!(out, "{}", pretty(&decoded.claims));
    let signature = match decoded.signature_len {
        Some(0) => style.red("empty (an unsecured JWT is never accepted)"),
        Some(n) => format!("{n} bytes"),
        None => style.red("not base64url (the token is malformed)"),
    };
    let _ = writeln!(out, "\n{}  {signature}", style.bold("Signature"));

    let now = now();
    let times: Vec<String> = ["iat", "nbf", "exp"]
        .into_iter()
        .filter_map(|name| {
            let seconds = decoded.claims.get(name)?.as_f64()?;
            Some(format!("  {name}  {}", describe_time(seconds, now)))
        })
        .collect();
    if !times.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Times"));
        for line in times {
            let _ = writeln!(out, "{line}");
        }
    }

    if let Some(verification) = verification {
        let _ = writeln!(out, "\n{}", style.bold("Verification"));
        let _ = writeln!(out, "  issuer     {}", verification.issuer);
        match &verification.resource {
            Some(resource) => {
                let _ = writeln!(out, "  audience   {resource} (checked)");
            }
            None => {
                let _ = writeln!(
                    out,
                    "  audience   {}",
                    style.yellow("NOT checked (pass --resource to check `aud`)")
                );
            }
        }
        match &verification.result {
            Ok(info) => {
                let _ = writeln!(out, "  subject    {}", printable(&info.subject, 200));
                if let Some(client_id) = &info.client_id {
                    let _ = writeln!(out, "  client_id  {}", printable(client_id, 200));
                }
                let _ = writeln!(
                    out,
                    "  scopes     {}",
                    printable(&info.scopes.join(" "), 400)
                );
                let _ = writeln!(
                    out,
                    "{}  signature, issuer, time claims{} checked",
                    style.green_bold("VERIFIED"),
                    if verification.resource.is_some() {
                        " and audience"
                    } else {
                        ""
                    }
                );
            }
            Err(error) => {
                let _ = writeln!(out, "  reason     {}", error.kind().description());
                if let Some(detail) = error.detail() {
                    let _ = writeln!(out, "  detail     {}", printable(detail, 500));
                }
                let _ = writeln!(out, "{}  the token was refused", style.red_bold("REFUSED"));
            }
        }
    }
    out
}

/// The JSON output.
pub(crate) fn json(decoded: &Decoded, verification: Option<&Verification>) -> Value {
    let verification_json = verification.map(|v| {
        let mut object = json!({
            "issuer": v.issuer,
            "resource": v.resource,
            "audience_checked": v.resource.is_some(),
        });
        let details = match &v.result {
            Ok(info) => json!({
                "result": "verified",
                "subject": info.subject,
                "client_id": info.client_id,
                "scopes": info.scopes,
                "audience": info.audience,
                "expires_at": info.expires_at,
            }),
            Err(error) => json!({
                "result": if error.is_unavailable() { "unavailable" } else { "refused" },
                "error": {
                    "kind": format!("{:?}", error.kind()),
                    "description": error.kind().description(),
                    "detail": error.detail(),
                },
            }),
        };
        if let (Some(target), Value::Object(extra)) = (object.as_object_mut(), details) {
            target.extend(extra);
        }
        object
    });
    json!({
        "verified": verification.is_some_and(|v| v.result.is_ok()),
        "header": decoded.header,
        "claims": decoded.claims,
        "signature_bytes": decoded.signature_len,
        "verification": verification_json,
    })
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `1700000000  2023-11-14T22:13:20Z  (in 5m 3s)`.
fn describe_time(seconds: f64, now: i64) -> String {
    // NumericDate may be fractional (RFC 7519 §2); whole seconds are enough here.
    if !seconds.is_finite() || seconds.abs() > 1e13 {
        return format!("{seconds} (out of range)");
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = seconds.trunc() as i64;
    let delta = whole.saturating_sub(now);
    let relative = if delta == 0 {
        "now".to_owned()
    } else if delta > 0 {
        format!("in {}", span(delta.unsigned_abs()))
    } else {
        format!("{} ago", span(delta.unsigned_abs()))
    };
    format!("{whole}  {}  ({relative})", rfc3339(whole))
}

/// `3d 4h`, `5m 3s`, `12s`.
fn span(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar).
fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Days to civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn relative_times() {
        assert_eq!(
            describe_time(1_000_303.0, 1_000_000),
            "1000303  1970-01-12T13:51:43Z  (in 5m 3s)"
        );
        assert!(describe_time(10.0, 100).ends_with("(1m 30s ago)"));
        assert!(describe_time(f64::NAN, 0).contains("out of range"));
        assert!(describe_time(1e300, 0).contains("out of range"));
    }
}
