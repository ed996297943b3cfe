//! The freshness lifetime a JWKS response asks for (RFC 9111 §5.2.2; RFC 9728 §7.10).

use http::HeaderMap;
use http::header::CACHE_CONTROL;

/// The response's `max-age` in seconds: `no-store`, `no-cache` and `max-age=0` give `0`;
/// `None` when no `Cache-Control` directive applies. The caller clamps the result.
pub(super) fn max_age(headers: &HeaderMap) -> Option<u64> {
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, arg) = match directive.split_once('=') {
                Some((name, arg)) => (name.trim(), Some(arg.trim().trim_matches('"'))),
                None => (directive, None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                return Some(0);
            }
            if name.eq_ignore_ascii_case("max-age") {
                let Some(arg) =
                    arg.filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
                else {
                    // An invalid max-age is treated as stale (RFC 9111 §4.2.1).
                    return Some(0);
                };
                // Digits only: parse fails only on overflow, which means "very long".
                let secs = arg.parse::<u64>().unwrap_or(u64::MAX);
                max_age = Some(max_age.map_or(secs, |m: u64| m.min(secs)));
            }
        }
    }
    max_age
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn parse(values: &[&str]) -> Option<u64> {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(CACHE_CONTROL, HeaderValue::from_str(v).unwrap());
        }
        max_age(&headers)
    }

    #[test]
    fn directives() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&["public"]), None);
        assert_eq!(parse(&["public, max-age=300"]), Some(300));
        assert_eq!(parse(&["MAX-AGE=\"60\""]), Some(60));
        assert_eq!(parse(&["max-age=0, no-store"]), Some(0));
        assert_eq!(parse(&["no-cache"]), Some(0));
        assert_eq!(parse(&["max-age=31536000"]), Some(31_536_000));
        assert_eq!(parse(&["max-age=99999999999999999999999"]), Some(u64::MAX));
        assert_eq!(parse(&["max-age=-1"]), Some(0));
        assert_eq!(parse(&["max-age=600", "max-age=120"]), Some(120));
    }
}
