//! The offline core end to end against the real backend: follow and sync, vote and predict with
//! the server gone, restart the app, sync when it is back; tokens refresh once for many callers;
//! signing out wipes what is private.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use sqlx::PgPool;
use theset_client::vault::{FileVault, Tokens, Vault};
use theset_client::{Client, ClientError};
use theset_shared::api::PredictionLine;
use theset_testkit::TestApp;
use theset_testkit::rows;
use uuid::Uuid;

#[path = "offline/community.rs"]
mod community;
#[path = "offline/evening.rs"]
mod evening;
#[path = "offline/moderation.rs"]
mod moderation;

/// The real backend on a loopback port (its own pool, as a restarted process would have), to
/// stop and start again like a server that goes away.
async fn serve_on(db: PgPool, addr: &str) -> TestApp {
    TestApp::builder(db).on(addr).own_pool().start().await
}

fn vault(dir: &Path) -> Box<dyn Vault> {
    Box::new(FileVault::new(&dir.join("tokens.bin"), &dir.join("key")))
}

fn open(dir: &Path, server: SocketAddr) -> Client {
    Client::open_with_vault(
        &dir.join("theset.sqlite3"),
        &format!("http://{server}"),
        vault(dir),
    )
    .expect("client")
}

/// A new account through the API (sign-up, then sign-in), signed in on `client`; its address
/// not confirmed yet. Returns the address.
async fn sign_up_unconfirmed(client: &Client, tag: &str) -> String {
    let email = format!("{tag}-{}@example.com", Uuid::new_v4().simple());
    let done = client
        .signup(&email, "four words walk into a bar", tag)
        .await
        .expect("signup");
    assert_eq!(done, theset_client::SignedUp::SignedIn);
    email
}

/// A new account signed in on `client`, its address confirmed (in the database, as the mailed
/// code would).
async fn sign_up(client: &Client, db: &PgPool, tag: &str) {
    let email = sign_up_unconfirmed(client, tag).await;
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE email = $1")
        .bind(email)
        .execute(db)
        .await
        .expect("confirm");
}

async fn seed(db: &PgPool) -> (Uuid, Uuid, Vec<Uuid>) {
    let artist = rows::artist(db, "Offline Band", &[], None, 0.0).await;
    let show = rows::show(db, artist, None, rows::days_from_today(20), "upcoming").await;
    let mut songs = Vec::new();
    for (n, t) in ["Opener", "Single", "Ballad", "Closer"]
        .into_iter()
        .enumerate()
    {
        songs.push(rows::song(db, artist, t, 50 - i32::try_from(n).expect("n")).await);
    }
    (artist, show, songs)
}

