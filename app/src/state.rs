//! What every page shares: the shell's status (connection, account, outbox), a revision that
//! moves whenever the local store changes (pages re-read then), progress of imports and jobs,
//! and the theme.

use dioxus::prelude::*;
use theset_shared::api::{JobEvent, Role};
use theset_shared::ipc::{AppStatus, GeoPoint, events};

use crate::ipc;
use theset_shared::ipc::req;

#[derive(Clone, Copy, PartialEq)]
pub struct Shared {
    pub status: Signal<Option<AppStatus>>,
    pub revision: Signal<u64>,
    pub progress: Signal<Vec<JobEvent>>,
    /// A message for the whole app (a sign-in link that did not work), until dismissed.
    pub notice: Signal<Option<String>>,
    /// Where the fan was last found ("near me"), for distances on maps; never asked for by
    /// itself.
    pub position: Signal<Option<GeoPoint>>,
}

impl Shared {
    /// Provides the context and subscribes to the shell's events, once, at the root.
    pub fn provide() -> Self {
        let shared = use_context_provider(|| Self {
            status: Signal::new(None),
            revision: Signal::new(0),
            progress: Signal::new(Vec::new()),
            notice: Signal::new(None),
            position: Signal::new(None),
        });
        use_hook(move || {
            let (mut status, mut revision, mut progress) =
                (shared.status, shared.revision, shared.progress);
            ipc::listen(events::STATUS, move |s: AppStatus| status.set(Some(s)));
            ipc::listen(events::STORE_CHANGED, move |_: serde_json::Value| {
                *revision.write() += 1;
            });
            ipc::listen(events::PROGRESS, move |e: JobEvent| {
                let mut all = progress.write();
                // One row per (job, phase): the latest event wins.
                all.retain(|p| !(p.job_id == e.job_id && p.phase == e.phase));
                all.push(e);
            });
            spawn(async move {
                if let Ok(s) = ipc::call(req::Status {}).await {
                    status.set(Some(s));
                }
            });
        });
        shared
    }

    pub fn set_status(&self, s: AppStatus) {
        let mut status = self.status;
        status.set(Some(s));
    }

    pub fn set_notice(&self, text: Option<String>) {
        let mut notice = self.notice;
        notice.set(text);
    }

    pub fn set_position(&self, at: GeoPoint) {
        let mut position = self.position;
        position.set(Some(at));
    }

    pub fn role(&self) -> Option<Role> {
        self.status
            .read()
            .as_ref()
            .and_then(|s| s.account.as_ref().map(|a| a.role))
    }

    /// Marks the store as changed (after a change made from this window).
    pub fn bump(&self) {
        let mut revision = self.revision;
        *revision.write() += 1;
    }
}

pub fn use_shared() -> Shared {
    use_context::<Shared>()
}
