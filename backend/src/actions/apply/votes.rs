//! Votes through the group commit (`crate::commits`): a vote sent over REST and a device's push
//! of one vote — the fan's usual sync at a show — are one kind of write, committed with the other
//! votes of the moment, once per `(fan, mutation id)` like [`super::once`].
//!
//! A batch's votes are applied set-wise where they can be: the devices locked in one statement,
//! the votes cast in one (`votes::cast_all`), their lines' totals read in one and their answers
//! recorded, devices moved, in one — five round trips for the batch instead of four per vote,
//! which is what keeps a push's wait short when a venue votes at once. A vote that needs more
//! (a device's first push, a position behind or ahead, a song not yet on the list, a second vote
//! of the same fan on the same line, a retried mutation) is applied alone after them.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use theset_shared::hlc::Hlc;
use theset_shared::sync::{Action, Outcome, VoteOn};
use uuid::Uuid;

use super::{attempt, gap, json, keep, refusal};
use crate::actions::voting;
use crate::commits::{Done, Outcomes, Write};
use crate::db::community;
use crate::db::mutations::{self, Position, Record};
use crate::db::sessions::Caller;
use crate::db::sync as devices;
use crate::db::votes::{self, Ballot};
use crate::error::{AppError, AppResult};

/// A vote to commit: sent over REST (`pushed: None`) or pushed at its place in a device's queue.
pub struct VoteWrite {
    pub caller: Caller,
    pub mutation: Uuid,
    /// An `Action::Vote` (any other action is applied alone, as it would be anywhere).
    pub action: Action,
    pub at: Hlc,
    pub pushed: Option<Position>,
}

impl VoteWrite {
    /// The row the vote locks, to order a batch's writes (see `crate::commits`).
    pub fn key(&self) -> Uuid {
        match &self.action {
            Action::Vote(v) => match v.on {
                VoteOn::Line(line) => line,
                VoteOn::Song { song_id, .. } => song_id,
            },
            _ => self.mutation,
        }
    }

    /// The vote's line and value when it can be cast with others.
    fn ballot(&self) -> Option<Ballot> {
        let Action::Vote(v) = &self.action else {
            return None;
        };
        let VoteOn::Line(line) = v.on else {
            return None;
        };
        Some(Ballot {
            user_id: self.caller.user_id,
            setlist_song_id: line,
            hlc: self.at,
            value: v.value.stored(),
        })
    }

    fn record<'a>(&'a self, outcome: &'a Outcome, replay: bool) -> Record<'a> {
        Record {
            user: self.caller.user_id,
            mutation: self.mutation,
            kind: self.action.kind(),
            outcome,
            at: self.pushed,
            replay,
        }
    }

    /// Applies this vote on its own.
    async fn alone(&self, conn: &mut PgConnection, rerun: bool) -> AppResult<Done<Outcome>> {
        match self.pushed {
            None => self.sent(conn, rerun).await,
            Some(at) => self.pushed(conn, at, rerun).await,
        }
    }

    /// A vote sent over REST.
    async fn sent(&self, conn: &mut PgConnection, rerun: bool) -> AppResult<Done<Outcome>> {
        let user = self.caller.user_id;
        // A retried mutation is rare: the first run finds it when recording (below) and starts
        // the batch over; the rerun replays the first answer from here. (One lookup less per
        // vote: the vote path's share of the batch's round trips.)
        if rerun && let Some(first) = mutations::answer(&mut *conn, user, self.mutation).await? {
            return Ok(Done::kept(first));
        }
        let outcome = attempt(conn, &self.caller, &self.action, self.at).await?;
        if matches!(outcome, Outcome::Rejected { .. }) {
            return self.refused(conn, outcome).await;
        }
        if keep(conn, user, self.mutation, &self.action, &outcome).await? {
            return Ok(Done::kept(outcome));
        }
        // The same mutation, sent twice at once, was applied by the other request: its answer,
        // and ours undone.
        let first = mutations::answer(&mut *conn, user, self.mutation)
            .await?
            .ok_or_else(|| AppError::Conflict("mutation in flight; retry".into()))?;
        Ok(Done::undone(first))
    }

    /// A refusal over REST (voting closed since, say) may answer the retry of a mutation applied
    /// before: the retry gets that answer. Nothing is recorded (a retry is judged afresh).
    async fn refused(&self, conn: &mut PgConnection, outcome: Outcome) -> AppResult<Done<Outcome>> {
        let first = mutations::answer(&mut *conn, self.caller.user_id, self.mutation).await?;
        Ok(Done::kept(first.unwrap_or(outcome)))
    }

    /// A pushed vote: the device's position, the vote and its record.
    async fn pushed(
        &self,
        conn: &mut PgConnection,
        at: Position,
        rerun: bool,
    ) -> AppResult<Done<Outcome>> {
        let user = self.caller.user_id;
        // Nothing is written before a refusal here: the device row is claimed (harmless, every
        // push does) and locked, so two pushes of one device apply in order.
        let last = devices::lock_device(&mut *conn, at.device, user)
            .await?
            .ok_or(AppError::Forbidden)?;
        if at.seq <= last {
            // Applied before (a push retried after its answer was lost, or a concurrent push of
            // the same device): its kept answer.
            let kept = mutations::at_positions(&mut *conn, at.device, at.seq, at.seq)
                .await?
                .into_iter()
                .find(|(_, id, _)| *id == self.mutation)
                .map(|(_, _, outcome)| outcome)
                .ok_or_else(|| {
                    AppError::Conflict("this sequence number carried another mutation".into())
                })?;
            return Ok(Done::kept(kept));
        }
        if at.seq != last + 1 {
            return Err(AppError::Stale(gap(last + 1)));
        }
        // As over REST: an id answered before is found when recording, and the rerun answers
        // with the first answer (kept at this position as a replay).
        let first = if rerun {
            mutations::answer(&mut *conn, user, self.mutation).await?
        } else {
            None
        };
        let (outcome, replay) = match first {
            Some(first) => (first, true),
            None => (
                attempt(conn, &self.caller, &self.action, self.at).await?,
                false,
            ),
        };
        if !mutations::record_pushed(&mut *conn, &[self.record(&outcome, replay)]).await? {
            return Ok(Done::undone(outcome));
        }
        Ok(Done::kept(outcome))
    }
}

