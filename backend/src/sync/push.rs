//! `POST /api/v1/sync/push`: a device's outbox, applied once each and in sequence order. Each
//! mutation commits on its own with its recorded answer and the device's new position (a crash
//! between two leaves a prefix applied, never a half), inside that transaction in a savepoint
//! through the same actions as the REST routes: a refused one is rolled back alone, answered
//! with the reason, and still spends its sequence number so the queue moves on. A retried push
//! (lost answer, crash) gets the stored results.

use serde_json::json;
use sqlx::{Acquire, PgConnection};
use theset_shared::sync::{
    Action, MAX_PUSH, Mutation, MutationResult, Outcome, PushRequest, PushResponse,
};

use crate::actions::voting::VoteTarget;
use crate::actions::{attendance, bad_body, comments, follows, live, moderation, setlists, voting};
use crate::auth::limits::{Bucket, Limits};
use crate::db::sessions::Caller;
use crate::db::sync as db;
use crate::error::{AppError, AppResult};

/// At most this many mutations per transaction, and no more than `CHUNK_TIME` of work: a commit
/// (an fsync) is shared by a chunk, while the row locks a chunk takes (a vote locks its line's
/// totals) are held for milliseconds, so fans of the same show do not queue behind each other's
/// outboxes. Measured: one mutation per transaction pushes 10,000 in 18 s; 100 per transaction
/// in 4 s but a crowd of 200 then waits seconds on hot lines and deadlocks.
const CHUNK: usize = 100;
const CHUNK_TIME: std::time::Duration = std::time::Duration::from_millis(20);

/// Whether a mutation is of a kind that spends a budget.
type Spends = fn(&Action) -> bool;

/// Budgets that some kinds of mutation spend beside the vote budget.
const SECONDARY_BUDGETS: &[(Bucket, Spends)] = &[
    (Bucket::Comment, |a| matches!(a, Action::Comment { .. })),
    (Bucket::Correction, |a| {
        matches!(a, Action::EditSetlist { .. })
    }),
];

/// Pushes `req` for `caller`. Before anything is applied, two gates may shorten the batch to a
/// prefix (the rest stays on the device and comes again): an account whose address is not
/// confirmed applies only what needs no confirmation (follows) up to its first contribution,
/// and every mutation spends one request of the caller's vote budget. When not even the first
/// fresh mutation may go, the push answers 403 `email_unverified` or 429 with `Retry-After`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %caller.user_id, device = %req.device_id, mutations = req.mutations.len()))]
pub async fn push(
    pool: &sqlx::PgPool,
    caller: &Caller,
    limits: &Limits,
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
    // Replayed answers cover this batch only: an old `seq` must not make the server load every
    // result it kept since then.
    let batch_last = req.mutations.last().map_or(first, |m| m.seq);
    let mut results = Vec::with_capacity(req.mutations.len());
    for (seq, id, outcome) in
        db::results(&mut conn, req.device_id, first, last.min(batch_last)).await?
    {
        results.push(stored(seq, id, outcome)?);
    }
    drop(conn);
    let mut fresh: Vec<&Mutation> = req.mutations.iter().filter(|m| m.seq > last).collect();
    if !caller.email_verified
        && let Some(gated) = fresh
            .iter()
            .position(|m| needs_confirmed_address(&m.action))
    {
        if gated == 0 {
            return Err(AppError::EmailUnverified);
        }
        fresh.truncate(gated);
    }
    if !fresh.is_empty() {
        let wanted = u32::try_from(fresh.len()).unwrap_or(u32::MAX);
        let granted = limits
            .take_up_to(Bucket::Vote, &caller.user_id.to_string(), wanted)
            .await
            .map_err(|r| AppError::RateLimited(r.0))?;
        fresh.truncate(usize::try_from(granted).unwrap_or(usize::MAX));
    }
    // Comments and corrections also spend their own, smaller budgets: the ones past a budget
    // wait, with everything after them, for the next push.
    for (bucket, spends) in SECONDARY_BUDGETS {
        let writes = fresh.iter().filter(|m| spends(&m.action)).count();
        if writes == 0 {
            continue;
        }
        let granted = limits
            .take_up_to(
                *bucket,
                &caller.user_id.to_string(),
                u32::try_from(writes).unwrap_or(u32::MAX),
            )
            .await
            .map_err(|r| AppError::RateLimited(r.0))?;
        let granted = usize::try_from(granted).unwrap_or(usize::MAX);
        if let Some(over) = fresh
            .iter()
            .enumerate()
            .filter(|(_, m)| spends(&m.action))
            .nth(granted)
            .map(|(i, _)| i)
        {
            fresh.truncate(over);
        }
    }
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    let mut applied_to = last;
    // Short transactions (see `CHUNK`); the device row is locked in each, so two pushes of one
    // device apply in order.
    let mut rest: &[&Mutation] = &fresh;
    while !rest.is_empty() {
        let chunk = &rest[..rest.len().min(CHUNK)];
        let mut attempt = 0;
        let done = loop {
            match apply_chunk(pool, caller, req.device_id, chunk, now_ms).await {
                // Two devices' chunks can lock the same lines in opposite orders; Postgres
                // breaks the cycle by failing one, which is retried (its work was rolled back).
                Err(AppError::Database(e)) if retryable(&e) && attempt < 5 => {
                    attempt += 1;
                    let pause = 20 * attempt + rand::random::<u64>() % 50;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                other => break other?,
            }
        };
        rest = &rest[done.used..];
        results.extend(done.results);
        applied_to = done.last;
    }
    results.sort_by_key(|r| r.seq);
    results.dedup_by_key(|r| r.seq);
    Ok(PushResponse {
        last_seq: applied_to,
        results,
    })
}

/// Contributions wait for a confirmed address; choosing what the device keeps (follows, going,
/// opened shows) does not.
fn needs_confirmed_address(action: &Action) -> bool {
    !matches!(
        action,
        Action::Follow { .. }
            | Action::Attend { .. }
            | Action::Keep { .. }
            | Action::ReadNotifications { .. }
    )
}

/// A deadlock or serialization failure: transient, the transaction can simply run again.
fn retryable(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "40P01" || c == "40001")
}

