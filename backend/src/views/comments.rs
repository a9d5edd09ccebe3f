//! A show's thread as people read it: replies under their comment, hidden and deleted text
//! withheld (moderators see hidden text, marked), the order asked for.

use theset_shared::api::{Comment, CommentAuthor, CommentOrder, CommentThread};
use uuid::Uuid;

use crate::db::comments::{self as db, CommentRow};

/// Top-level comments a thread answers at most.
pub const THREAD_LIMIT: i64 = 500;

/// A comment as `viewer_moderates` may read it (without its replies).
pub fn comment(row: CommentRow, viewer_moderates: bool) -> Comment {
    let withheld = row.deleted || (row.hidden && !viewer_moderates);
    Comment {
        id: row.id,
        show_id: row.show_id,
        parent_id: row.parent_id,
        author: CommentAuthor {
            id: row.author_id,
            display_name: row.author_name,
            avatar_url: row
                .author_avatar
                .map(|v| super::avatar_url(row.author_id, v)),
        },
        body: if withheld { String::new() } else { row.body },
        created_at: row.created_at,
        edited_at: row.edited_at,
        deleted: row.deleted,
        hidden: row.hidden,
        replies: Vec::new(),
    }
}

pub async fn thread(
    db: &sqlx::PgPool,
    show: Uuid,
    order: CommentOrder,
    viewer_moderates: bool,
) -> sqlx::Result<CommentThread> {
    let (rows, total) = tokio::try_join!(db::of_show(db, show, THREAD_LIMIT), db::count(db, show))?;
    Ok(CommentThread {
        show_id: show,
        order,
        comments: assemble(rows, order, viewer_moderates),
        total,
    })
}

/// Puts replies (oldest first) under their comments and orders the top level.
fn assemble(rows: Vec<CommentRow>, order: CommentOrder, viewer_moderates: bool) -> Vec<Comment> {
    let (tops, replies): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.parent_id.is_none());
    let mut top: Vec<(i64, Comment)> = tops
        .into_iter()
        .map(|r| (r.replies, comment(r, viewer_moderates)))
        .collect();
    for r in replies {
        if let Some((_, parent)) = top.iter_mut().find(|(_, c)| Some(c.id) == r.parent_id) {
            parent.replies.push(comment(r, viewer_moderates));
        }
    }
    match order {
        CommentOrder::Newest => top.sort_by_key(|c| std::cmp::Reverse(c.1.created_at)),
        CommentOrder::Best => top.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| b.1.created_at.cmp(&a.1.created_at))
        }),
    }
    top.into_iter().map(|(_, c)| c).collect()
}
