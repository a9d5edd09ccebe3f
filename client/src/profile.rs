//! The account's own profile (name, picture, password, deletion) and other fans' public pages.

use reqwest::Method;
use theset_shared::api::{LeaderboardEntry, Me, PasswordChange, ProfileUpdate, UserPage};
use theset_shared::ipc::Fetched;
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

/// Image types the server takes for a picture (it re-encodes every one as a 256×256 PNG).
pub const AVATAR_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/gif"];

impl Client {
    pub async fn rename(&self, display_name: &str) -> Result<Me, ClientError> {
        let body = ProfileUpdate {
            display_name: Some(display_name.to_owned()),
        };
        self.authed(Method::PATCH, "/me", &[], Some(&body)).await
    }

    /// Uploads a picture (`content_type` one of [`AVATAR_TYPES`]).
    pub async fn upload_avatar(
        &self,
        content_type: &str,
        image: Vec<u8>,
    ) -> Result<Me, ClientError> {
        if !AVATAR_TYPES.contains(&content_type) {
            return Err(ClientError::Invalid(
                "Choose a PNG, JPEG, WebP or GIF picture.".into(),
            ));
        }
        let token = self.session.access_token().await?;
        let send = |token: String, image: Vec<u8>| async move {
            self.api
                .send::<Me>(
                    Method::PUT,
                    "/me/avatar",
                    &[],
                    Some(&token),
                    Some((content_type, image)),
                )
                .await
        };
        match send(token.clone(), image.clone()).await {
            Err(ClientError::Server { status: 401, .. }) => {
                let token = self.session.rejected(&token).await?;
                send(token, image).await
            }
            other => other,
        }
    }

    pub async fn remove_avatar(&self) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> =
            self.authed(Method::DELETE, "/me/avatar", &[], None).await?;
        Ok(())
    }

    /// Changes a password the user knows; the server signs every other device out.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ClientError> {
        let body = PasswordChange {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        };
        let _: Option<serde_json::Value> = self
            .authed(Method::PUT, "/me/password", &[], Some(&body))
            .await?;
        Ok(())
    }

    /// Deletes the account on the server, then forgets it here. Nothing unsent is pushed first:
    /// the user asked for their contributions to go.
    /// Deletes the account, with the proof the server asks for (the current password, or the
    /// code it mails to an account without one).
    pub async fn delete_account(
        &self,
        proof: &theset_shared::api::StepUpProof,
    ) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> =
            self.authed(Method::DELETE, "/me", &[], Some(proof)).await?;
        self.session.logout().await?;
        self.store.wipe_private()
    }

    /// A fan's public page (kept on the device for a visit with no signal).
    pub async fn user_page(&self, user: Uuid) -> Result<Fetched<UserPage>, ClientError> {
        let mut page: Fetched<UserPage> = self.page(&format!("/users/{user}"), &[]).await?;
        page.data.profile.avatar_url = page.data.profile.avatar_url.map(|u| self.absolute(&u));
        Ok(page)
    }

    /// The all-time leaderboard.
    pub async fn leaderboard(&self) -> Result<Fetched<Vec<LeaderboardEntry>>, ClientError> {
        let mut board: Fetched<Vec<LeaderboardEntry>> = self.page("/leaderboard", &[]).await?;
        self.absolute_avatars(&mut board.data);
        Ok(board)
    }

    /// Makes a board's pictures loadable by the window (see [`Client::absolute`]).
    pub fn absolute_avatars(&self, entries: &mut [LeaderboardEntry]) {
        for e in entries {
            e.avatar_url = e.avatar_url.take().map(|u| self.absolute(&u));
        }
    }
}
