//! `okta-connector mcp`: every action of the component as a Model Context Protocol tool, served
//! over standard input and output with the official Rust SDK (`rmcp`).
//!
//! * [`tools`]: the tools, generated from the catalog at run time (names, schemas, annotations);
//! * [`confirm`]: destructive tools confirmed by the user through MCP elicitation;
//! * [`session`]: the component instance, progress, cancellation, rotated tokens;
//! * [`results`]: results and typed errors as tool results; the Fetch All cap.
//!
//! The connection is the command line's, as for `run` (never a tool's argument): the
//! embedded fake org without one. With an OAuth connection only the tools whose scopes were
//! granted are listed. Standard output carries the protocol only; messages go to stderr.

mod confirm;
mod results;
mod session;
mod tools;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt as _};
use serde_json::Value;
use tokio::sync::{Mutex, OnceCell};

use okta_harness::Connection;

use super::args::McpArgs;
use super::{choose_connection, load_connector, read_arg, Failure, FAKE_ORG_DOMAIN};
use confirm::{Decision, Pending};
use session::{Outcome, Session};
use tools::Catalog;

/// The server: the catalog's tools over one session with the org.
struct OktaServer {
    catalog: Catalog,
    session: Mutex<Session>,
    /// The OAuth scopes granted (`None` inside: not an OAuth connection), asked once.
    granted: OnceCell<Option<Vec<String>>>,
    pending: Pending,
    /// Where calls go, for the user's confirmations: the org's URL.
    org: String,
    /// The embedded fake org answers (nothing leaves this machine).
    embedded: bool,
    read_only: bool,
    allow_destructive: bool,
    max_result_bytes: usize,
    instructions: String,
}

/// Serves until the client closes standard input.
pub async fn serve(args: McpArgs) -> Result<(), Failure> {
    let given = args.target.connection.as_deref().map(|c| read_arg("--connection", c)).transpose()?;
    let embedded = args.target.fake_org || (given.is_none() && !env_org_set());
    let (connection, backend) = choose_connection(given.as_deref(), args.target.fake_org)?;
    // Rotated tokens go back to the connection's file when it came from one.
    let source = given.as_ref().and(args.target.connection.clone());
    let connector = load_connector()?;
    let mut session = Session::new(connector, backend, connection.clone(), source, args.target.trace);
    let catalog = Catalog::from_json(&session.catalog().await?)?;
    let org = org_of(&connection);
    let instructions = instructions(&org, &connection, embedded, &args);
    let server = OktaServer {
        catalog,
        session: Mutex::new(session),
        granted: OnceCell::new(),
        pending: Pending::default(),
        org,
        embedded,
        read_only: args.read_only,
        allow_destructive: args.allow_destructive,
        max_result_bytes: args.max_result_bytes.max(1024),
        instructions,
    };
    let running = server
        .serve(rmcp::transport::stdio_pipes())
        .await
        .map_err(|e| Failure::Host(anyhow::anyhow!("the MCP client did not start a session: {e}")))?;
    running.waiting().await.map_err(|e| Failure::Host(e.into()))?;
    Ok(())
}

fn env_org_set() -> bool {
    let set = |k: &str| std::env::var(k).is_ok_and(|v| !v.trim().is_empty());
    set("OKTA_CLIENT_ORGURL") && set("OKTA_CLIENT_TOKEN")
}

/// The org's URL as the connection names it.
fn org_of(connection: &Connection) -> String {
    let domain = match connection {
        Connection::ApiToken(c) => &c.domain,
        Connection::OauthCode(c) => &c.domain,
        Connection::ClientCredentials(c) => &c.domain,
        Connection::OauthDevice(c) => &c.domain,
    };
    let domain = domain.trim().trim_end_matches('/');
    if domain.contains("://") {
        domain.to_string()
    } else {
        format!("https://{domain}")
    }
}

fn kind_of(connection: &Connection) -> &'static str {
    match connection {
        Connection::ApiToken(_) => "an API token",
        Connection::OauthCode(_) => "OAuth 2.0 (authorization code)",
        Connection::ClientCredentials(_) => "OAuth 2.0 (client credentials, a service app)",
        Connection::OauthDevice(_) => "OAuth 2.0 (device authorization, a native app)",
    }
}

