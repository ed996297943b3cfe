//! The check report: what discovery tried, and one finding per requirement. Serialized as is
//! for `--json`.

use mcp_auth::AuthServerType;
use mcp_auth::metadata::ValidationReport;
use serde::Serialize;

use crate::exit::Exit;

/// The whole report.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// The issuer checked, as given.
    pub(crate) issuer: String,
    /// The discovery rule asked for with `--type` (`null`: the MCP order).
    pub(crate) requested_type: Option<AuthServerType>,
    /// Where the metadata document was found (also when it names another issuer).
    pub(crate) metadata_url: Option<String>,
    /// How that document is published (`oauth`: RFC 8414, `oidc`: OpenID Connect Discovery).
    pub(crate) metadata_type: Option<AuthServerType>,
    /// Every URL tried, in order.
    pub(crate) attempts: Vec<Attempt>,
    /// One finding per requirement.
    pub(crate) checks: Vec<Check>,
    /// `mcp_auth::metadata::validate_for_mcp` as is, with the reference SDKs' codes.
    pub(crate) validation: Option<Validation>,
    /// What the JWKS holds, when it was fetched.
    pub(crate) jwks: Option<JwksSummary>,
    /// The verdict.
    pub(crate) summary: Summary,
}

impl Report {
    /// A report with the discovery attempts and no findings yet.
    pub(crate) fn new(
        issuer: &str,
        requested_type: Option<AuthServerType>,
        attempts: Vec<Attempt>,
    ) -> Self {
        Self {
            issuer: issuer.to_owned(),
            requested_type,
            metadata_url: None,
            metadata_type: None,
            attempts,
            checks: Vec::new(),
            validation: None,
            jwks: None,
            summary: Summary::default(),
        }
    }

    /// Adds a finding and updates the verdict.
    pub(crate) fn push(&mut self, check: Check) {
        self.checks.push(check);
        self.summary = Summary::of(&self.checks);
    }

    /// The exit code the verdict calls for.
    pub(crate) fn exit(&self) -> Exit {
        self.summary.exit
    }
}

/// One metadata URL tried.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Attempt {
    pub(crate) url: String,
    pub(crate) outcome: Outcome,
    pub(crate) detail: String,
}

impl Attempt {
    pub(crate) fn new(url: &str, outcome: Outcome, detail: impl Into<String>) -> Self {
        Self {
            url: url.to_owned(),
            outcome,
            detail: detail.into(),
        }
    }
}

/// What a metadata URL gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// A valid document for the requested issuer.
    Found,
    /// A valid document for another issuer.
    IssuerMismatch,
    /// No document (`404` or another client-error status).
    NotFound,
    /// A document that is not valid metadata.
    Invalid,
    /// Connection failure, timeout, server error.
    Unavailable,
    /// Refused by the outbound policy.
    Refused,
}

impl Outcome {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::IssuerMismatch => "other issuer",
            Self::NotFound => "not found",
            Self::Invalid => "invalid",
            Self::Unavailable => "unavailable",
            Self::Refused => "refused",
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Level {
    /// Satisfied.
    Ok,
    /// Worth knowing; not a problem for MCP clients.
    Info,
    /// MCP clients can work, with limits.
    Warning,
    /// MCP clients cannot work with this provider.
    Error,
}

/// Why an error could not be judged on the provider's merits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Cause {
    /// The network or the service failed.
    Unavailable,
    /// The outbound policy refused a URL.
    Refused,
}

/// One requirement and what was found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Check {
    /// A stable identifier (`metadata`, `issuer`, `pkce`, ...).
    pub(crate) id: &'static str,
    /// The label printed in the report.
    pub(crate) label: &'static str,
    pub(crate) level: Level,
    pub(crate) message: String,
    /// The `validate_for_mcp` codes behind this finding, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) codes: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cause: Option<Cause>,
}

