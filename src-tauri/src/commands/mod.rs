//! Tauri commands: the IPC surface of the shell. Each is thin — deserialise, call
//! `theset-client`, map the error. Names come from `theset_shared::ipc::commands`; arguments
//! are snake_case as the UI's facade sends them.

pub mod account;
pub mod browse;
pub mod changes;
pub mod moderation;

use std::sync::Arc;

use theset_client::ClientError;
use theset_shared::ipc::IpcError;

use crate::shell::Shell;

pub type ShellState<'a> = tauri::State<'a, Arc<Shell>>;
pub type IpcResult<T> = Result<T, IpcError>;

pub fn ipc_error(e: ClientError) -> IpcError {
    let code = match &e {
        ClientError::Store(_) | ClientError::StoreTooNew { .. } => "store".to_owned(),
        ClientError::Network(_) | ClientError::Timeout => "offline".to_owned(),
        ClientError::RateLimited { .. } => "rate_limited".to_owned(),
        ClientError::Server { code, status, .. } => {
            code.clone().unwrap_or_else(|| format!("http_{status}"))
        }
        ClientError::SignIn(_) => "sign_in".to_owned(),
        ClientError::SignedOut | ClientError::Vault(_) => "signed_out".to_owned(),
        ClientError::UpgradeRequired { .. } => "upgrade_required".to_owned(),
        ClientError::BadUrl(_) | ClientError::Decode(_) => "client".to_owned(),
    };
    let message = match &e {
        // The server's own words are for people already.
        ClientError::Server { message, .. } => message.clone(),
        ClientError::SignIn(why) => format!("Signing in did not complete: {why}"),
        other => other.user_message().to_owned(),
    };
    tracing::debug!(error = %e, %code, "command failed");
    IpcError { code, message }
}

fn invalid(message: impl Into<String>) -> IpcError {
    IpcError {
        code: "validation_failed".into(),
        message: message.into(),
    }
}
