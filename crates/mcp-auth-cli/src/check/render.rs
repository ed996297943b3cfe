//! The human-readable report: discovery, one line per requirement, the verdict.

use std::fmt::Write as _;

use super::report::{Level, Outcome, Report};
use crate::style::Style;

/// Width of the requirement labels column.
const LABEL_WIDTH: usize = 20;

/// The report as text (ends with a newline).
pub(crate) fn text(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        style.bold("Checking"),
        style.bold(&report.issuer)
    );
    let order = match report.requested_type {
        Some(t) => format!("--type {t}"),
        None => "MCP order: RFC 8414, then OpenID Connect".to_owned(),
    };
    let _ = writeln!(
        out,
        "\n{} {}",
        style.bold("Discovery"),
        style.dim(&format!("({order})"))
    );
    for attempt in &report.attempts {
        let label = format!("{:<12}", attempt.outcome.label());
        let label = match attempt.outcome {
            Outcome::Found => style.green(&label),
            Outcome::NotFound => style.dim(&label),
            Outcome::IssuerMismatch | Outcome::Invalid | Outcome::Refused => style.red(&label),
            Outcome::Unavailable => style.yellow(&label),
        };
        if attempt.outcome == Outcome::Found {
            let _ = writeln!(out, "  {label} {}", attempt.url);
        } else {
            let _ = writeln!(out, "  {label} {}: {}", attempt.url, attempt.detail);
        }
    }

    let _ = writeln!(out, "\n{}", style.bold("Requirements"));
    for check in &report.checks {
        let level = match check.level {
            Level::Ok => style.green("ok  "),
            Level::Info => style.cyan("note"),
            Level::Warning => style.yellow_bold("warn"),
            Level::Error => style.red_bold("FAIL"),
        };
        let _ = writeln!(
            out,
            "  {level}  {:<width$} {}",
            check.label,
            check.message,
            width = LABEL_WIDTH
        );
    }

    let summary = &report.summary;
    let warnings = match summary.warnings {
        0 => String::new(),
        1 => " (1 warning)".to_owned(),
        n => format!(" ({n} warnings)"),
    };
    let verdict = match summary.result {
        "pass" => format!(
            "{}  {} can serve MCP clients{warnings}",
            style.green_bold("PASS"),
            report.issuer
        ),
        "fail" => format!(
            "{}  {} cannot serve MCP clients: {} error(s){warnings}",
            style.red_bold("FAIL"),
            report.issuer,
            summary.errors
        ),
        "refused" => format!(
            "{}  {} could not be checked: the outbound policy refused a URL",
            style.red_bold("REFUSED"),
            report.issuer
        ),
        _ => format!(
            "{}  {} could not be {}checked: a fetch failed (network or server error)",
            style.yellow_bold("UNAVAILABLE"),
            report.issuer,
            if report.metadata_url.is_some() {
                "fully "
            } else {
                ""
            }
        ),
    };
    let _ = writeln!(out, "\n{verdict}");
    out
}
