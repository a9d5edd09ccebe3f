//! Status, sign-in and sign-out, sessions.

use reqwest::Method;
use tauri::AppHandle;
use theset_client::SignedUp;
use theset_shared::api::SessionInfo;
use theset_shared::ipc::{AppStatus, IpcError};
use theset_shared::validate;
use uuid::Uuid;

use super::{IpcResult, ShellState, invalid, ipc_error};

#[tauri::command(rename_all = "snake_case")]
pub async fn status(shell: ShellState<'_>) -> IpcResult<AppStatus> {
    Ok(shell.app_status().await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(shell: ShellState<'_>) -> IpcResult<AppStatus> {
    shell.poke();
    Ok(shell.app_status().await)
}

/// After a sign-in: sync at once and tell the webview.
async fn signed_in(app: &AppHandle, shell: &ShellState<'_>) -> IpcResult<AppStatus> {
    shell.refresh_account().await;
    shell.poke();
    Ok(shell.changed(app).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    app: AppHandle,
    shell: ShellState<'_>,
    email: String,
    password: String,
) -> IpcResult<AppStatus> {
    shell
        .client
        .login(email.trim(), &password)
        .await
        .map_err(ipc_error)?;
    signed_in(&app, &shell).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_up(
    app: AppHandle,
    shell: ShellState<'_>,
    email: String,
    password: String,
    name: String,
) -> IpcResult<AppStatus> {
    if !validate::email(email.trim()) {
        return Err(invalid("That is not an email address."));
    }
    match shell
        .client
        .signup(email.trim(), &password, name.trim())
        .await
        .map_err(ipc_error)?
    {
        SignedUp::SignedIn => signed_in(&app, &shell).await,
        // The answer is the same for a taken address; the mail tells its owner.
        SignedUp::CheckMail => Err(IpcError {
            code: "check_mail".into(),
            message: format!(
                "We sent a mail to {}. If that address already has an account, the mail has a \
                 link to sign in to it.",
                email.trim()
            ),
        }),
    }
}

/// Confirms the address with the code (or link) from the mail.
#[tauri::command(rename_all = "snake_case")]
pub async fn confirm_email(
    app: AppHandle,
    shell: ShellState<'_>,
    code: String,
) -> IpcResult<AppStatus> {
    shell.client.confirm_email(&code).await.map_err(ipc_error)?;
    signed_in(&app, &shell).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn resend_confirmation(shell: ShellState<'_>) -> IpcResult<()> {
    shell.client.resend_confirmation().await.map_err(ipc_error)
}

/// An account made through Spotify adds its address (a code goes to it).
#[tauri::command(rename_all = "snake_case")]
pub async fn add_email(shell: ShellState<'_>, email: String) -> IpcResult<()> {
    if !validate::email(email.trim()) {
        return Err(invalid("That is not an email address."));
    }
    shell
        .client
        .add_email(email.trim())
        .await
        .map_err(ipc_error)
}

/// Google or Spotify in the system browser; `THESET_BROWSER` names another program to open the
/// page with (kiosks, tests).
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in_with(
    app: AppHandle,
    shell: ShellState<'_>,
    provider: String,
) -> IpcResult<AppStatus> {
    if !matches!(provider.as_str(), "google" | "spotify") {
        return Err(invalid("unknown sign-in provider"));
    }
    shell
        .client
        .sign_in_with(&provider, open_browser)
        .await
        .map_err(ipc_error)?;
    signed_in(&app, &shell).await
}

fn open_browser(url: &str) -> Result<(), theset_client::ClientError> {
    let opened = match std::env::var_os("THESET_BROWSER") {
        Some(program) => std::process::Command::new(program)
            .arg(url)
            .spawn()
            .map(drop),
        None => open::that_detached(url),
    };
    opened.map_err(|e| theset_client::ClientError::SignIn(format!("no browser to open: {e}")))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn magic_link(shell: ShellState<'_>, email: String) -> IpcResult<()> {
    if !validate::email(email.trim()) {
        return Err(invalid("That is not an email address."));
    }
    shell
        .client
        .request_magic_link(email.trim())
        .await
        .map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn magic_link_consume(
    app: AppHandle,
    shell: ShellState<'_>,
    link: String,
) -> IpcResult<AppStatus> {
    shell
        .client
        .consume_magic_link(&link)
        .await
        .map_err(ipc_error)?;
    signed_in(&app, &shell).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(app: AppHandle, shell: ShellState<'_>) -> IpcResult<AppStatus> {
    shell.client.logout().await.map_err(ipc_error)?;
    shell.refresh_account().await;
    Ok(shell.changed(&app).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sessions(shell: ShellState<'_>) -> IpcResult<Vec<SessionInfo>> {
    shell
        .client
        .send(Method::GET, "/me/sessions", None)
        .await
        .map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_session(shell: ShellState<'_>, id: Uuid) -> IpcResult<()> {
    shell
        .client
        .send::<Option<serde_json::Value>>(Method::DELETE, &format!("/me/sessions/{id}"), None)
        .await
        .map(drop)
        .map_err(ipc_error)
}