impl Write for VoteWrite {
    type Answer = Outcome;

    fn apply_all<'c>(
        conn: &'c mut PgConnection,
        writes: &'c [Self],
        rerun: bool,
    ) -> Outcomes<'c, Outcome> {
        Box::pin(async move {
            let mut done: Vec<Option<AppResult<Done<Outcome>>>> =
                std::iter::repeat_with(|| None).take(writes.len()).collect();
            // A batch starting over had a retried mutation in it: each vote alone finds its own.
            if !rerun && writes.len() > 1 && !together(conn, writes, &mut done).await? {
                return Ok(Vec::new());
            }
            for (write, slot) in writes.iter().zip(done.iter_mut()) {
                if slot.is_some() {
                    continue;
                }
                match write.alone(conn, rerun).await {
                    // The transaction is aborted: the batch starts over.
                    Err(e @ AppError::Database(_)) => return Err(e),
                    Ok(d) if !d.keep => return Ok(Vec::new()),
                    outcome => *slot = Some(outcome),
                }
            }
            Ok(done.into_iter().flatten().collect())
        })
    }
}

/// Applies the votes of `writes` that can go together, filling their slots of `done`; the
/// others stay empty, to be applied alone. `false` when the batch must start over.
async fn together(
    conn: &mut PgConnection,
    writes: &[VoteWrite],
    done: &mut [Option<AppResult<Done<Outcome>>>],
) -> AppResult<bool> {
    // Every pushing device of the batch, locked first and in one order (a device appearing twice
    // — two pushes at once — goes alone, in order).
    let mut ids: Vec<Uuid> = writes
        .iter()
        .filter_map(|w| w.pushed.map(|p| p.device))
        .collect();
    ids.sort_unstable();
    let twice: HashSet<Uuid> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    ids.dedup();
    let held: HashMap<Uuid, devices::Held> = if ids.is_empty() {
        HashMap::new()
    } else {
        devices::lock_devices(&mut *conn, &ids)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    let mut pairs = HashSet::new();
    let mut set = Vec::new();
    for (i, w) in writes.iter().enumerate() {
        let Some(ballot) = w.ballot() else { continue };
        let in_place = w.pushed.is_none_or(|at| {
            !twice.contains(&at.device)
                && held
                    .get(&at.device)
                    .is_some_and(|d| d.user_id == w.caller.user_id && at.seq == d.last_seq + 1)
        });
        if in_place && pairs.insert((ballot.user_id, ballot.setlist_song_id)) {
            set.push((i, ballot));
        }
    }
    if set.is_empty() {
        return Ok(true);
    }
    let ballots: Vec<Ballot> = set.iter().map(|(_, b)| *b).collect();
    let judged: Vec<AppResult<bool>> = votes::cast_all(&mut *conn, &ballots)
        .await?
        .into_iter()
        .map(voting::judged)
        .collect();
    let counted: Vec<Uuid> = ballots
        .iter()
        .zip(&judged)
        .filter(|(_, j)| j.is_ok())
        .map(|(b, _)| b.setlist_song_id)
        .collect();
    let totals: HashMap<Uuid, theset_shared::api::SongTotals> =
        community::totals_of(&mut *conn, &counted)
            .await?
            .into_iter()
            .map(|t| (t.setlist_song_id, t))
            .collect();
    let mut answers = Vec::with_capacity(set.len());
    for ((i, ballot), judged) in set.iter().zip(judged) {
        let outcome = match judged {
            Ok(true) => Outcome::Applied {
                body: json(totals.get(&ballot.setlist_song_id).ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("a voted line has no totals"))
                })?)?,
                created: false,
            },
            Ok(false) => Outcome::Superseded,
            Err(e) => refusal(e)?,
        };
        answers.push((*i, outcome));
    }
    // A push keeps its refusal (the device's number is spent); a REST call does not.
    let records: Vec<Record> = answers
        .iter()
        .filter(|(i, o)| writes[*i].pushed.is_some() || !matches!(o, Outcome::Rejected { .. }))
        .map(|(i, o)| writes[*i].record(o, false))
        .collect();
    if !mutations::record_pushed(&mut *conn, &records).await? {
        // One of the ids was answered before (a retry racing its first send): the batch starts
        // over and each vote finds its own.
        return Ok(false);
    }
    for (i, outcome) in answers {
        let write = &writes[i];
        done[i] = Some(
            if write.pushed.is_none() && matches!(outcome, Outcome::Rejected { .. }) {
                write.refused(conn, outcome).await
            } else {
                Ok(Done::kept(outcome))
            },
        );
    }
    Ok(true)
}
