//! Exit codes and the error every command returns.

use std::fmt;
use std::process::ExitCode;

use mcp_auth::discovery::DiscoveryErrorKind;
use mcp_auth::http_client::FetchError;

/// What the process exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// `0`: success.
    Ok,
    /// `1`: the check failed, or the token was refused.
    Failed,
    /// `2`: usage or configuration error (also clap's code for a bad command line).
    Usage,
    /// `3`: a network error, or the service is unavailable.
    Unavailable,
}

impl Exit {
    /// The numeric code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Failed => 1,
            Self::Usage => 2,
            Self::Unavailable => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// A command that could not do its work: the message for stderr and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exit: Exit,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl Failure {
    fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// Exit `1`.
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self::new(Exit::Failed, message)
    }

    /// Exit `2`.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Exit `3`.
    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Self::new(Exit::Unavailable, message)
    }

    /// Adds a line of advice.
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A failed outbound fetch: refused by the policy is a configuration problem, the rest is
    /// the network or the service.
    pub(crate) fn fetch(what: &str, error: &FetchError) -> Self {
        match error {
            FetchError::Refused { .. } => Self::usage(format!("{what}: {error}")),
            FetchError::TooLarge { .. } | FetchError::Redirect { .. } => {
                Self::failed(format!("{what}: {error}"))
            }
            _ => Self::unavailable(format!("{what}: {error}")),
        }
    }

    /// A failed discovery.
    pub(crate) fn discovery(error: &mcp_auth::DiscoveryError) -> Self {
        let exit = discovery_exit(error.kind());
        let failure = Self::new(exit, error.to_string());
        match exit {
            Exit::Failed => failure.with_hint(
                "`mcp-auth check <issuer>` shows which metadata URLs were tried and what they \
                 answered",
            ),
            _ => failure,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit code for a kind of discovery failure.
pub(crate) fn discovery_exit(kind: DiscoveryErrorKind) -> Exit {
    match kind {
        DiscoveryErrorKind::InvalidIssuer | DiscoveryErrorKind::Refused => Exit::Usage,
        DiscoveryErrorKind::Unavailable => Exit::Unavailable,
        _ => Exit::Failed,
    }
}
