//! The fixture's tools (`tools-call-*`, `elicitation-*`, `json-schema-2020-12`,
//! `server-sse-polling`), plus `whoami`, which returns the caller's verified identity.

use std::time::Duration;

use mcp_auth_rmcp::MaybeAuth;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, ElicitRequestParams, JsonObject, ProgressNotificationParam,
    ResourceContents,
};
#[allow(deprecated)] // sampling is deprecated by SEP-2577 but part of the conformance fixture
use rmcp::model::{CreateMessageRequestParams, SamplingMessage};
#[allow(deprecated)] // logging/* is deprecated by SEP-2577 but part of the conformance fixture
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, Peer, RoleServer, tool, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Fixture;
use crate::content::{
    PNG_BASE64, WAV_BASE64, defaults_form_schema, enums_form_schema, json_schema_2020_12_input,
    user_form_schema,
};

/// The pause between the steps of the logging and progress tools.
const STEP: Duration = Duration::from_millis(50);

/// Arguments of `test_sampling`.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct SamplingArgs {
    /// The prompt to send to the client's model.
    pub(crate) prompt: String,
}

/// Arguments of `test_elicitation`.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct ElicitationArgs {
    /// The message to show the user.
    pub(crate) message: String,
}

#[tool_router(vis = "pub(crate)")]
impl Fixture {
    /// The caller's verified identity: subject, client and scopes (`{"error": "Not
    /// authenticated"}` when the server runs without authentication).
    #[tool(description = "Returns the verified identity of the caller (subject, client, scopes).")]
    fn whoami(&self, MaybeAuth(info): MaybeAuth) -> String {
        match info {
            Some(info) => json!({
                "subject": info.subject,
                "issuer": info.issuer,
                "clientId": info.client_id,
                "scopes": info.scopes,
            }),
            None => json!({"error": "Not authenticated"}),
        }
        .to_string()
    }

    #[tool(description = "Returns a simple text response.")]
    fn test_simple_text(&self) -> String {
        "This is a simple text response for testing.".to_owned()
    }

    #[tool(description = "Returns a 1x1 PNG image.")]
    fn test_image_content(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::image(PNG_BASE64, "image/png")])
    }

    #[tool(description = "Returns a short WAV audio clip.")]
    fn test_audio_content(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::audio(WAV_BASE64, "audio/wav")])
    }

    #[tool(description = "Returns an embedded text resource.")]
    fn test_embedded_resource(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::resource(ResourceContents::text(
            "This is an embedded resource content.",
            "test://embedded-resource",
        ))])
    }

    #[tool(description = "Returns text, an image and an embedded resource.")]
    fn test_multiple_content_types(&self) -> CallToolResult {
        CallToolResult::success(vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(PNG_BASE64, "image/png"),
            ContentBlock::resource(
                ResourceContents::text(
                    json!({"test": "data", "value": 123}).to_string(),
                    "test://mixed-content-resource",
                )
                .with_mime_type("application/json"),
            ),
        ])
    }

    #[tool(description = "Sends three info log messages while it runs.")]
    async fn test_tool_with_logging(&self, peer: Peer<RoleServer>) -> Result<String, ErrorData> {
        let steps = [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed",
        ];
        for (index, message) in steps.into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(STEP).await;
            }
            self.log_info(&peer, message).await?;
        }
        Ok("Tool with logging executed successfully".to_owned())
    }

    #[tool(description = "Always fails with a tool error (isError: true).")]
    fn test_error_handling(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(
            "This tool intentionally returns an error for testing",
        )])
    }

    #[tool(description = "Reports progress 0, 50 and 100 of 100 when given a progress token.")]
    async fn test_tool_with_progress(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let token = context.meta.get_progress_token();
        for (index, progress) in [0.0, 50.0, 100.0].into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(STEP).await;
            }
            if let Some(token) = &token {
                let notification =
                    ProgressNotificationParam::new(token.clone(), progress).with_total(100.0);
                context
                    .peer
                    .notify_progress(notification)
                    .await
                    .map_err(internal)?;
            }
        }
        Ok("Tool with progress executed successfully".to_owned())
    }

    #[tool(description = "Asks the client's model to answer a prompt (sampling/createMessage).")]
    async fn test_sampling(
        &self,
        peer: Peer<RoleServer>,
        Parameters(args): Parameters<SamplingArgs>,
    ) -> CallToolResult {
        let supported = peer
            .peer_info()
            .is_some_and(|info| info.capabilities.sampling.is_some());
        if !supported {
            return tool_error("The client does not support sampling");
        }
        sample(&peer, args.prompt).await
    }

    #[tool(description = "Asks the user for a username and an e-mail address (elicitation).")]
    async fn test_elicitation(
        &self,
        peer: Peer<RoleServer>,
        Parameters(args): Parameters<ElicitationArgs>,
    ) -> CallToolResult {
        elicit(&peer, &args.message, user_form_schema(), "User response").await
    }

    #[tool(
        description = "Elicitation whose form has a default for every primitive type (SEP-1034)."
    )]
    async fn test_elicitation_sep1034_defaults(&self, peer: Peer<RoleServer>) -> CallToolResult {
        let message = "Test client default value handling - please accept with defaults";
        elicit(
            &peer,
            message,
            defaults_form_schema(),
            "Elicitation completed",
        )
        .await
    }

    #[tool(description = "Elicitation whose form has the five enum shapes (SEP-1330).")]
    async fn test_elicitation_sep1330_enums(&self, peer: Peer<RoleServer>) -> CallToolResult {
        let message = "Test enum schema variants - please choose";
        elicit(&peer, message, enums_form_schema(), "Elicitation completed").await
    }

    #[tool(
        description = "Tool with JSON Schema 2020-12 features",
        input_schema = json_schema_2020_12_input()
    )]
    fn json_schema_2020_12_tool(&self, arguments: JsonObject) -> String {
        format!("Received: {}", Value::Object(arguments))
    }

    #[tool(description = "Answers on its request's event stream (SSE polling, SEP-1699).")]
    fn test_reconnection(&self) -> String {
        "Reconnection test completed successfully".to_owned()
    }
}

