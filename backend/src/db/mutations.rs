//! The one exactly-once record (`applied_mutations`, migration 30): the first answer each of a
//! fan's mutation ids got, through a REST route or a push, so a retry by either door is answered
//! again instead of applied twice. A pushed mutation also holds its device's position.

use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use theset_shared::sync::Outcome;
use uuid::Uuid;

/// Where a pushed mutation sits in its device's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub device: Uuid,
    pub seq: i64,
}

/// The first answer of `mutation`, if it was applied (or refused in a push).
pub async fn answer(
    db: impl PgExecutor<'_>,
    user: Uuid,
    mutation: Uuid,
) -> sqlx::Result<Option<Outcome>> {
    sqlx::query_scalar!(
        "SELECT outcome AS \"outcome: Json<Outcome>\" FROM applied_mutations \
         WHERE user_id = $1 AND mutation_id = $2 AND NOT replay",
        user,
        mutation
    )
    .fetch_optional(db)
    .await
    .map(|o| o.map(|Json(o)| o))
}

/// The first answers of those of `mutations` already answered, by id.
pub async fn answers(
    db: &mut PgConnection,
    user: Uuid,
    mutations: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Outcome)>> {
    sqlx::query!(
        "SELECT mutation_id, outcome AS \"outcome: Json<Outcome>\" FROM applied_mutations \
         WHERE user_id = $1 AND mutation_id = ANY($2) AND NOT replay",
        user,
        mutations
    )
    .fetch_all(db)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|r| (r.mutation_id, r.outcome.0))
            .collect()
    })
}

/// One answer to keep.
pub struct Record<'a> {
    pub user: Uuid,
    pub mutation: Uuid,
    /// The action's versioned kind (`vote.set@1`).
    pub kind: &'a str,
    pub outcome: &'a Outcome,
    pub at: Option<Position>,
    /// The id was answered before: this row keeps the first answer at a new position.
    pub replay: bool,
}

/// Records as the columns `unnest` takes, one array each.
struct Columns<'a> {
    users: Vec<Uuid>,
    ids: Vec<Uuid>,
    kinds: Vec<String>,
    outcomes: Vec<Json<&'a Outcome>>,
    devices: Vec<Option<Uuid>>,
    seqs: Vec<Option<i64>>,
    replays: Vec<bool>,
}

impl<'a> Columns<'a> {
    fn of(rows: &[Record<'a>]) -> Self {
        Self {
            users: rows.iter().map(|r| r.user).collect(),
            ids: rows.iter().map(|r| r.mutation).collect(),
            kinds: rows.iter().map(|r| r.kind.to_owned()).collect(),
            outcomes: rows.iter().map(|r| Json(r.outcome)).collect(),
            devices: rows.iter().map(|r| r.at.map(|p| p.device)).collect(),
            seqs: rows.iter().map(|r| r.at.map(|p| p.seq)).collect(),
            replays: rows.iter().map(|r| r.replay).collect(),
        }
    }
}

/// Keeps `rows`; `false` when a concurrent transaction recorded one of these ids first (the
/// unique key makes this one wait for it, then skip): the caller undoes its work and replays.
pub async fn record(db: &mut PgConnection, rows: &[Record<'_>]) -> sqlx::Result<bool> {
    if rows.is_empty() {
        return Ok(true);
    }
    if let [one] = rows {
        // A REST write's one answer: a plain insert, cheaper to plan than `unnest` of arrays.
        let inserted = sqlx::query!(
            "INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, device_id, seq, replay) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id, mutation_id) WHERE NOT replay DO NOTHING",
            one.user,
            one.mutation,
            one.kind,
            Json(one.outcome) as Json<&Outcome>,
            one.at.map(|p| p.device),
            one.at.map(|p| p.seq),
            one.replay
        )
        .execute(db)
        .await?
        .rows_affected();
        return Ok(inserted == 1);
    }
    let c = Columns::of(rows);
    let inserted = sqlx::query!(
        "INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, device_id, seq, replay) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::uuid[], $6::int8[], $7::bool[]) \
         ON CONFLICT (user_id, mutation_id) WHERE NOT replay DO NOTHING",
        &c.users,
        &c.ids,
        &c.kinds,
        &c.outcomes as &[Json<&Outcome>],
        &c.devices as &[Option<Uuid>],
        &c.seqs as &[Option<i64>],
        &c.replays
    )
    .execute(db)
    .await?
    .rows_affected();
    Ok(inserted == rows.len() as u64)
}

/// Records answers and moves each pushed one's device to its position, in one statement (the
/// vote path's round trips are its cost); `false` when one of the ids was answered before (a
/// concurrent transaction recorded it first): the caller undoes its transaction and replays. The
/// devices are locked by the caller (`lock_device`, `lock_devices`); no device appears twice.
pub async fn record_pushed(db: &mut PgConnection, rows: &[Record<'_>]) -> sqlx::Result<bool> {
    let moved = if let [one] = rows {
        let Some(at) = one.at else {
            return self::record(db, rows).await;
        };
        // A device's push of one vote: a plain insert, cheaper to plan than `unnest` of arrays.
        sqlx::query!(
            "WITH kept AS (INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, device_id, seq, replay) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7) \
                           ON CONFLICT (user_id, mutation_id) WHERE NOT replay DO NOTHING RETURNING 1) \
             UPDATE devices SET last_seq = $6, last_seen_at = now() WHERE id = $5 AND EXISTS (SELECT 1 FROM kept)",
            one.user,
            one.mutation,
            one.kind,
            Json(one.outcome) as Json<&Outcome>,
            at.device,
            at.seq,
            one.replay
        )
        .execute(db)
        .await?
        .rows_affected()
            == 1
    } else {
        let c = Columns::of(rows);
        sqlx::query_scalar!(
            "WITH kept AS ( \
                 INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, device_id, seq, replay) \
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::uuid[], $6::int8[], $7::bool[]) \
                 ON CONFLICT (user_id, mutation_id) WHERE NOT replay DO NOTHING RETURNING device_id, seq), \
             moved AS ( \
                 UPDATE devices d SET last_seq = kept.seq, last_seen_at = now() \
                 FROM kept WHERE d.id = kept.device_id RETURNING 1) \
             SELECT (SELECT count(*) FROM kept) = $8 AS \"all!\" FROM (SELECT count(*) FROM moved) m",
            &c.users,
            &c.ids,
            &c.kinds,
            &c.outcomes as &[Json<&Outcome>],
            &c.devices as &[Option<Uuid>],
            &c.seqs as &[Option<i64>],
            &c.replays,
            rows.len() as i64
        )
        .fetch_one(db)
        .await?
    };
    Ok(moved)
}

/// The answers kept at positions `from..=to` of `device`, by position.
pub async fn at_positions(
    db: &mut PgConnection,
    device: Uuid,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, Uuid, Outcome)>> {
    sqlx::query!(
        "SELECT seq AS \"seq!\", mutation_id, outcome AS \"outcome: Json<Outcome>\" \
         FROM applied_mutations WHERE device_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
        device,
        from,
        to
    )
    .fetch_all(db)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|r| (r.seq, r.mutation_id, r.outcome.0))
            .collect()
    })
}

/// Forgets answers older than `days` (the sync horizon): a client retrying later than that has
/// long since been told to resync. Returns the number removed.
pub async fn prune(db: &mut PgConnection, days: i32) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM applied_mutations WHERE applied_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
