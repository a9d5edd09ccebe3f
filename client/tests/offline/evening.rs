//! The evening at the venue on the device: a show opened without a follow is kept, going puts it
//! in the scope, captures and votes made with no signal survive a restart, go out once, and come
//! back as the crowd list.

use sqlx::PgPool;
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use theset_testkit::rows;

use super::{open, serve_on, sign_up, sync_until};

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_fan_goes_captures_offline_and_sees_the_crowd_list(db: PgPool) {
    let artist = rows::artist(&db, "Tonight Band", &[], None, 0.0).await;
    let show = rows::show(&db, artist, None, rows::days_from_today(0), "ongoing").await;
    sqlx::query("UPDATE shows SET starts_at = now() - interval '20 minutes' WHERE id = $1")
        .bind(show)
        .execute(&db)
        .await
        .expect("start");
    let mut songs = Vec::new();
    for t in ["Opener", "Single", "Ballad", "Closer"] {
        songs.push(rows::song(&db, artist, t, 50).await);
    }
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let addr = server.addr;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), addr);
    sign_up(&client, &db, "fan").await;

    // A show long past is not kept by opening it (it would never reach the device).
    let old = rows::show(&db, artist, None, rows::days_from_today(-30), "completed").await;
    client.show_view(old).await.expect("old show");
    assert_eq!(client.store().outbox_counts().expect("counts").0, 0);
    // Opening the page of a show whose artist nobody follows keeps it on the device.
    let first = client.show_view(show).await.expect("show");
    assert!(!first.in_scope);
    sync_until(&client, |c| c.store().show(show).expect("show").is_some()).await;
    assert!(client.show_view(show).await.expect("show").in_scope);
    client.set_going(show, true, false).expect("going");
    sync_until(&client, |c| {
        let a = c.store().attendance(show).expect("attendance");
        a.going && !a.pending
    })
    .await;
    assert!(
        client
            .my_shows()
            .expect("mine")
            .iter()
            .any(|s| s.id == show),
        "a show the fan goes to is among their shows without a follow"
    );

    // The signal goes: three songs captured (one typed), one taken back, a vote.
    server.stop().await;
    client
        .capture(show, Some(songs[0]), "Opener", false)
        .expect("capture");
    let wrong = client
        .capture(show, Some(songs[2]), "Ballad", false)
        .expect("capture");
    client.capture(show, None, "A Cover", false).expect("typed");
    client
        .capture(show, Some(songs[3]), "Closer", true)
        .expect("encore");
    let theset_shared::sync::Action::Capture(wrong) = wrong.action else {
        panic!("a capture");
    };
    client.undo_capture(wrong.capture_id).expect("undo");
    assert!(
        client.undo_capture(wrong.capture_id).is_err(),
        "taken back once"
    );
    assert!(
        client.capture(show, None, "   ", false).is_err(),
        "no empty titles"
    );
    client.add_song(show, songs[1]).expect("add");
    client
        .vote_song(show, songs[1], theset_shared::api::VoteValue::Up)
        .expect("vote without a follow");
    assert!(client.sync().await.is_err());

    // The app is killed and opened again, still offline: the captures are there.
    drop(client);
    let client = open(dir.path(), addr);
    let view = client.show_view(show).await.expect("show offline");
    let live = view.live.expect("now playing");
    assert!(live.open);
    let captured: Vec<&str> = live.captured.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        captured,
        ["Closer", "A Cover", "Opener"],
        "newest first, the undone one gone"
    );
    assert!(
        live.captured
            .iter()
            .all(|c| c.pending && c.undo_until.is_some())
    );
    assert_eq!(
        live.picks.first().map(|p| p.title.as_str()),
        Some("Single"),
        "the community's first"
    );

    // Signal again: everything goes once, the merge runs, the crowd list comes back.
    let server = serve_on(db.clone(), &addr.to_string()).await;
    sync_until(&client, |c| {
        c.store().outbox_counts().expect("counts").0 == 0
    })
    .await;
    let worker = Worker::new(db.clone(), Providers::default());
    while worker.run_one().await.expect("job").is_some() {}
    sync_until(&client, |c| {
        c.store().actual(show).expect("actual").songs.len() == 3
    })
    .await;
    let actual = client.store().actual(show).expect("actual");
    assert!(actual.crowd && !actual.verified);
    let titles: Vec<&str> = actual.songs.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Opener", "A Cover", "Closer"]);
    assert_eq!(actual.songs[2].set_name, "encore");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM captures WHERE undone_at IS NULL")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(stored, 3, "each capture once");

    // Not going any more: the show leaves the device (the artist is not followed).
    client.set_going(show, false, false).expect("not going");
    sync_until(&client, |c| c.store().show(show).expect("show").is_none()).await;
    server.stop().await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn tonights_pack_holds_the_show_its_pages_and_the_tiles_around_the_venue(db: PgPool) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let artist = rows::artist(&db, "Packed Band", &[], None, 0.0).await;
    let venue = rows::venue(&db, "SoFi Stadium", "Inglewood", 33.9535, -118.3392).await;
    let tonight = rows::show(
        &db,
        artist,
        Some(venue),
        rows::days_from_today(0),
        "upcoming",
    )
    .await;
    sqlx::query("UPDATE shows SET starts_at = now() + interval '3 hours' WHERE id = $1")
        .bind(tonight)
        .execute(&db)
        .await
        .expect("start");
    let later = rows::show(
        &db,
        artist,
        Some(venue),
        rows::days_from_today(9),
        "upcoming",
    )
    .await;
    for t in ["Opener", "Single", "Closer"] {
        rows::song(&db, artist, t, 50).await;
    }
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let tiles = axum::Router::new().route(
        "/{z}/{x}/{y}",
        axum::routing::get(move || {
            let hits = counted.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                ([("content-type", "image/png")], vec![7u8; 1000])
            }
        }),
    );
    let (tile_addr, _tile_task) = theset_testkit::loopback::serve(tiles).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), server.addr);
    client.set_tile_template(Some(format!("http://{tile_addr}/{{z}}/{{x}}/{{y}}.png")));
    sign_up(&client, &db, "packer").await;
    client.set_going(tonight, true, false).expect("going");
    client.set_going(later, true, false).expect("going later");
    sync_until(&client, |c| {
        c.store().show(tonight).expect("show").is_some()
            && !c.store().attendance(later).expect("later").pending
    })
    .await;
    assert_eq!(
        client.shows_to_pack().expect("to pack"),
        [tonight],
        "only the next 48 hours"
    );
    assert_eq!(client.keep_packs_ready().await.expect("packs"), 1);
    let pack = client.store().pack(tonight).expect("pack").expect("made");
    assert!(pack.missing.is_empty(), "{:?}", pack.missing);
    assert_eq!(pack.tiles as usize, theset_client::packs::MAX_TILES);
    assert_eq!(hits.load(Ordering::SeqCst), theset_client::packs::MAX_TILES);
    assert!(
        pack.bytes > 36_000,
        "tiles and pages counted: {}",
        pack.bytes
    );
    // Fresh: nothing made again; the show page says so.
    assert_eq!(client.keep_packs_ready().await.expect("again"), 0);
    assert_eq!(
        client.show_view(tonight).await.expect("view").pack,
        Some(pack)
    );

    // With no signal the pack is what the page is made of.
    server.stop().await;
    let view = client.show_view(tonight).await.expect("offline");
    let detail = view.detail.expect("the show's page, kept");
    assert!(detail.stale);
    assert!(detail.data.venue_detail.is_some(), "line-up and venue kept");
    assert!(view.leaderboard.is_some(), "the leaderboard kept");
    assert_eq!(view.catalogue.len(), 3);
    // A pack made offline says what it lacks.
    let offline = client.prepare_pack(tonight).await.expect("offline pack");
    assert!(
        offline.missing.iter().any(|m| m.contains("likely")),
        "{:?}",
        offline.missing
    );
}
