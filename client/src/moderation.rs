//! Moderator and admin operations. They need the server's answer, so they are not queued:
//! offline they fail and say so.

use reqwest::Method;
use theset_shared::api::{
    AuditPage, Flag, FlagAction, JobEvent, JobName, JobRef, PublicProfile, ResolveFlag, Role,
    RoleUpdate, StartJob, VerifyRequest, VerifyResult,
};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

impl Client {
    /// The open flags, one row per flagged line or list.
    pub async fn flags(&self) -> Result<Vec<Flag>, ClientError> {
        self.authed(Method::GET, "/moderation/flags", &[], None)
            .await
    }

    pub async fn resolve_flag(&self, flag: Uuid, action: FlagAction) -> Result<(), ClientError> {
        let _: serde_json::Value = self
            .authed(
                Method::POST,
                &format!("/moderation/flags/{flag}/resolve"),
                &[],
                Some(&ResolveFlag { action }),
            )
            .await?;
        Ok(())
    }

    /// Verifies `version` of an actual set-list, which scores every prediction of its show.
    pub async fn verify_setlist(
        &self,
        setlist: Uuid,
        version: i32,
    ) -> Result<VerifyResult, ClientError> {
        self.authed(
            Method::POST,
            &format!("/setlists/{setlist}/verify"),
            &[],
            Some(&VerifyRequest { version }),
        )
        .await
    }

    /// Queues a job (admins).
    pub async fn start_job(
        &self,
        job: JobName,
        artist_id: Option<Uuid>,
    ) -> Result<JobRef, ClientError> {
        self.authed(
            Method::POST,
            "/admin/jobs",
            &[],
            Some(&StartJob { job, artist_id }),
        )
        .await
    }

    /// Calls `on_event` with every progress event of `job` until it ends.
    pub async fn follow_job(
        &self,
        job: Uuid,
        on_event: impl FnMut(JobEvent),
    ) -> Result<(), ClientError> {
        self.follow_progress(&format!("/jobs/{job}/events"), on_event)
            .await
    }

    pub async fn audit(&self) -> Result<AuditPage, ClientError> {
        self.authed(Method::GET, "/admin/audit", &[], None).await
    }

    pub async fn set_role(&self, user: Uuid, role: Role) -> Result<PublicProfile, ClientError> {
        self.authed(
            Method::PUT,
            &format!("/admin/users/{user}/role"),
            &[],
            Some(&RoleUpdate { role }),
        )
        .await
    }
}
