//! The app's own update, as the host reports it, with what only the core knows: how many
//! changes still wait to be sent. An update never restarts the app over unsent changes.

use theset_shared::ipc::{IpcCode, IpcError, UpdateState};

use super::core::ipc_error;
use super::{App, Host};

impl<H: Host> App<H> {
    fn unsent(&self) -> u64 {
        self.client
            .store()
            .outbox_counts()
            .map(|(pending, _, _)| pending as u64)
            .unwrap_or(0)
    }

    pub(super) fn update_state(&self) -> UpdateState {
        match self.host.update_state() {
            UpdateState::Ready { version, notes, .. } => UpdateState::Ready {
                version,
                notes,
                unsent: self.unsent(),
            },
            other => other,
        }
    }

    pub(super) fn install_update(&self) -> Result<UpdateState, IpcError> {
        if !matches!(self.host.update_state(), UpdateState::Ready { .. }) {
            return Err(IpcError::new(
                IpcCode::Invalid,
                "No update is ready to install.",
            ));
        }
        let unsent = self.unsent();
        if unsent > 0 {
            return Err(IpcError::new(
                IpcCode::Invalid,
                format!(
                    "{unsent} change{} on this device {} not sent yet: sync first, then install.",
                    if unsent == 1 { "" } else { "s" },
                    if unsent == 1 { "is" } else { "are" }
                ),
            ));
        }
        self.host.install_update().map_err(ipc_error)?;
        Ok(self.update_state())
    }
}
