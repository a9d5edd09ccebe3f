//! The second lock on private rows (migration 27): acting for one fan, a read that forgot its
//! filter still finds that fan's rows only, and a write cannot reach anyone else's; every table
//! with a person's rows is either locked or says why it is public.

use sqlx::PgPool;
use theset_backend::db::private::{PRIVATE_TABLES, acting};
use uuid::Uuid;

use theset_testkit::rows;
use theset_testkit::{Role, TestApp};

/// Which rows of `table` are `user`'s, as the owner reads it (with the filter a query should
/// have had).
fn owned_by(table: &str) -> String {
    match table {
        "access_tokens" | "refresh_tokens" => {
            "session_id IN (SELECT id FROM sessions WHERE user_id = $1)".into()
        }
        // Public lists are everyone's; personal predictions their owner's.
        "setlists" => "source <> 'user' OR owner_user_id = $1".into(),
        _ => "user_id = $1".into(),
    }
}

/// Tables with a person's id that are deliberately readable by everyone (as the owner role
/// reads them for public pages), with the reason.
const PUBLIC_BY_DESIGN: &[(&str, &str)] = &[
    (
        "comments",
        "a show's discussion is public; authors are named",
    ),
    (
        "flags",
        "moderators' queue; read through the owner role by moderators only",
    ),
    ("audit_log", "operators' record; admin routes only"),
    (
        "setlist_songs",
        "lines of lists; a personal list's lines are reached only by its id",
    ),
    ("setlist_versions", "public lists' history"),
    ("user_avatars", "profile pictures are public"),
    (
        "users",
        "display names are public; addresses and hashes are read by auth paths only",
    ),
    ("song_aliases", "community suggestions"),
    ("artist_links", "moderators' decisions on public artists"),
    (
        "page_views",
        "counted views, no person's id is kept readable by the app",
    ),
    ("vote_clocks", "ordering stamps of votes, no content"),
    ("oauth_flows", "an OAuth start before anyone is signed in"),
    ("sync_jobs", "the job queue"),
    (
        "sync_changes",
        "the change log: ids of changed rows (no content); a pull reads the rows themselves as the fan",
    ),
];

async fn seed_fan(db: &PgPool, live: &TestApp, show: Uuid, artist: Uuid) -> Uuid {
    let (user, _, _) = live.quick(Role::User).await;
    let device = Uuid::now_v7();
    let line: Uuid = sqlx::query_scalar(
        "SELECT ss.id FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
         WHERE l.show_id = $1 AND l.source = 'community' LIMIT 1",
    )
    .bind(show)
    .fetch_one(db)
    .await
    .expect("a community line");
    for sql in [
        "INSERT INTO notifications (user_id, kind, dedupe, title, body) VALUES ($1, 'new_show', 'n', 'T', 'B')",
        "INSERT INTO notification_prefs (user_id, kind, enabled) VALUES ($1, 'onsale', false)",
        "INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, sha256($1::text::bytea))",
        "INSERT INTO show_attendance (user_id, show_id, going) VALUES ($1, $2, true)",
        "INSERT INTO user_follows_artists (user_id, artist_id) VALUES ($1, $3)",
        "INSERT INTO devices (id, user_id, last_seq) VALUES ($4, $1, 1)",
        "INSERT INTO oauth_identities (provider, subject, user_id) VALUES ('spotify', $1::text, $1)",
        "INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome) VALUES ($1, gen_random_uuid(), 'vote.set@1', '{\"outcome\": \"superseded\"}')",
        "INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, device_id, seq) VALUES ($1, gen_random_uuid(), 'follow.set@1', '{\"outcome\": \"superseded\"}', $4, 1)",
        "INSERT INTO votes (user_id, setlist_song_id, value) VALUES ($1, $5, 1)",
        "INSERT INTO captures (id, show_id, user_id, title, captured_at) VALUES (gen_random_uuid(), $2, $1, 'Song', now())",
        "INSERT INTO email_tokens (token_hash, purpose, email, user_id, expires_at) VALUES (sha256(($1::text || 'e')::bytea), 'magic_link', 'x@example.com', $1, now() + interval '1 hour')",
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) VALUES ($2, $3, 'predicted', 'user', $1)",
    ] {
        sqlx::query(sql)
            .bind(user)
            .bind(show)
            .bind(artist)
            .bind(device)
            .bind(line)
            .execute(db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    user
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_unfiltered_read_as_one_fan_finds_only_their_rows(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = rows::artist(&db, "Private Band", &[], None, 0.0).await;
    let show = rows::show(&db, artist, None, rows::days_from_today(4), "upcoming").await;
    rows::setlist(&db, show, artist, "community", &["Open"]).await;
    let a = seed_fan(&db, &live, show, artist).await;
    let b = seed_fan(&db, &live, show, artist).await;
    for table in PRIVATE_TABLES {
        let mine: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {table} WHERE {}",
            owned_by(table)
        )))
        .bind(a)
        .fetch_one(&db)
        .await
        .expect("owner's count");
        let everyone: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&db)
                .await
                .expect("all rows");
        assert!(everyone > mine, "{table}: the other fan has rows too");
        // The deliberately unfiltered read, as fan A.
        let mut tx = acting(&db, a).await.expect("acting");
        let seen: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&mut *tx)
                .await
                .expect("unfiltered read");
        assert_eq!(seen, mine, "{table}: as A, only A's rows");
        tx.rollback().await.expect("rollback");
    }
    // A write that forgot its filter reaches only the acting fan's rows.
    let mut tx = acting(&db, a).await.expect("acting");
    let touched = sqlx::query("UPDATE notifications SET read_at = now()")
        .execute(&mut *tx)
        .await
        .expect("update")
        .rows_affected();
    assert_eq!(touched, 1);
    // Nor can it write a row in another fan's name.
    let foreign = sqlx::query(
        "INSERT INTO notifications (user_id, kind, dedupe, title, body) VALUES ($1, 'new_show', 'x', 'T', 'B')",
    )
    .bind(b)
    .execute(&mut *tx)
    .await;
    assert!(foreign.is_err(), "a row in B's name, written as A");
    tx.rollback().await.expect("rollback");
    let unread_b: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(b)
    .fetch_one(&db)
    .await
    .expect("b's");
    assert_eq!(unread_b, 1);
}

/// Every table that holds a person's id is locked or says why it is public; every locked table
/// has row-level security on.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn every_table_with_a_persons_rows_is_locked_or_public_by_design(db: PgPool) {
    let with_people: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.table_name::text FROM information_schema.columns c \
         JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
           AND c.column_name IN ('user_id', 'owner_user_id', 'author_id', 'reporter_id', 'actor_id') \
         ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .expect("columns");
    let unexplained: Vec<&String> = with_people
        .iter()
        .filter(|t| {
            !PRIVATE_TABLES.contains(&t.as_str()) && !PUBLIC_BY_DESIGN.iter().any(|(p, _)| p == t)
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "lock these (db::private::PRIVATE_TABLES) or say why they are public: {unexplained:?}"
    );
    for table in PRIVATE_TABLES {
        let on: bool = sqlx::query_scalar("SELECT relrowsecurity FROM pg_class WHERE relname = $1")
            .bind(table)
            .fetch_one(&db)
            .await
            .expect("pg_class");
        assert!(on, "{table}: row-level security is off");
    }
}