impl Check {
    pub(crate) fn new(
        id: &'static str,
        label: &'static str,
        level: Level,
        message: impl Into<String>,
    ) -> Self {
        Self {
            id,
            label,
            level,
            message: message.into(),
            codes: Vec::new(),
            cause: None,
        }
    }

    pub(crate) fn with_codes(mut self, codes: Vec<&'static str>) -> Self {
        self.codes = codes;
        self
    }

    pub(crate) fn with_cause(mut self, cause: Cause) -> Self {
        self.cause = Some(cause);
        self
    }
}

/// `validate_for_mcp` findings, by level.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Validation {
    pub(crate) valid: bool,
    pub(crate) errors: Vec<Finding>,
    pub(crate) warnings: Vec<Finding>,
    pub(crate) successes: Vec<Finding>,
}

impl From<&ValidationReport> for Validation {
    fn from(report: &ValidationReport) -> Self {
        let list = |findings: &[mcp_auth::metadata::ValidationFinding]| {
            findings
                .iter()
                .map(|f| Finding {
                    code: f.code().as_str(),
                    description: f.description().to_owned(),
                })
                .collect()
        };
        Self {
            valid: report.is_valid(),
            errors: list(report.errors()),
            warnings: list(report.warnings()),
            successes: list(report.successes()),
        }
    }
}

/// One `validate_for_mcp` finding.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Finding {
    pub(crate) code: &'static str,
    pub(crate) description: String,
}

/// The JWKS as fetched.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JwksSummary {
    pub(crate) uri: String,
    /// Entries in `keys`.
    pub(crate) published: usize,
    /// Keys `mcp_auth` can verify signatures with.
    pub(crate) usable: usize,
    /// The `kid`s of the usable keys.
    pub(crate) key_ids: Vec<String>,
}

/// The verdict.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// `pass`, `fail`, `unavailable` (nothing could be judged) or `refused`.
    pub(crate) result: &'static str,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    #[serde(serialize_with = "exit_code")]
    pub(crate) exit: Exit,
}

fn exit_code<S: serde::Serializer>(exit: &Exit, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u8(exit.code())
}

impl Default for Summary {
    fn default() -> Self {
        Self {
            result: "pass",
            errors: 0,
            warnings: 0,
            exit: Exit::Ok,
        }
    }
}

impl Summary {
    /// An error on the provider's merits fails the check; errors that are only unavailability
    /// (or refusals) say that instead.
    fn of(checks: &[Check]) -> Self {
        let errors: Vec<&Check> = checks.iter().filter(|c| c.level == Level::Error).collect();
        let warnings = checks.iter().filter(|c| c.level == Level::Warning).count();
        let (result, exit) = if errors.is_empty() {
            ("pass", Exit::Ok)
        } else if errors.iter().any(|c| c.cause.is_none()) {
            ("fail", Exit::Failed)
        } else if errors.iter().any(|c| c.cause == Some(Cause::Refused)) {
            ("refused", Exit::Usage)
        } else {
            ("unavailable", Exit::Unavailable)
        };
        Self {
            result,
            errors: errors.len(),
            warnings,
            exit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(checks: Vec<Check>) -> Report {
        let mut report = Report::new("https://as.example.com", None, Vec::new());
        for check in checks {
            report.push(check);
        }
        report
    }

    #[test]
    fn verdicts() {
        let ok = Check::new("a", "a", Level::Ok, "");
        let warn = Check::new("b", "b", Level::Warning, "");
        let err = Check::new("c", "c", Level::Error, "");
        let down = Check::new("d", "d", Level::Error, "").with_cause(Cause::Unavailable);
        assert_eq!(report(vec![ok.clone(), warn.clone()]).exit(), Exit::Ok);
        assert_eq!(report(vec![ok, down.clone()]).exit(), Exit::Unavailable);
        assert_eq!(report(vec![err, down, warn]).exit(), Exit::Failed);
    }
}
