//! # conformance-server — the MCP conformance suite's reference fixture, behind mcp-auth
//!
//! An rmcp MCP server with the tools, resources, prompts, completions and logging that the
//! server scenarios of the MCP conformance suite (`@modelcontextprotocol/conformance`) call:
//! tools `test_*` (text, image, audio, embedded resource, mixed content, logging, error,
//! progress, sampling, elicitation incl. SEP-1034 defaults and SEP-1330 enums),
//! `json_schema_2020_12_tool` and `test_reconnection`; resources `test://static-text`,
//! `test://static-binary`, `test://watched-resource` (subscribable) and the template
//! `test://template/{id}/data`; prompts `test_simple_prompt`, `test_prompt_with_arguments`,
//! `test_prompt_with_embedded_resource`, `test_prompt_with_image`; `completion/complete`;
//! `logging/setLevel`. One more tool, `whoami`, returns the caller's verified identity.
//!
//! It starts like the other examples (see [`mcp_auth_examples::config`]): protected by
//! mcp-auth with the embedded development authorization server by default, or with
//! `MCP_AUTH_INSECURE_NO_AUTH=1` without any authentication (loopback only), which is how the
//! suite, which cannot send a token, runs against it.
//!
//! ```sh
//! cargo run -p conformance-server
//! MCP_AUTH_INSECURE_NO_AUTH=1 cargo run -p conformance-server
//! ```

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use mcp_auth_examples::{Config, DemoToken, Example, RunningServer, StartError};
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, Reference, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
#[allow(deprecated)] // logging/* is deprecated by SEP-2577 but part of the conformance fixture
use rmcp::model::{LoggingLevel, SetLevelRequestParams};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler, tool_handler};

mod content;
mod prompts;
mod resources;
mod tools;

/// The scopes the server publishes: what an OpenID Connect provider needs to answer the
/// userinfo request (OpenID Connect Core §5.4).
pub const SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// The fixture server; one instance per MCP session.
#[derive(Debug, Clone)]
pub struct Fixture {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    session: Arc<Session>,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    /// A new server instance (one per MCP session).
    #[must_use]
    pub fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
            session: Arc::default(),
        }
    }
}

/// The state of one session: the log level the client set and its resource subscriptions.
#[derive(Debug, Default)]
#[allow(deprecated)]
struct Session {
    level: Mutex<Option<LoggingLevel>>,
    subscriptions: Mutex<BTreeSet<String>>,
}

#[allow(deprecated)]
impl Session {
    /// Whether a message at `level` passes the level the client set (everything before it
    /// sets one).
    fn logs(&self, level: LoggingLevel) -> bool {
        let threshold = *self.level.lock().unwrap_or_else(PoisonError::into_inner);
        threshold.is_none_or(|threshold| severity(level) >= severity(threshold))
    }
}

/// The syslog order of the MCP log levels (RFC 5424 §6.2.1), least severe first.
#[allow(deprecated)]
fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for Fixture {
    fn get_info(&self) -> ServerConfig {
        #[allow(deprecated)] // logging is deprecated by SEP-2577 but part of the fixture
        let capabilities = ServerCapabilities::builder()
            .enable_logging()
            .enable_completions()
            .enable_prompts()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_tools()
            .build();
        ServerConfig::new(capabilities).with_server_info(Implementation::new(
            "conformance-server",
            env!("CARGO_PKG_VERSION"),
        ))
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        *self
            .session
            .level
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(request.level);
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let candidates: &[&str] = match &request.r#ref {
            Reference::Prompt(prompt) if prompt.name == "test_prompt_with_arguments" => {
                &prompts::ARGUMENT_CANDIDATES
            }
            Reference::Resource(template) if template.uri == resources::TEMPLATE => {
                &["123", "456", "789"]
            }
            _ => &[],
        };
        let prefix = request.argument.value.as_str();
        let values = candidates
            .iter()
            .filter(|candidate| candidate.starts_with(prefix))
            .map(|candidate| (*candidate).to_owned())
            .collect();
        let completion = CompletionInfo::with_all_values(values)
            .map_err(|error| ErrorData::internal_error(error, None))?;
        Ok(CompleteResult::new(completion))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(&request.uri).map(Into::into)
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if !resources::exists(&request.uri) {
            return Err(resources::not_found(&request.uri));
        }
        self.session
            .subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(request.uri);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.session
            .subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&request.uri);
        Ok(())
    }
}

/// The conformance-server example: name, published scopes, and the demo token for `alice`.
pub fn example() -> Example {
    Example::new("ConformanceServer", "whoami")
        .with_scopes_supported(SCOPES)
        .with_demo_token(DemoToken::new("TOKEN", "alice", SCOPES))
}

/// Starts the server with `config` (see [`mcp_auth_examples::start`]).
///
/// # Errors
///
/// [`StartError`] when the settings cannot work or an address cannot be bound.
pub async fn start(config: &Config) -> Result<RunningServer, StartError> {
    mcp_auth_examples::start(config, &example(), Fixture::new).await
}
