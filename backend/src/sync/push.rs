//! `POST /api/v1/sync/push`: a device's outbox, applied once each and in sequence order, in
//! short transactions that commit their mutations' answers and the device's new position
//! together (a crash between two leaves a prefix applied, never a half). Each mutation goes
//! through the one apply (`actions::apply`) and the one exactly-once record the REST routes use:
//! a refused one is undone alone, answered with the reason, and still spends its sequence number
//! so the queue moves on; an id answered before (by a push or a REST call) gets its first answer.
//! A retried push (lost answer, crash) gets the kept answers by position.

use theset_shared::sync::{
    Action, MAX_PUSH, Mutation, MutationResult, Outcome, PushRequest, PushResponse,
};

use crate::actions::apply::{self, gap};
use crate::actions::bad_body;
use crate::auth::limits::{Bucket, Limits};
use crate::commits::GroupCommit;
use crate::db::mutations::{self, Position, Record};
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

/// Pushes `req` for `caller`. Before anything is applied, two gates may shorten the batch to a
/// prefix (the rest stays on the device and comes again): an account whose address is not
/// confirmed applies only what needs no confirmation (follows) up to its first contribution,
/// and every mutation spends one request of the caller's vote budget. When not even the first
/// fresh mutation may go, the push answers 403 `email_unverified` or 429 with `Retry-After`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %caller.user_id, device = %req.device_id, mutations = req.mutations.len()))]
pub async fn push(
    pool: &sqlx::PgPool,
    votes: &GroupCommit<apply::VoteWrite>,
    caller: &Caller,
    limits: &Limits,
    req: PushRequest,
) -> AppResult<PushResponse> {
    validate(&req)?;
    if let [m] = req.mutations.as_slice()
        && matches!(m.action, Action::Vote(_))
    {
        return pushed_vote(pool, votes, caller, limits, req).await;
    }
    in_chunks(pool, caller, limits, req).await
}