/// What the client (and the model) reads first about this server.
fn instructions(org: &str, connection: &Connection, embedded: bool, args: &McpArgs) -> String {
    let mut text = if embedded {
        format!(
            "These tools act on the EMBEDDED FAKE OKTA ORG ({FAKE_ORG_DOMAIN}), not a real org: it runs inside this \
             server, is seeded with sample users, groups and apps, and forgets every change when the server stops. \
             To manage a real org, start the server with --connection (or OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN)."
        )
    } else {
        format!("These tools act on the Okta org {org}, connected with {}.", kind_of(connection))
    };
    text.push_str(
        " Each tool is one action of the Okta connector; the connection is the server's, never a tool argument. \
         Lists return one page with next_cursor: pass it as `after` for the next page. With fetch_all, a list \
         stops at the server's size cap with next_cursor and a note saying how to continue. A failed action \
         returns an error result with its kind, Okta's errorCode and summary, and what to do.",
    );
    if args.read_only {
        text.push_str(" This server was started read-only: only tools that change nothing are listed.");
    } else {
        text.push_str(
            " Destructive tools ask the user to confirm (what will happen, to which object) before they run; \
             a declined confirmation does nothing.",
        );
        if args.allow_destructive {
            text.push_str(" A client that cannot ask runs them without asking (--allow-destructive).");
        } else {
            text.push_str(" A client that cannot ask gets them refused.");
        }
    }
    if matches!(connection, Connection::OauthCode(_) | Connection::ClientCredentials(_) | Connection::OauthDevice(_)) {
        text.push_str(" Only the tools whose OAuth scopes were granted to the connection are listed.");
    }
    text
}

impl OktaServer {
    /// The tools this session lists. The scopes are asked for once; after that, listing never
    /// waits for a call in progress.
    async fn visible_tools(&self) -> Vec<&tools::ActionTool> {
        let granted = self.granted.get_or_init(|| async { self.session.lock().await.granted_scopes().await }).await;
        self.catalog.visible(self.read_only, granted.as_deref())
    }
}

impl ServerHandler for OktaServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info = Implementation::new("okta-connector", env!("CARGO_PKG_VERSION"))
            .with_title("Okta connector")
            .with_description("Every action of the Okta connector component, run sandboxed in wasmtime");
        info.instructions = Some(self.instructions.clone());
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let tools = self.visible_tools().await.into_iter().map(|t| t.tool(!self.embedded)).collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let visible = self.visible_tools().await;
        let Some(tool) = visible.into_iter().find(|t| t.name == request.name) else {
            return Err(McpError::invalid_params(format!("no tool named `{}` is listed", request.name), None));
        };
        if tool.needs_confirmation() {
            let decision =
                confirm::decide(&self.pending, tool, &request, &context, &self.org, self.allow_destructive).await;
            match decision {
                Decision::Go => {}
                Decision::Ask(question) => return Ok(question.into()),
                Decision::Declined => {
                    return Ok(results::refused(
                        "declined",
                        &format!("the user did not confirm: {} was not run, nothing changed", tool.action),
                    )
                    .into())
                }
                Decision::CannotAsk => {
                    return Ok(results::refused(
                        "confirmation-required",
                        &format!(
                            "{} may destroy data, and this client cannot ask the user to confirm (no MCP elicitation): \
                             it was not run. Use a client that supports elicitation, or start the server with \
                             --allow-destructive",
                            tool.action
                        ),
                    )
                    .into())
                }
                Decision::Mismatch => return Err(McpError::invalid_params(
                    "requestState does not match a confirmation of this call (expired, used, or for other arguments)",
                    None,
                )),
            }
        }
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        let progress = context.meta.get_progress_token().map(|token| (context.peer.clone(), token));
        let outcome = self.session.lock().await.run(tool, args, progress, &context.ct, self.max_result_bytes).await;
        Ok(match outcome {
            Outcome::Done(value, note) => results::success(tool, value, note),
            Outcome::Failed(error) => results::failure(error, &self.catalog.errors),
            Outcome::Cancelled => results::refused("cancelled", "the client cancelled the call"),
        }
        .into())
    }
}
