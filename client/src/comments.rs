//! A show's discussion through the device: the server's thread is kept like every page (read
//! with no signal), and comments, edits and deletions made here go through the outbox like
//! votes, shown at once and marked until the server confirms them.

use theset_shared::api::{Comment, CommentAuthor, CommentOrder, CommentThread};
use theset_shared::comments as rules;
use theset_shared::ipc::{CommentItem, ThreadView};
use theset_shared::sync::{Action, Mutation};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

fn item(c: Comment, me: Option<Uuid>, client: &Client) -> CommentItem {
    CommentItem {
        id: c.id,
        parent_id: c.parent_id,
        mine: Some(c.author.id) == me,
        author: CommentAuthor {
            avatar_url: c.author.avatar_url.map(|u| client.absolute(&u)),
            ..c.author
        },
        body: c.body,
        created_at: c.created_at,
        edited_at: c.edited_at,
        deleted: c.deleted,
        hidden: c.hidden,
        pending: false,
        replies: c.replies.into_iter().map(|r| item(r, me, client)).collect(),
    }
}

/// When the user acted, from the mutation's stamp.
fn written_at(m: &Mutation) -> chrono::DateTime<chrono::Utc> {
    i64::try_from(m.hlc.millis())
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_else(chrono::Utc::now)
}

/// Puts this device's unsent changes of `show` over the thread.
fn overlay(
    comments: &mut Vec<CommentItem>,
    show: Uuid,
    pending: &[Mutation],
    me: &CommentAuthor,
    order: CommentOrder,
) {
    for m in pending {
        match &m.action {
            Action::Comment {
                comment_id,
                show_id,
                parent_id,
                body,
            } if *show_id == show => {
                let written = CommentItem {
                    id: *comment_id,
                    parent_id: *parent_id,
                    author: me.clone(),
                    body: body.clone(),
                    created_at: written_at(m),
                    edited_at: None,
                    deleted: false,
                    hidden: false,
                    pending: true,
                    mine: true,
                    replies: Vec::new(),
                };
                if find(comments, *comment_id).is_some() {
                    continue; // Sent and back from the server already.
                }
                match parent_id.and_then(|p| find(comments, p)) {
                    Some(parent) => parent.replies.push(written),
                    None if parent_id.is_none() => match order {
                        CommentOrder::Newest => comments.insert(0, written),
                        CommentOrder::Best => comments.push(written),
                    },
                    // A reply to a comment this device no longer sees: nowhere to show it.
                    None => {}
                }
            }
            Action::EditComment { comment_id, body } => {
                if let Some(c) = find(comments, *comment_id) {
                    c.body.clone_from(body);
                    c.edited_at = Some(written_at(m));
                    c.pending = true;
                }
            }
            Action::DeleteComment { comment_id } => {
                if let Some(c) = find(comments, *comment_id) {
                    c.body.clear();
                    c.deleted = true;
                    c.pending = true;
                }
            }
            Action::HideComment { comment_id, hidden } => {
                if let Some(c) = find(comments, *comment_id) {
                    c.hidden = *hidden;
                    c.pending = true;
                }
            }
            _ => {}
        }
    }
}

fn find(comments: &mut [CommentItem], id: Uuid) -> Option<&mut CommentItem> {
    for c in comments {
        if c.id == id {
            return Some(c);
        }
        if let Some(r) = c.replies.iter_mut().find(|r| r.id == id) {
            return Some(r);
        }
    }
    None
}

/// The kept copy's key: one copy per show (newest first), ordered on the device as asked.
pub(crate) fn thread_key(show: Uuid) -> String {
    format!("/shows/{show}/comments?order=newest")
}

impl Client {
    /// The server's thread of `show`, newest first (kept for a visit with no signal).
    pub(crate) async fn fetch_thread(
        &self,
        show: Uuid,
    ) -> Result<theset_shared::ipc::Fetched<CommentThread>, ClientError> {
        self.page::<CommentThread>(
            &format!("/shows/{show}/comments"),
            &[("order", CommentOrder::Newest.as_str().to_owned())],
        )
        .await
    }

    /// The thread of `show`: the server's, its kept copy with no signal, or (never fetched and
    /// no signal) only what was written here.
    pub async fn comments(
        &self,
        show: Uuid,
        order: CommentOrder,
    ) -> Result<ThreadView, ClientError> {
        let account = self.account().await;
        let me = account.as_ref().map(|a| a.id);
        let fetched = self.fetch_thread(show).await;
        let (mut comments, total, stale, fetched_at) = match fetched {
            Ok(t) => (
                t.data
                    .comments
                    .into_iter()
                    .map(|c| item(c, me, self))
                    .collect(),
                t.data.total,
                t.stale,
                Some(t.fetched_at),
            ),
            Err(e) if e.is_transient() => (Vec::new(), 0, true, None),
            Err(e) => return Err(e),
        };
        if order == CommentOrder::Best {
            // The same rule as the server's: the most replied-to first, then newest.
            comments.sort_by(|a: &CommentItem, b: &CommentItem| {
                b.replies
                    .len()
                    .cmp(&a.replies.len())
                    .then_with(|| b.created_at.cmp(&a.created_at))
            });
        }
        if let Some(a) = account {
            let author = CommentAuthor {
                id: a.id,
                display_name: a.display_name,
                avatar_url: a.avatar_url,
            };
            overlay(
                &mut comments,
                show,
                &self.store.pending(usize::MAX)?,
                &author,
                order,
            );
        }
        Ok(ThreadView {
            show_id: show,
            order,
            comments,
            total,
            stale,
            fetched_at,
        })
    }

    /// Writes a comment (or a reply), saved here and sent with the next sync.
    pub fn add_comment(
        &self,
        show: Uuid,
        parent: Option<Uuid>,
        body: &str,
    ) -> Result<Mutation, ClientError> {
        let body = rules::clean(body).map_err(|p| ClientError::Invalid(capitalised(&p)))?;
        self.store.enqueue(Action::Comment {
            comment_id: Uuid::now_v7(),
            show_id: show,
            parent_id: parent,
            body,
        })
    }

    pub fn edit_comment(&self, comment: Uuid, body: &str) -> Result<Mutation, ClientError> {
        let body = rules::clean(body).map_err(|p| ClientError::Invalid(capitalised(&p)))?;
        self.store.enqueue(Action::EditComment {
            comment_id: comment,
            body,
        })
    }

    pub fn delete_comment(&self, comment: Uuid) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::DeleteComment {
            comment_id: comment,
        })
    }

    /// Moderators: hides (or restores) a comment, saved here and sent with the next sync.
    pub fn hide_comment(&self, comment: Uuid, hidden: bool) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::HideComment {
            comment_id: comment,
            hidden,
        })
    }
}

fn capitalised(p: &rules::BodyProblem) -> String {
    let text = p.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => text,
    }
}
