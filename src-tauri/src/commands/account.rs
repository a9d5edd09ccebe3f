//! Sign-up and sign-in through the system browser: the two account operations that do more than
//! one call.

use theset_client::{Client, ClientError, SignedUp};
use theset_shared::ipc::req::{Provider, SignUp};
use theset_shared::validate;

/// Signs up and in; a taken address is said as `IpcCode::CheckMail` (its owner got a mail).
pub async fn sign_up(client: &Client, r: &SignUp) -> Result<(), ClientError> {
    let email = r.email.trim();
    if !validate::email(email) {
        return Err(ClientError::Invalid("That is not an email address.".into()));
    }
    match client.signup(email, &r.password, r.name.trim()).await? {
        SignedUp::SignedIn => Ok(()),
        SignedUp::CheckMail => Err(ClientError::CheckMail(email.to_owned())),
    }
}

/// Google or Spotify in the system browser; `THESET_BROWSER` names another program to open the
/// page with (kiosks, tests).
pub async fn sign_in_with(client: &Client, provider: Provider) -> Result<(), ClientError> {
    client.sign_in_with(provider.as_str(), open_browser).await
}

fn open_browser(url: &str) -> Result<(), ClientError> {
    let opened = match std::env::var_os("THESET_BROWSER") {
        Some(program) => std::process::Command::new(program)
            .arg(url)
            .spawn()
            .map(drop),
        None => open::that_detached(url),
    };
    opened.map_err(|e| ClientError::SignIn(format!("no browser to open: {e}")))
}