struct ChunkDone {
    results: Vec<MutationResult>,
    last: i64,
    /// Mutations of the chunk this transaction took (it stops early at `CHUNK_TIME`).
    used: usize,
}

/// Applies one chunk in one transaction (see `push`).
async fn apply_chunk(
    pool: &sqlx::PgPool,
    caller: &Caller,
    device: uuid::Uuid,
    chunk: &[&Mutation],
    now_ms: u64,
) -> AppResult<ChunkDone> {
    let mut results = Vec::with_capacity(chunk.len());
    let mut tx = pool.begin().await?;
    let mut now_last = db::lock_device(&mut tx, device, caller.user_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let mut replayed = Vec::new();
    let ids: Vec<uuid::Uuid> = chunk.iter().map(|m| m.id).collect();
    let seen: std::collections::HashSet<uuid::Uuid> = db::mutations_seen(&mut tx, device, &ids)
        .await?
        .into_iter()
        .collect();
    let mut records = Vec::with_capacity(chunk.len());
    // Outcomes of this chunk's new mutations, counted once the chunk commits.
    let mut applied: Vec<&'static str> = Vec::with_capacity(chunk.len());
    let started = std::time::Instant::now();
    let mut used = 0;
    for m in chunk {
        if used > 0 && started.elapsed() > CHUNK_TIME {
            break;
        }
        used += 1;
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
            )))?
        } else if matches!(m.action, Action::Vote(_)) {
            // A vote refuses before its one write (see `actions::voting::vote`), and a failed
            // write fails the whole chunk: no savepoint needed on the hottest path.
            match apply(&mut tx, caller, m, now_ms).await {
                Ok(outcome) => outcome,
                Err(e) => refused(e)?,
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
                    refused(e)?
                }
            }
        };
        let record = serde_json::to_value(&outcome).map_err(|e| AppError::Internal(e.into()))?;
        records.push((m.seq, m.id, record));
        applied.push(match &outcome {
            Outcome::Applied { .. } => "applied",
            Outcome::Superseded => "superseded",
            Outcome::Rejected { .. } => "rejected",
        });
        now_last = m.seq;
        results.push(MutationResult {
            id: m.id,
            seq: m.seq,
            outcome,
        });
    }
    db::record_results(&mut tx, device, &records).await?;
    db::set_last_seq(&mut tx, device, now_last).await?;
    if let (Some(from), Some(to)) = (replayed.first(), replayed.last()) {
        for (seq, id, outcome) in db::results(&mut tx, device, *from, *to).await? {
            results.push(stored(seq, id, outcome)?);
        }
    }
    tx.commit().await?;
    for outcome in applied {
        metrics::counter!("sync_mutations_total", "outcome" => outcome).increment(1);
    }
    Ok(ChunkDone {
        results,
        last: now_last,
        used,
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
    let mut ids = std::collections::HashSet::with_capacity(req.mutations.len());
    if req.mutations.iter().any(|m| !ids.insert(m.id)) {
        return Err(bad_body("each mutation has its own id"));
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
    // The body is what the REST route answers for the same change.
    let body = match &m.action {
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
            json(&voted.totals)?
        }
        Action::AddSong { show_id, song_id } => {
            let added = voting::add_line(tx, user, *show_id, Some(*song_id), None).await?;
            json(added.totals())?
        }
        Action::Predict { show_id, songs } => {
            json(&voting::predict(tx, user, *show_id, songs).await?)?
        }
        Action::EditSetlist {
            setlist_id,
            base_version,
            songs,
            note,
        } => json(
            &setlists::correct(tx, user, *setlist_id, *base_version, songs, note.as_deref())
                .await?,
        )?,
        Action::Follow { artist_id, follow } => {
            follows::set(tx, user, *artist_id, *follow).await?;
            serde_json::Value::Null
        }
        Action::Attend {
            show_id,
            going,
            public,
        } => {
            attendance::set(tx, user, *show_id, *going, *public).await?;
            serde_json::Value::Null
        }
        Action::Keep { show_id } => {
            attendance::keep(tx, user, *show_id).await?;
            serde_json::Value::Null
        }
        Action::Capture(c) => {
            live::capture(tx, user, c).await?;
            serde_json::Value::Null
        }
        Action::Uncapture { capture_id } => {
            live::undo(tx, user, *capture_id).await?;
            serde_json::Value::Null
        }
        Action::StartSetlist {
            show_id,
            songs,
            note,
        } => json(&setlists::start(tx, user, *show_id, songs, note.as_deref()).await?)?,
        // Moderators' decisions taken offline: the push's own network is not the place they were
        // taken, so the audit keeps no address for them.
        Action::VerifySetlist {
            setlist_id,
            version,
        } => json(&moderation::verify(tx, caller, *setlist_id, *version, None).await?)?,
        Action::RejectVersion {
            setlist_id,
            version,
            reason,
        } => json(&moderation::reject(tx, caller, *setlist_id, *version, reason, None).await?)?,
        Action::ResolveFlag { flag_id, action } => {
            let done = moderation::resolve_flag(tx, caller, *flag_id, *action, None).await?;
            serde_json::json!({ "resolution": done.resolution, "flags_closed": done.flags_closed })
        }
        Action::RaiseFlag(flag) => {
            serde_json::json!({ "id": moderation::raise_flag(tx, user, flag).await? })
        }
        Action::Comment {
            comment_id,
            show_id,
            parent_id,
            body,
        } => json(&comments::add(tx, caller, *show_id, *comment_id, *parent_id, body).await?)?,
        Action::EditComment { comment_id, body } => {
            json(&comments::edit(tx, caller, *comment_id, body).await?)?
        }
        Action::DeleteComment { comment_id } => {
            comments::delete(tx, caller, *comment_id).await?;
            serde_json::Value::Null
        }
        Action::HideComment { comment_id, hidden } => {
            json(&comments::hide(tx, caller, *comment_id, *hidden, None).await?)?
        }
        Action::ReadNotifications { ids } => {
            if ids.len() > theset_shared::api::MAX_MARK_READ {
                return Err(bad_body(format!(
                    "at most {} notifications at once",
                    theset_shared::api::MAX_MARK_READ
                )));
            }
            crate::db::notifications::mark_read(&mut *tx, user, Some(ids)).await?;
            serde_json::Value::Null
        }
    };
    Ok(Outcome::Applied { body })
}

fn json(v: &impl serde::Serialize) -> AppResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.into()))
}

/// A refusal the user caused, in the words the REST route would use; anything else (the
/// database, a bug, a busy server) fails the whole push so the device retries it later.
fn refused(e: AppError) -> AppResult<Outcome> {
    if matches!(
        e,
        AppError::Database(_)
            | AppError::Internal(_)
            | AppError::NotReady(_)
            | AppError::Upstream(_)
            | AppError::UpstreamBusy(_)
            | AppError::ServerBusy(_)
            | AppError::RateLimited(_)
            | AppError::EmailUnverified
    ) {
        return Err(e);
    }
    let current = match &e {
        AppError::Stale(current) => Some(current.clone()),
        _ => None,
    };
    Ok(Outcome::Rejected {
        status: e.status().as_u16(),
        code: e.code(),
        message: e.public_message(),
        current,
    })
}
