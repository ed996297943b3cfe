//! A DNS resolver that only hands out addresses the [`OutboundPolicy`] permits, so the address
//! that is connected to is the address that was checked (no DNS-rebinding gap between a check
//! and the connection).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::OutboundPolicy;

/// Resolves with the system resolver (through tokio) and filters the answers by the policy.
#[derive(Debug)]
pub(super) struct PolicyResolver {
    pub(super) policy: Arc<OutboundPolicy>,
}

/// Every address a name resolved to was refused by the policy.
#[derive(Debug)]
pub(super) struct ResolutionRefused {
    pub(super) host: String,
    pub(super) reason: &'static str,
}

impl fmt::Display for ResolutionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` resolves only to refused addresses: {}",
            self.host, self.reason
        )
    }
}

impl std::error::Error for ResolutionRefused {}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed = filter(&policy, &host, found)?;
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Keeps the permitted addresses; fails when none is left.
pub(super) fn filter(
    policy: &OutboundPolicy,
    host: &str,
    found: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, ResolutionRefused> {
    let mut allowed = Vec::new();
    let mut reason = "the name has no addresses";
    for addr in found {
        match policy.check_address(host, addr.ip()) {
            Ok(()) => allowed.push(addr),
            Err(why) => reason = why,
        }
    }
    if allowed.is_empty() {
        Err(ResolutionRefused {
            host: host.to_owned(),
            reason,
        })
    } else {
        Ok(allowed)
    }
}