/// Syncs until the pulled view shows what `done` wants (other tests' transactions can hold back
/// what a pull may serve for a moment).
async fn sync_until(client: &Client, done: impl Fn(&Client) -> bool) {
    for _ in 0..100 {
        client.sync().await.expect("sync");
        if done(client) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never converged");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn votes_and_predictions_made_offline_survive_a_restart_and_sync_later(db: PgPool) {
    let (artist, show, songs) = seed(&db).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let addr = server.addr;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), addr);
    sign_up(&client, &db, "fan").await;
    client.follow(artist, true).expect("follow");
    sync_until(&client, |c| {
        c.store().catalogue(artist).expect("catalogue").len() == 4
    })
    .await;
    assert_eq!(client.store().shows_of(artist).expect("shows").len(), 1);
    assert_eq!(
        client.store().search("offl", 5).expect("search")[0].name,
        "Offline Band"
    );

    // The venue has no signal.
    server.stop().await;
    client.add_song(show, songs[1]).expect("add");
    client
        .vote_song(show, songs[1], theset_shared::api::VoteValue::Up)
        .expect("vote");
    client
        .predict(
            show,
            vec![
                PredictionLine {
                    song_id: songs[0],
                    encore: false,
                },
                PredictionLine {
                    song_id: songs[1],
                    encore: false,
                },
                PredictionLine {
                    song_id: songs[3],
                    encore: true,
                },
            ],
        )
        .expect("predict");
    let err = client.sync().await.expect_err("offline");
    assert!(err.is_transient(), "{err}");
    let list = client.store().community(show).expect("community");
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].title.as_str(),
            list[0].upvotes,
            list[0].my_vote,
            list[0].pending
        ),
        ("Single", 1, 1, true)
    );

    // The app is closed and opened again, still offline: everything is still there.
    drop(client);
    let client = open(dir.path(), addr);
    let list = client.store().community(show).expect("community");
    assert_eq!((list[0].upvotes, list[0].pending), (1, true));
    let p = client.store().prediction(show).expect("prediction");
    assert!(p.pending);
    assert_eq!(
        p.songs
            .iter()
            .map(|s| (s.title.as_str(), s.set_name.as_str()))
            .collect::<Vec<_>>(),
        [("Opener", "main"), ("Single", "main"), ("Closer", "encore")]
    );
    let (pending, _, refused) = client.store().outbox_counts().expect("counts");
    assert_eq!(
        (pending, refused),
        (3, 0),
        "the follow went out before the signal did"
    );

    // Signal again (same address): one sync sends everything, once.
    let server = serve_on(db.clone(), &addr.to_string()).await;
    sync_until(&client, |c| {
        c.store()
            .community(show)
            .expect("community")
            .iter()
            .all(|l| !l.pending)
            && !c.store().prediction(show).expect("prediction").pending
    })
    .await;
    let list = client.store().community(show).expect("community");
    assert_eq!((list[0].upvotes, list[0].my_vote), (1, 1));
    let (up, down): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE value = 1), count(*) FILTER (WHERE value = -1) FROM votes",
    )
    .fetch_one(&db)
    .await
    .expect("votes");
    assert_eq!((up, down), (1, 0));
    let stored: i32 = sqlx::query_scalar("SELECT upvotes FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id WHERE l.source = 'community'")
        .fetch_one(&db)
        .await
        .expect("totals");
    assert_eq!(stored, 1, "totals equal a fresh count");
    assert_eq!(client.store().outbox_counts().expect("counts"), (0, 0, 0));

    // A second fan votes the same song down; the first fan's next sync shows it.
    let dir2 = tempfile::tempdir().expect("dir");
    let other = open(dir2.path(), server.addr);
    sign_up(&other, &db, "rival").await;
    other.follow(artist, true).expect("follow");
    sync_until(&other, |c| {
        !c.store().community(show).expect("list").is_empty()
    })
    .await;
    let line = other.store().community(show).expect("list")[0]
        .line_id
        .expect("line");
    other
        .vote(line, theset_shared::api::VoteValue::Down)
        .expect("down");
    other.sync().await.expect("sync");
    sync_until(&client, |c| {
        c.store().community(show).expect("list")[0].downvotes == 1
    })
    .await;

    // Signing out wipes the private data (the public artist list stays).
    client.logout().await.expect("logout");
    assert!(client.store().community(show).expect("list").is_empty());
    assert!(
        client
            .store()
            .prediction(show)
            .expect("prediction")
            .songs
            .is_empty()
    );
    assert!(matches!(client.sync().await, Err(ClientError::SignedOut)));
    assert!(!dir.path().join("tokens.bin").exists());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_refusal_keeps_its_reason_and_does_not_block_the_queue(db: PgPool) {
    let (artist, show, songs) = seed(&db).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), server.addr);
    sign_up(&client, &db, "fan").await;
    client.follow(artist, true).expect("follow");
    client.sync().await.expect("sync");
    // A song from another artist's catalogue, then a fine vote behind it.
    client.add_song(show, Uuid::now_v7()).expect("bad add");
    client.add_song(show, songs[0]).expect("good add");
    let out = client.sync().await.expect("sync");
    assert_eq!((out.pushed, out.rejected), (2, 1));
    let refused: Vec<String> = client
        .store()
        .outbox()
        .expect("outbox")
        .into_iter()
        .filter_map(|e| match e.outcome {
            Some(theset_shared::sync::Outcome::Rejected { message, .. }) => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].contains("catalogue"), "{refused:?}");
    sync_until(&client, |c| {
        c.store().community(show).expect("list").len() == 1
    })
    .await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn parallel_requests_refresh_the_token_once(db: PgPool) {
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), server.addr);
    sign_up(&client, &db, "busy").await;
    // Make the stored access token look stale, as after a night in a drawer.
    let v = vault(dir.path());
    let mut t: Tokens = v.load().expect("load").expect("tokens");
    t.expires_at = chrono::Utc::now() - chrono::Duration::seconds(5);
    v.save(&t).expect("save");
    drop(client);
    let client = Arc::new(open(dir.path(), server.addr));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.pull_all().await }));
    }
    for t in tasks {
        t.await.expect("join").expect("pull");
    }
    let rotated: i64 =
        sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE used_at IS NOT NULL")
            .fetch_one(&db)
            .await
            .expect("count");
    assert_eq!(rotated, 1, "one refresh for eight callers");
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE revoked_at IS NULL")
        .fetch_one(&db)
        .await
        .expect("sessions");
    assert_eq!(live, 1, "the session survived");
    let stored = vault(dir.path()).load().expect("load").expect("tokens");
    assert_ne!(
        stored.refresh_token, t.refresh_token,
        "the rotated token was kept"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_live_stream_brings_other_fans_votes_without_polling(db: PgPool) {
    let (artist, show, songs) = seed(&db).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().expect("dir");
    let watcher = Arc::new(open(dir.path(), server.addr));
    sign_up(&watcher, &db, "watcher").await;
    watcher.follow(artist, true).expect("follow");
    watcher.sync().await.expect("sync");
    // The loop syncs once, then only when nudged: its timer is an hour.
    let (poke, pokes) = tokio::sync::mpsc::channel(1);
    let (status_tx, mut status) = tokio::sync::watch::channel(theset_client::live::Status::Idle);
    let live = tokio::spawn(theset_client::live::run(
        watcher.clone(),
        pokes,
        status_tx,
        std::time::Duration::from_secs(3600),
    ));
    status
        .wait_for(|s| *s == theset_client::live::Status::Idle)
        .await
        .expect("first sync");

    let dir2 = tempfile::tempdir().expect("dir");
    let fan = open(dir2.path(), server.addr);
    sign_up(&fan, &db, "voter").await;
    fan.add_song(show, songs[2]).expect("add");
    fan.vote_song(show, songs[2], theset_shared::api::VoteValue::Up)
        .expect("vote");
    fan.sync().await.expect("push");
    let seen = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let list = watcher.store().community(show).expect("list");
            if list.first().is_some_and(|l| l.upvotes == 1) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(seen.is_ok(), "the vote arrived through the live stream");
    drop(poke);
    let _ = live.await;
}

#[tokio::test]
async fn a_server_past_this_protocol_asks_for_an_update() {
    // A server whose minimum protocol is beyond this build answers 426 to every sync call.
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::UPGRADE_REQUIRED,
            axum::Json(serde_json::json!({
                "error": { "code": "upgrade_required", "message": "update" }, "min_version": 2
            })),
        )
    });
    let (addr, _) = theset_testkit::loopback::serve(app).await;
    let dir = tempfile::tempdir().expect("dir");
    let v = vault(dir.path());
    v.save(&Tokens {
        access_token: "a".into(),
        refresh_token: "r".into(),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    })
    .expect("tokens");
    let client = open(dir.path(), addr);
    client.follow(Uuid::now_v7(), true).expect("follow");
    match client.sync().await {
        Err(ClientError::UpgradeRequired { min }) => assert_eq!(min, 2),
        other => panic!("expected an upgrade request, got {other:?}"),
    }
    assert_eq!(
        client.store().outbox_counts().expect("counts").0,
        1,
        "the outbox waits for the update"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn changes_made_before_confirming_wait_on_the_device_and_go_out_after(db: PgPool) {
    let (artist, show, songs) = seed(&db).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), server.addr);
    let email = sign_up_unconfirmed(&client, "early").await;
    client.follow(artist, true).expect("follow");
    client.sync().await.expect("sync");
    assert_eq!(
        client.store().shows_of(artist).expect("shows").len(),
        1,
        "follows need no confirmation"
    );
    client.add_song(show, songs[1]).expect("add");
    client
        .vote_song(show, songs[1], theset_shared::api::VoteValue::Up)
        .expect("vote");
    for _ in 0..2 {
        let outcome = client.sync().await.expect("sync");
        assert_eq!(outcome.held, Some(theset_client::Held::EmailUnverified));
        assert_eq!(outcome.pushed, 0);
        assert_eq!(
            client.store().outbox_counts().expect("counts").0,
            2,
            "nothing lost"
        );
        assert!(
            client.rejected_changes().expect("refusals").is_empty(),
            "nothing refused"
        );
    }
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes")
        .fetch_one(&db)
        .await
        .expect("votes");
    assert_eq!(votes, 0);
    // The code from the mail, pasted into this app (a token the server issued for the address).
    let token = theset_backend::auth::tokens::new_token();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, purpose, email, user_id, expires_at) \
         SELECT $1, 'verify_email', email, id, now() + interval '1 hour' FROM users WHERE email = $2",
    )
    .bind(theset_backend::auth::tokens::digest(&token))
    .bind(&email)
    .execute(&db)
    .await
    .expect("token");
    client
        .confirm_email(&format!("http://127.0.0.1/auth/verify-email#token={token}"))
        .await
        .expect("confirm");
    assert!(
        client.session().signed_in().await,
        "confirming in the app keeps the session"
    );
    let outcome = client.sync().await.expect("sync");
    assert_eq!(outcome.held, None);
    assert_eq!(outcome.pushed, 2);
    let up: i32 = sqlx::query_scalar(
        "SELECT upvotes FROM setlist_songs l JOIN setlists s ON s.id = l.setlist_id \
         WHERE s.show_id = $1 AND l.song_id = $2",
    )
    .bind(show)
    .bind(songs[1])
    .fetch_one(&db)
    .await
    .expect("totals");
    assert_eq!(up, 1, "the waiting vote went out once");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_push_past_the_vote_budget_waits_and_loses_nothing(db: PgPool) {
    use theset_backend::auth::limits::{Limits, Rate, Rates};
    let (artist, show, songs) = seed(&db).await;
    // Four mutations at once, then one a second.
    let server = TestApp::builder(db.clone())
        .own_pool()
        .auth(|auth| {
            auth.limits = Limits::new(Rates {
                vote_account: Rate::new(4, 1_000),
                ..Rates::default()
            });
        })
        .start()
        .await;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), server.addr);
    sign_up(&client, &db, "eager").await;
    client.follow(artist, true).expect("follow");
    client.sync().await.expect("sync");
    for song in &songs {
        client.add_song(show, *song).expect("add");
        client
            .vote_song(show, *song, theset_shared::api::VoteValue::Up)
            .expect("vote");
    }
    let first = client.sync().await.expect("sync");
    let Some(theset_client::Held::Busy(wait)) = first.held else {
        panic!("expected the server to hold the rest: {first:?}");
    };
    assert!(wait >= std::time::Duration::from_secs(1));
    assert!(first.pushed < 8, "{first:?}");
    assert_eq!(
        client.store().outbox_counts().expect("counts").0 + first.pushed,
        8
    );
    // Coming back after the announced wait, the rest goes out; nothing lost, nothing twice.
    let mut rounds = 1;
    while client.store().outbox_counts().expect("counts").0 > 0 {
        rounds += 1;
        assert!(rounds < 30, "the outbox never drained");
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        client.sync().await.expect("sync");
    }
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE value = 1")
        .fetch_one(&db)
        .await
        .expect("votes");
    assert_eq!(votes, 4);
    assert!(client.rejected_changes().expect("refusals").is_empty());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn followed_artists_pages_are_kept_for_reading_with_no_signal(db: PgPool) {
    let (artist, _, _) = seed(&db).await;
    sqlx::query("UPDATE artists SET bio = 'A band that plays where there is no signal.', bio_url = 'https://en.wikipedia.org/wiki/Offline_Band', bio_origin = 'live' WHERE id = $1")
        .bind(artist)
        .execute(&db)
        .await
        .expect("bio");
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), server.addr);
    sign_up(&client, &db, "fan").await;
    // Followed (here, or on another device, or from Spotify) but never opened on this one.
    client.follow(artist, true).expect("follow");
    sync_until(&client, |c| {
        c.store().artist_slug(artist).expect("slug").is_some()
    })
    .await;
    assert_eq!(client.keep_followed_artists().await.expect("keep"), 1);
    // Kept a day: nothing fetched again on the next round.
    assert_eq!(client.keep_followed_artists().await.expect("keep"), 0);

    server.stop().await;
    let view = client.artist_view("offline-band").await.expect("kept page");
    assert!(view.artist.stale, "from the device");
    assert_eq!(
        view.artist.data.bio.as_deref(),
        Some("A band that plays where there is no signal.")
    );
    assert_eq!(
        view.artist.data.bio_source.map(|s| s.licence).as_deref(),
        Some("CC BY-SA 4.0")
    );
}
