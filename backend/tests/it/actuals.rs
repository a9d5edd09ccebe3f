//! Actual set-lists after the show: corrections as versions with a 409 on a stale base, history,
//! moderator verification that scores every prediction, and the leaderboards.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_backend::db::{community, predictions, votes};
use uuid::Uuid;

use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows as support;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn corrections_verification_scores_and_leaderboards(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Scored Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(-1), "completed").await;
    let mut songs = Vec::new();
    for t in ["Opener", "Hit Single", "Deep Cut", "Ballad", "Closer"] {
        songs.push(support::song(&db, artist, t, 50).await);
    }
    // As imported: one song missing and a wrong one in the middle.
    let (actual, _) = support::setlist(
        &db,
        show,
        artist,
        "setlistfm",
        &["Opener", "Ballad", "Hit Single"],
    )
    .await;
    let (alice_id, _, alice) = live.quick(Role::User).await;
    let (bob_id, _, _) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    sqlx::query("UPDATE users SET display_name = CASE WHEN id = $1 THEN 'Alice' ELSE 'Bob' END WHERE id IN ($1, $2)")
        .bind(alice_id).bind(bob_id).execute(&db).await.expect("names");

    // A fan corrects it: the real show was Opener, Hit Single, Deep Cut, encore Closer.
    let fix = json!({
        "mutation_id": Uuid::now_v7(), "base_version": 1, "note": "checked against my recording",
        "songs": [
            { "title": "Opener" }, { "title": "hit single" }, { "title": "Deep Cut" },
            { "title": "Intro Tape", "is_tape": true }, { "title": "Closer", "set_name": "encore" }
        ]
    });
    let (s, v2) = live
        .put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&alice),
            fix.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(
        v2["songs"][1]["song_id"].as_str(),
        Some(songs[1].to_string().as_str()),
        "titles match the catalogue"
    );
    assert_eq!(v2["songs"][3]["song_id"], serde_json::Value::Null);
    // Someone else, editing from version 1, gets 409 and the current version to merge with.
    let mut stale = fix.clone();
    stale["mutation_id"] = json!(Uuid::now_v7());
    let (s, conflict) = live
        .put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&moderator),
            stale,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(conflict["error"]["code"], "conflict");
    assert_eq!(conflict["current"]["version"], 2);
    let (_, history) = live
        .get_as(&format!("/api/v1/setlists/{actual}/history"), None)
        .await;
    let history = history["items"].as_array().expect("history").clone();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0]["version"].as_i64(),
            history[0]["author"].as_str()
        ),
        (Some(2), Some("Alice"))
    );
    assert_eq!(
        (history[1]["version"].as_i64(), history[1]["note"].as_str()),
        (Some(1), Some("imported"))
    );
    assert_eq!(history[1]["songs"].as_array().map(Vec::len), Some(3));

    // Predictions made before the show (written directly: voting is closed now).
    let mut conn = db.acquire().await.expect("conn");
    let line = |i: usize, t: &str| (songs[i], t.to_owned(), false);
    predictions::replace_prediction(
        &mut conn,
        show,
        artist,
        alice_id,
        &[
            line(0, "Opener"),
            line(1, "Hit Single"),
            line(2, "Deep Cut"),
            (songs[4], "Closer".into(), true),
        ],
    )
    .await
    .expect("alice");
    predictions::replace_prediction(
        &mut conn,
        show,
        artist,
        bob_id,
        &[line(3, "Ballad"), line(0, "Opener")],
    )
    .await
    .expect("bob");
    let cl = community::community_setlist(&mut conn, show, artist)
        .await
        .expect("community");
    let (l1, _) = community::add_line(&mut conn, cl, Some(songs[1]), "Hit Single", Some(bob_id))
        .await
        .expect("line");
    votes::set(&mut *conn, bob_id, l1, Some(1))
        .await
        .expect("vote");
    drop(conn);

    // Verifying needs the current version and a moderator.
    let verify = |v: i64| json!({ "version": v });
    let (s, _) = live
        .post(
            &format!("/api/v1/setlists/{actual}/verify"),
            Some(&alice),
            verify(2),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = live
        .post(
            &format!("/api/v1/setlists/{actual}/verify"),
            Some(&moderator),
            verify(1),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, result) = live
        .post(
            &format!("/api/v1/setlists/{actual}/verify"),
            Some(&moderator),
            verify(2),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{result}");
    assert_eq!(result["predictions_scored"], 2);
    assert!(
        result["community_score"]
            .as_f64()
            .is_some_and(|c| c > 0.0 && c < 100.0),
        "{result}"
    );

    let (_, board) = live
        .get_as(&format!("/api/v1/shows/{show}/leaderboard"), None)
        .await;
    let entries = board["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["display_name"], "Alice");
    assert!(
        (entries[0]["score"].as_f64().expect("score") - 100.0).abs() < 1e-9,
        "{board}"
    );
    assert_eq!(entries[1]["display_name"], "Bob");
    assert!(entries[1]["score"].as_f64().expect("score") < 50.0);
    let (_, all) = live.get_as("/api/v1/leaderboard", None).await;
    assert_eq!(all[0]["display_name"], "Alice");
    assert_eq!(all[0]["predictions"], 1);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'moderation.setlist_verified'",
    )
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    let (_, history) = live
        .get_as(&format!("/api/v1/setlists/{actual}/history"), None)
        .await;
    assert_eq!(history["items"][0]["verified"], true);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn bad_corrections_change_nothing(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Careful Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(-2), "completed").await;
    let (actual, _) = support::setlist(&db, show, artist, "setlistfm", &["One", "Two"]).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let put = async |songs: serde_json::Value| {
        live.put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&fan),
            json!({ "mutation_id": Uuid::now_v7(), "base_version": 1, "songs": songs }),
        )
        .await
        .0
    };
    assert_eq!(put(json!([])).await, StatusCode::BAD_REQUEST);
    assert_eq!(put(json!([{ "title": "" }])).await, StatusCode::BAD_REQUEST);
    assert_eq!(
        put(json!([{ "title": "X", "set_name": "encore 99" }])).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put(json!([{ "title": "X", "song_id": Uuid::new_v4() }])).await,
        StatusCode::BAD_REQUEST
    );
    let titles: Vec<String> = (0..81).map(|i| format!("Song {i}")).collect();
    let many: Vec<serde_json::Value> = titles.iter().map(|t| json!({ "title": t })).collect();
    assert_eq!(put(json!(many)).await, StatusCode::BAD_REQUEST);
    let (_, community) = {
        let cl: Uuid = sqlx::query_scalar("INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'predicted', 'community') RETURNING id")
            .bind(show).bind(artist).fetch_one(&db).await.expect("community");
        (0, cl)
    };
    let (s, _) = live.put(&format!("/api/v1/setlists/{community}"), Some(&fan), json!({ "mutation_id": Uuid::now_v7(), "base_version": 1, "songs": [{ "title": "X" }] })).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "predicted lists are not corrected here"
    );
    let (version, lines): (i32, i64) = sqlx::query_as(
        "SELECT l.version, (SELECT count(*) FROM setlist_songs WHERE setlist_id = l.id) FROM setlists l WHERE l.id = $1")
        .bind(actual).fetch_one(&db).await.expect("q");
    assert_eq!((version, lines), (1, 2));
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM setlist_versions")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(versions, 0);
}
