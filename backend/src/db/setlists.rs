use std::collections::HashMap;

use sqlx::PgExecutor;
use theset_shared::api::{ModerationStatus, Setlist, SetlistKind, SetlistSong, SetlistSource};
use uuid::Uuid;

use super::artists::ArtistRefRow;

#[derive(Debug)]
struct SongRow {
    setlist_id: Uuid,
    id: Uuid,
    position: i32,
    song_id: Option<Uuid>,
    title: String,
    set_name: String,
    is_cover: bool,
    cover_of: Option<String>,
    is_tape: bool,
    notes: Option<String>,
    upvotes: i32,
    downvotes: i32,
    net_votes: i32,
}

/// The public set-lists of a show (the community list and the actual set-list, not personal
/// predictions or hidden lists), each with its songs: actual lists in play order, community lists
/// ranked by net votes.
pub async fn public_for_show<'c, E>(db: E, show_id: Uuid) -> sqlx::Result<Vec<Setlist>>
where
    E: PgExecutor<'c> + Copy,
{
    public_of(db, show_id, None).await
}

/// The show's crowd lists alone, as [`public_for_show`] gives them (the live stream sends them
/// whole on each change: reading the community list's lines to drop them would cost a hot show
/// its largest list every time).
pub async fn crowd_for_show<'c, E>(db: E, show_id: Uuid) -> sqlx::Result<Vec<Setlist>>
where
    E: PgExecutor<'c> + Copy,
{
    public_of(db, show_id, Some(SetlistSource::Crowd)).await
}

/// The public lists of a show, of one source when `only` says so.
async fn public_of<'c, E>(
    db: E,
    show_id: Uuid,
    only: Option<SetlistSource>,
) -> sqlx::Result<Vec<Setlist>>
where
    E: PgExecutor<'c> + Copy,
{
    let lists = sqlx::query!(
        "SELECT l.id, l.show_id, a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
         l.kind AS \"kind: SetlistKind\", l.source AS \"source: SetlistSource\", \
         l.moderation_status AS \"moderation_status: ModerationStatus\", \
         l.version, l.accuracy_score, l.external_url, l.updated_at \
         FROM setlists l JOIN artists a ON a.id = l.artist_id \
         WHERE l.show_id = $1 AND l.source <> 'user' AND l.moderation_status NOT IN ('hidden', 'rejected') \
           AND ($2::setlist_source IS NULL OR l.source = $2) \
         ORDER BY l.kind::text DESC, a.name",
        show_id,
        only as Option<SetlistSource>
    )
    .fetch_all(db)
    .await?;
    let ids: Vec<Uuid> = lists.iter().map(|l| l.id).collect();
    let songs = sqlx::query_as!(
        SongRow,
        "SELECT ss.setlist_id, ss.id, ss.position, ss.song_id, ss.title, ss.set_name, ss.is_cover, \
         ss.cover_of, ss.is_tape, ss.notes, ss.upvotes, ss.downvotes, ss.net_votes \
         FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
         WHERE ss.setlist_id = ANY($1) \
         ORDER BY ss.setlist_id, \
           CASE WHEN l.source = 'community' THEN -ss.net_votes ELSE 0 END, ss.position, ss.id",
        &ids
    )
    .fetch_all(db)
    .await?;
    let mut by_list: HashMap<Uuid, Vec<SetlistSong>> = HashMap::new();
    for s in songs {
        by_list.entry(s.setlist_id).or_default().push(SetlistSong {
            id: s.id,
            position: s.position,
            song_id: s.song_id,
            title: s.title,
            set_name: s.set_name,
            is_cover: s.is_cover,
            cover_of: s.cover_of,
            is_tape: s.is_tape,
            notes: s.notes,
            upvotes: s.upvotes,
            downvotes: s.downvotes,
            net_votes: s.net_votes,
        });
    }
    Ok(lists
        .into_iter()
        .map(|l| {
            let songs = by_list.remove(&l.id).unwrap_or_default();
            let total_votes = songs
                .iter()
                .map(|s| i64::from(s.upvotes) + i64::from(s.downvotes))
                .sum();
            Setlist {
                id: l.id,
                show_id: l.show_id,
                artist: ArtistRefRow {
                    artist_id: l.artist_id,
                    artist_slug: l.artist_slug,
                    artist_name: l.artist_name,
                }
                .into(),
                kind: l.kind,
                source: l.source,
                moderation_status: l.moderation_status,
                version: l.version,
                accuracy_score: l.accuracy_score,
                total_votes,
                attribution_url: l.external_url,
                songs,
                updated_at: l.updated_at,
            }
        })
        .collect())
}
