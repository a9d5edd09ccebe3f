//! What must hold after the storm: nothing lost, nothing applied twice, totals equal a fresh
//! count, and every device's view equal to the server's.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use sqlx::PgPool;
use theset_shared::sync::{Action, VoteOn};
use uuid::Uuid;

use crate::fleet::Fan;
use crate::world::Catalogue;

#[derive(Debug, Default)]
pub struct Report {
    pub mutations: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub rejected: usize,
    pub wrong_votes: usize,
    pub drifted_totals: usize,
    pub stores_differing: usize,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.wrong_votes == 0
            && self.drifted_totals == 0
            && self.stores_differing == 0
    }
}

pub async fn run(
    db: &PgPool,
    fans: &[std::sync::Arc<Fan>],
    catalogue: &Catalogue,
) -> Result<Report> {
    let mut r = Report::default();
    let dup_ids: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT mutation_id FROM applied_mutations WHERE NOT replay GROUP BY user_id, mutation_id HAVING count(*) > 1) d",
    )
    .fetch_one(db)
    .await?;
    r.duplicated += usize::try_from(dup_ids).unwrap_or(0);
    r.drifted_totals = theset_backend::db::votes::drifted(db).await?.len();
    for fan in fans {
        let log = fan.log.lock().map(|l| l.clone()).unwrap_or_default();
        r.mutations += log.len();
        let device = fan.client.store().device_id()?;
        let results: Vec<(i64, Uuid, String)> = sqlx::query_as(
            "SELECT seq, mutation_id, outcome->>'outcome' FROM applied_mutations WHERE device_id = $1",
        )
        .bind(device)
        .fetch_all(db)
        .await?;
        let on_server: HashMap<i64, (Uuid, String)> =
            results.into_iter().map(|(s, id, o)| (s, (id, o))).collect();
        let made: HashSet<i64> = log.iter().map(|m| m.seq).collect();
        // Applied rows the device never made would be phantoms (or a second application).
        r.duplicated += on_server.keys().filter(|s| !made.contains(s)).count();
        let mut expected: HashMap<(Uuid, Uuid), i16> = HashMap::new();
        for m in &log {
            match on_server.get(&m.seq) {
                Some((id, _)) if *id != m.id => r.lost += 1,
                None => r.lost += 1,
                Some((_, outcome)) if outcome == "rejected" => r.rejected += 1,
                Some(_) => {
                    if let Action::Vote(v) = &m.action
                        && let VoteOn::Song {
                            show_id: show,
                            song_id: song,
                        } = v.on
                    {
                        expected.insert((show, song), v.value.as_i16());
                    }
                }
            }
        }
        let actual: Vec<(Uuid, Uuid, i16)> = sqlx::query_as(
            "SELECT l.show_id, ss.song_id, v.value FROM votes v JOIN setlist_songs ss ON ss.id = v.setlist_song_id \
             JOIN setlists l ON l.id = ss.setlist_id WHERE v.user_id = $1",
        )
        .bind(fan.user)
        .fetch_all(db)
        .await?;
        let actual: HashMap<(Uuid, Uuid), i16> =
            actual.into_iter().map(|(s, g, v)| ((s, g), v)).collect();
        for (key, value) in &expected {
            if actual.get(key).copied().unwrap_or(0) != *value {
                r.wrong_votes += 1;
            }
        }
        r.wrong_votes += actual.keys().filter(|k| !expected.contains_key(*k)).count();
        if !same_view(db, fan, catalogue).await? {
            r.stores_differing += 1;
        }
    }
    Ok(r)
}

type Line = (Option<Uuid>, i32, i32, i16);

/// The fan's store against the server, show by show: community lines with totals and the fan's
/// vote, and the fan's prediction.
async fn same_view(db: &PgPool, fan: &Fan, catalogue: &Catalogue) -> Result<bool> {
    for show in &catalogue.artists[fan.artist].shows {
        let mut local: Vec<Line> = fan
            .client
            .store()
            .community(*show)?
            .into_iter()
            .map(|l| (l.song_id, l.upvotes, l.downvotes, l.my_vote))
            .collect();
        let mut server: Vec<Line> = sqlx::query_as(
            "SELECT ss.song_id, ss.upvotes, ss.downvotes, coalesce(v.value, 0::smallint) \
             FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
             LEFT JOIN votes v ON v.setlist_song_id = ss.id AND v.user_id = $2 \
             WHERE l.show_id = $1 AND l.source = 'community'",
        )
        .bind(show)
        .bind(fan.user)
        .fetch_all(db)
        .await?;
        local.sort();
        server.sort();
        if local != server {
            return Ok(false);
        }
        let local: Vec<(Option<Uuid>, String)> = fan
            .client
            .store()
            .prediction(*show)?
            .songs
            .into_iter()
            .map(|s| (s.song_id, s.set_name))
            .collect();
        let server: Vec<(Option<Uuid>, String)> = sqlx::query_as(
            "SELECT ss.song_id, ss.set_name FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
             WHERE l.show_id = $1 AND l.source = 'user' AND l.owner_user_id = $2 ORDER BY ss.position",
        )
        .bind(show)
        .bind(fan.user)
        .fetch_all(db)
        .await?;
        if local != server {
            return Ok(false);
        }
    }
    Ok(true)
}