impl Fixture {
    /// Sends `message` as an `info` log notification unless the session's level is above it.
    #[allow(deprecated)] // logging/* is deprecated by SEP-2577 but part of the fixture
    async fn log_info(&self, peer: &Peer<RoleServer>, message: &str) -> Result<(), ErrorData> {
        if !self.session.logs(LoggingLevel::Info) {
            return Ok(());
        }
        let notification = LoggingMessageNotificationParam::new(LoggingLevel::Info, json!(message))
            .with_logger("conformance-server");
        peer.notify_logging_message(notification)
            .await
            .map_err(internal)
    }
}

/// Sends `sampling/createMessage` with `prompt` and reports the model's text answer.
#[allow(deprecated)] // sampling is deprecated by SEP-2577 but part of the conformance fixture
async fn sample(peer: &Peer<RoleServer>, prompt: String) -> CallToolResult {
    let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text(prompt)], 100);
    match peer.create_message(request).await {
        Ok(result) => {
            let text = result
                .message
                .content
                .first()
                .and_then(|block| block.as_text())
                .map(|text| text.text.clone())
                .unwrap_or_default();
            CallToolResult::success(vec![ContentBlock::text(format!("LLM response: {text}"))])
        }
        Err(error) => tool_error(&format!("Sampling failed: {error}")),
    }
}

/// Sends `elicitation/create` with a form of `schema` and reports the answer as
/// `<label>: action=<action>, content=<content>`.
async fn elicit(
    peer: &Peer<RoleServer>,
    message: &str,
    schema: Value,
    label: &str,
) -> CallToolResult {
    let supported = peer
        .peer_info()
        .is_some_and(|info| info.capabilities.elicitation.is_some());
    if !supported {
        return tool_error("The client does not support elicitation");
    }
    let params = json!({"mode": "form", "message": message, "requestedSchema": schema});
    let params: ElicitRequestParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(error) => return tool_error(&format!("The elicitation form is invalid: {error}")),
    };
    match peer.create_elicitation(params).await {
        Ok(result) => {
            let action = serde_json::to_value(result.action).unwrap_or(Value::Null);
            let action = action.as_str().unwrap_or("unknown");
            let content = result.content.unwrap_or_else(|| json!({}));
            CallToolResult::success(vec![ContentBlock::text(format!(
                "{label}: action={action}, content={content}"
            ))])
        }
        Err(error) => tool_error(&format!("Elicitation failed: {error}")),
    }
}

fn tool_error(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

fn internal(error: impl std::fmt::Display) -> ErrorData {
    ErrorData::internal_error(error.to_string(), None)
}
