//! `POST /api/v1/sync/push`: a device's outbox, applied once each and in sequence order. Each
//! mutation commits on its own with its recorded answer and the device's new position (a crash
//! between two leaves a prefix applied, never a half), inside that transaction in a savepoint
//! through the same actions as the REST routes: a refused one is rolled back alone, answered
//! with the reason, and still spends its sequence number so the queue moves on. A retried push
//! (lost answer, crash) gets the stored results.

use axum::response::IntoResponse;
use serde_json::{Value, json};
use sqlx::{Acquire, PgConnection};
use theset_shared::sync::{
    Action, MAX_PUSH, Mutation, MutationResult, Outcome, PushRequest, PushResponse,
};
use theset_shared::{ErrorBody, ErrorCode};

use crate::actions::voting::VoteTarget;
use crate::actions::{bad_body, follows, setlists, voting};
use crate::db::sessions::Caller;
use crate::db::sync as db;
use crate::error::{AppError, AppResult};

/// Mutations per transaction (see `push`).
const CHUNK: usize = 100;

pub async fn push(
    pool: &sqlx::PgPool,
    caller: &Caller,
    req: PushRequest,
) -> AppResult<PushResponse> {
    validate(&req)?;
    if req.mutations.is_empty() {
        // Asking where the server stands claims no device.
        let last = db::last_seq(pool, req.device_id, caller.user_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        return Ok(PushResponse {
            last_seq: last,
            results: Vec::new(),
        });
    }
    // Where the device stands; the stored answers of what it sends again.
    let mut conn = pool.acquire().await?;
    let last = db::last_seq(&mut *conn, req.device_id, caller.user_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let first = req.mutations.first().map_or(last + 1, |m| m.seq);
    if first > last + 1 {
        // A gap: the device lost track (restored from a backup?). It must resend from here.
        return Err(AppError::Stale(json!({ "expected_seq": last + 1 })));
    }
    let mut results = Vec::with_capacity(req.mutations.len());
    for (seq, id, outcome) in db::results(&mut conn, req.device_id, first, last).await? {
        results.push(stored(seq, id, outcome)?);
    }
    drop(conn);
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    let mut applied_to = last;
    // Short transactions of a few mutations each: a vote's row locks (its line's totals) are
    // held for a moment, not for a whole outbox, so fans of the same show do not queue behind
    // each other; and a commit (an fsync) is shared by a chunk, not paid per mutation. The
    // device row is locked in each, so two pushes of one device apply in order.
    let fresh: Vec<&Mutation> = req.mutations.iter().filter(|m| m.seq > last).collect();
    for chunk in fresh.chunks(CHUNK) {
        let mut tx = pool.begin().await?;
        let mut now_last = db::lock_device(&mut tx, req.device_id, caller.user_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        let mut replayed = Vec::new();
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|m| m.id).collect();
        let seen: std::collections::HashSet<uuid::Uuid> =
            db::mutations_seen(&mut tx, req.device_id, &ids)
                .await?
                .into_iter()
                .collect();
        let mut records = Vec::with_capacity(chunk.len());
        for m in chunk {
            if m.seq <= now_last {
                // A concurrent push of the same device applied it meanwhile.
                replayed.push(m.seq);
                continue;
            }
            if m.seq != now_last + 1 {
                return Err(AppError::Stale(json!({ "expected_seq": now_last + 1 })));
            }
            let outcome = if seen.contains(&m.id) {
                refused(AppError::Conflict(format!(
                    "mutation {} was already pushed under another sequence number",
                    m.id
                )))
                .await?
            } else if matches!(m.action, Action::Vote(_)) {
                // A vote refuses before its one write (see `actions::voting::vote`), and a
                // failed write fails the whole push: no savepoint needed on the hottest path.
                match apply(&mut tx, caller, m, now_ms).await {
                    Ok(outcome) => outcome,
                    Err(e) => refused(e).await?,
                }
            } else {
                let mut sp = tx.begin().await?;
                match apply(&mut sp, caller, m, now_ms).await {
                    Ok(outcome) => {
                        sp.commit().await?;
                        outcome
                    }
                    Err(e) => {
                        sp.rollback().await?;
                        refused(e).await?
                    }
                }
            };
            let record =
                serde_json::to_value(&outcome).map_err(|e| AppError::Internal(e.into()))?;
            records.push((m.seq, m.id, record));
            now_last = m.seq;
            results.push(MutationResult {
                id: m.id,
                seq: m.seq,
                outcome,
            });
        }
        db::record_results(&mut tx, req.device_id, &records).await?;
        db::set_last_seq(&mut tx, req.device_id, now_last).await?;
        if let (Some(from), Some(to)) = (replayed.first(), replayed.last()) {
            for (seq, id, outcome) in db::results(&mut tx, req.device_id, *from, *to).await? {
                results.push(stored(seq, id, outcome)?);
            }
        }
        tx.commit().await?;
        applied_to = now_last;
    }
    results.sort_by_key(|r| r.seq);
    Ok(PushResponse {
        last_seq: applied_to,
        results,
    })
}

fn stored(seq: i64, id: uuid::Uuid, outcome: serde_json::Value) -> AppResult<MutationResult> {
    Ok(MutationResult {
        id,
        seq,
        outcome: serde_json::from_value(outcome)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored outcome {seq}: {e}")))?,
    })
}

fn validate(req: &PushRequest) -> AppResult<()> {
    if req.mutations.len() > MAX_PUSH {
        return Err(bad_body(format!("at most {MAX_PUSH} mutations per push")));
    }
    if req.mutations.first().is_some_and(|m| m.seq < 1) {
        return Err(bad_body("sequence numbers start at 1"));
    }
    if req.mutations.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
        return Err(bad_body("sequence numbers must be consecutive"));
    }
    Ok(())
}

async fn apply(
    tx: &mut PgConnection,
    caller: &Caller,
    m: &Mutation,
    now_ms: u64,
) -> AppResult<Outcome> {
    let user = caller.user_id;
    let done = match &m.action {
        Action::Vote(v) => {
            let target = match (v.setlist_song_id, v.show_id, v.song_id) {
                (Some(line), _, _) => VoteTarget::Line(line),
                (None, Some(show), Some(song)) => VoteTarget::Song { show, song },
                _ => return Err(bad_body("a vote names a line, or a show and a song")),
            };
            let voted = voting::vote(tx, user, target, v.value, m.hlc.clamped(now_ms)).await?;
            if voted.superseded {
                return Ok(Outcome::Superseded);
            }
            voted.done
        }
        Action::AddSong { show_id, song_id } => {
            voting::add_line(tx, user, *show_id, Some(*song_id), None).await?
        }
        Action::Predict { show_id, songs } => voting::predict(tx, user, *show_id, songs).await?,
        Action::EditSetlist {
            setlist_id,
            base_version,
            songs,
            note,
        } => {
            setlists::correct(tx, user, *setlist_id, *base_version, songs, note.as_deref()).await?
        }
        Action::Follow { artist_id, follow } => follows::set(tx, user, *artist_id, *follow).await?,
    };
    Ok(Outcome::Applied { body: done.1 })
}

/// A refusal the user caused, in the words the REST route would use; anything else (the
/// database, a bug) fails the whole push so the device retries it later.
async fn refused(e: AppError) -> AppResult<Outcome> {
    if matches!(
        e,
        AppError::Database(_)
            | AppError::Internal(_)
            | AppError::NotReady(_)
            | AppError::Upstream(_)
            | AppError::RateLimited(_)
    ) {
        return Err(e);
    }
    let res = e.into_response();
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading a refusal: {e}")))?;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let parsed: Option<ErrorBody> = serde_json::from_value(body.clone()).ok();
    let (code, message) = parsed.map_or((ErrorCode::Internal, String::new()), |b| {
        (b.error.code, b.error.message)
    });
    Ok(Outcome::Rejected {
        status,
        code,
        message,
        current: body.get("current").cloned(),
    })
}
