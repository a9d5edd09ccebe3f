//! Outgoing mail over SMTP (lettre): verification, password reset and magic-link messages.
//! `THESET_SMTP_URL` (e.g. `smtp://127.0.0.1:2525` for the local sink the scripts start, or
//! `smtps://user:pass@host` in production) and `THESET_MAIL_FROM` configure it.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("no SMTP server configured (THESET_SMTP_URL)")]
    NotConfigured,
    #[error("invalid address: {0}")]
    Address(String),
    #[error("building the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// Where links in mails point: the web pages served under `/auth/…`.
    public_url: Url,
}

/// What a mail is for; each has its page and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
    MagicLink,
    /// A sign-up with an address that has an account: the owner is told, with a sign-in link
    /// (a magic-link token), and the sign-up's answer said nothing.
    AccountExists,
    /// A code proving the owner is at the device before deleting the account (an account
    /// without a password); no link, only the code.
    StepUp,
}

impl Purpose {
    /// The kind of token the mail carries (`email_tokens.purpose`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::MagicLink | Self::AccountExists => "magic_link",
            Self::StepUp => "step_up",
        }
    }

    /// How long the mailed token works.
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Self::VerifyEmail => 24 * 3600,
            Self::PasswordReset => 30 * 60,
            Self::MagicLink | Self::AccountExists => 15 * 60,
            Self::StepUp => 10 * 60,
        }
    }

    fn page(self) -> &'static str {
        match self {
            Self::VerifyEmail => "auth/verify-email",
            Self::PasswordReset => "auth/reset-password",
            Self::MagicLink | Self::AccountExists | Self::StepUp => "auth/magic-link",
        }
    }
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str, public_url: Url) -> Result<Self, MailError> {
        let transport = smtp_url
            .map(|u| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(u)
                    .map(|b| b.timeout(Some(Duration::from_secs(10))).build())
            })
            .transpose()?;
        Ok(Self {
            transport,
            from: from
                .parse()
                .map_err(|_| MailError::Address(from.to_owned()))?,
            public_url,
        })
    }

    pub fn disabled(public_url: Url) -> Self {
        Self {
            transport: None,
            from: Mailbox::new(
                None,
                lettre::Address::new("no-reply", "theset.localhost")
                    .unwrap_or_else(|_| unreachable!("a valid constant address")),
            ),
            public_url,
        }
    }

    pub fn link(&self, purpose: Purpose, token: &str) -> String {
        let mut url = self.public_url.clone();
        url.set_path(purpose.page());
        // In the fragment, the token never reaches server logs or Referer headers.
        url.set_fragment(Some(&format!("token={token}")));
        url.to_string()
    }

    /// Sends the mail for `purpose` with its single-use `token` to `to`.
    pub async fn send(&self, purpose: Purpose, to: &str, token: &str) -> Result<(), MailError> {
        let transport = self.transport.as_ref().ok_or(MailError::NotConfigured)?;
        // The address was validated before; lettre refuses CR/LF and friends again (header injection).
        let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let link = self.link(purpose, token);
        let (subject, body) = match purpose {
            Purpose::VerifyEmail => (
                "Confirm your email for TheSet",
                format!(
                    "Welcome to TheSet!\n\nTo confirm this address, paste this code into the \
                     TheSet app you signed up in:\n{token}\n\n\
                     Or open this link:\n{link}\n\
                     Confirming through the link makes the address yours alone: a password \
                     chosen at sign-up is removed and its devices signed out (sign in with a \
                     mailed link, then set a new password).\n\n\
                     The code works once, for 24 hours. If you did not sign up, ignore this mail.\n"
                ),
            ),
            Purpose::AccountExists => (
                "You already have a TheSet account",
                format!(
                    "Someone, perhaps you, tried to sign up to TheSet with this address. \
                     You already have an account.\n\n\
                     Sign in by opening:\n{link}\n\nIn the app, you can also paste this code:\n{token}\n\n\
                     It works once, for 15 minutes. Forgot your password? Ask for a reset on the \
                     sign-in screen. If it was not you, ignore this mail: nothing changed.\n"
                ),
            ),
            Purpose::PasswordReset => (
                "Reset your TheSet password",
                format!(
                    "Someone asked to reset the password of this account.\n\nChoose a new one here:\n{link}\n\n\
                     The link works once, for 30 minutes, and signs out every device. \
                     If it was not you, ignore this mail: nothing changes.\n"
                ),
            ),
            Purpose::StepUp => (
                "Your TheSet confirmation code",
                format!(
                    "Someone, perhaps you, asked to delete this TheSet account. To confirm it \
                     is you, enter this code in the app:\n{token}\n\n\
                     It works once, for 10 minutes. If it was not you, ignore this mail: nothing \
                     happened, but someone can use your account on a device; sign out everywhere \
                     else from the app.\n"
                ),
            ),
            Purpose::MagicLink => (
                "Your TheSet sign-in link",
                format!(
                    "Sign in to TheSet by opening:\n{link}\n\nIn the app, you can also paste this code:\n{token}\n\n\
                     It works once, for 15 minutes. If you did not ask for it, ignore this mail.\n"
                ),
            ),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        transport.send(message).await?;
        Ok(())
    }
}