/// `push` of anything but a single vote: short transactions of their own (see `CHUNK`).
async fn in_chunks(
    pool: &sqlx::PgPool,
    caller: &Caller,
    limits: &Limits,
    req: PushRequest,
) -> AppResult<PushResponse> {
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
        return Err(AppError::Stale(gap(last + 1)));
    }
    // Replayed answers cover this batch only: an old `seq` must not make the server load every
    // result it kept since then.
    let batch_last = req.mutations.last().map_or(first, |m| m.seq);
    let mut results = Vec::with_capacity(req.mutations.len());
    for (seq, id, outcome) in
        mutations::at_positions(&mut conn, req.device_id, first, last.min(batch_last)).await?
    {
        results.push(MutationResult { id, seq, outcome });
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
    // Comments and corrections also spend their own, smaller budgets (`apply::budgets`): the
    // ones past a budget wait, with everything after them, for the next push.
    let mut secondary: Vec<Bucket> = fresh
        .iter()
        .flat_map(|m| apply::budgets(&m.action).iter().copied())
        .filter(|b| *b != Bucket::Vote)
        .collect();
    secondary.sort_by_key(|b| *b as u8);
    secondary.dedup();
    for bucket in secondary {
        let spends = |a: &Action| apply::budgets(a).contains(&bucket);
        let writes = fresh.iter().filter(|m| spends(&m.action)).count();
        if writes == 0 {
            continue;
        }
        let granted = limits
            .take_up_to(
                bucket,
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
                Ok(Some(done)) => break done,
                // The chunk lost a race for a mutation id to a REST call carrying the same id:
                // its work was rolled back, and the rerun answers that id with the call's answer.
                Ok(None) if attempt < 5 => attempt += 1,
                Ok(None) => return Err(AppError::Conflict("mutation in flight; retry".into())),
                // Two devices' chunks can lock the same lines in opposite orders; Postgres
                // breaks the cycle by failing one, which is retried (its work was rolled back).
                Err(AppError::Database(e)) if retryable(&e) && attempt < 5 => {
                    attempt += 1;
                    let pause = 20 * attempt + rand::random::<u64>() % 50;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                Err(e) => return Err(e),
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

/// A push of one vote, the fan's usual sync at a show, goes through the votes' group commit: its
/// commit is shared with the other fans' votes of the moment (pushed or sent over REST), where a
/// push of its own would pay a commit per vote (see `actions::apply::VoteWrite`). A device
/// whose position is behind or ahead of the vote is answered as `push` answers it: the kept
/// answer of a retry, 409 with the gap.
async fn pushed_vote(
    pool: &sqlx::PgPool,
    votes: &GroupCommit<apply::VoteWrite>,
    caller: &Caller,
    limits: &Limits,
    req: PushRequest,
) -> AppResult<PushResponse> {
    let (device, m) = match req.mutations.as_slice() {
        [m] => (req.device_id, m),
        _ => return in_chunks(pool, caller, limits, req).await,
    };
    // The gates of `push`, for one vote. Its position is checked under the device's lock in the
    // batch (a retried push is answered from there), so a retry spends a request of the budget
    // like a fresh vote: one round trip less for every vote.
    if !caller.email_verified {
        return Err(AppError::EmailUnverified);
    }
    limits
        .take_up_to(Bucket::Vote, &caller.user_id.to_string(), 1)
        .await
        .map_err(|r| AppError::RateLimited(r.0))?;
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    let write = apply::VoteWrite {
        caller: caller.clone(),
        mutation: m.id,
        action: m.action.clone(),
        at: m.hlc.clamped(now_ms),
        pushed: Some(Position { device, seq: m.seq }),
    };
    let outcome = match votes.submit(write.key(), write).await {
        Ok(outcome) => outcome,
        // Its number carried another mutation (a device restored from an old copy): answered
        // from the kept positions, as any push is.
        Err(AppError::Conflict(_)) => return in_chunks(pool, caller, limits, req).await,
        Err(e) => return Err(e),
    };
    metrics::counter!("sync_mutations_total", "outcome" => outcome_label(&outcome, false))
        .increment(1);
    Ok(PushResponse {
        last_seq: m.seq,
        results: vec![MutationResult {
            id: m.id,
            seq: m.seq,
            outcome,
        }],
    })
}

/// The `outcome` label of `sync_mutations_total`.
fn outcome_label(outcome: &Outcome, replay: bool) -> &'static str {
    match outcome {
        _ if replay => "replayed",
        Outcome::Applied { .. } => "applied",
        Outcome::Superseded => "superseded",
        Outcome::Rejected { .. } => "rejected",
    }
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

/// Applies one chunk in one transaction (see `push`); `None` when a concurrent REST call recorded
/// one of its mutation ids first (the transaction was rolled back: run the chunk again).
async fn apply_chunk(
    pool: &sqlx::PgPool,
    caller: &Caller,
    device: uuid::Uuid,
    chunk: &[&Mutation],
    now_ms: u64,
) -> AppResult<Option<ChunkDone>> {
    let mut results = Vec::with_capacity(chunk.len());
    let mut tx = pool.begin().await?;
    let mut now_last = db::lock_device(&mut tx, device, caller.user_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let mut replayed = Vec::new();
    let ids: Vec<uuid::Uuid> = chunk.iter().map(|m| m.id).collect();
    // Ids answered before (a REST call, another device, another position): their first answer.
    let answered: std::collections::HashMap<uuid::Uuid, Outcome> =
        mutations::answers(&mut tx, caller.user_id, &ids)
            .await?
            .into_iter()
            .collect();
    let mut kept: Vec<(i64, uuid::Uuid, &'static str, Outcome, bool)> =
        Vec::with_capacity(chunk.len());
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
            return Err(AppError::Stale(gap(now_last + 1)));
        }
        let (outcome, replay) = match answered.get(&m.id) {
            Some(first) => (first.clone(), true),
            None => (
                apply::attempt(&mut tx, caller, &m.action, m.hlc.clamped(now_ms)).await?,
                false,
            ),
        };
        applied.push(outcome_label(&outcome, replay));
        kept.push((m.seq, m.id, m.action.kind(), outcome.clone(), replay));
        now_last = m.seq;
        results.push(MutationResult {
            id: m.id,
            seq: m.seq,
            outcome,
        });
    }
    let records: Vec<Record<'_>> = kept
        .iter()
        .map(|(seq, id, kind, outcome, replay)| Record {
            user: caller.user_id,
            mutation: *id,
            kind,
            outcome,
            at: Some(Position { device, seq: *seq }),
            replay: *replay,
        })
        .collect();
    if !mutations::record(&mut tx, &records).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    db::set_last_seq(&mut tx, device, now_last).await?;
    if let (Some(from), Some(to)) = (replayed.first(), replayed.last()) {
        for (seq, id, outcome) in mutations::at_positions(&mut tx, device, *from, *to).await? {
            results.push(MutationResult { id, seq, outcome });
        }
    }
    tx.commit().await?;
    for outcome in applied {
        metrics::counter!("sync_mutations_total", "outcome" => outcome).increment(1);
    }
    Ok(Some(ChunkDone {
        results,
        last: now_last,
        used,
    }))
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
