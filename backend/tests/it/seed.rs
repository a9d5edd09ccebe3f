//! The offline catalogue loads from recorded API answers, idempotently, and serves the read API.

use std::path::PathBuf;

use sqlx::PgPool;

use theset_testkit::TestApp;
use theset_testkit::rows::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn catalogue_loads_idempotently_and_answers_near_queries(db: PgPool) {
    let first = theset_backend::seed::load(&db, &fixtures())
        .await
        .expect("seed");
    assert!(
        first.artists >= 10 && first.venues >= 20 && first.shows >= 50,
        "{first:?}"
    );
    assert!(first.songs >= 100 && first.setlists >= 20, "{first:?}");
    let again = theset_backend::seed::load(&db, &fixtures())
        .await
        .expect("re-seed");
    assert_eq!(first, again, "a second load changes nothing");
    assert!(
        theset_backend::db::votes::drifted(&db)
            .await
            .expect("recount")
            .is_empty()
    );

    let app = TestApp::start(db.clone()).await;
    let near = app.ok("/api/v1/venues?near=40.7505,-73.9934&km=5").await;
    assert_eq!(near["items"][0]["name"], "Madison Square Garden", "{near}");
    assert!(near["items"][0]["distance_km"].as_f64().expect("km") < 1.0);

    // Every artist page answers, and upcoming shows are really upcoming.
    let artists = app.all_pages("/api/v1/artists?limit=7").await;
    assert_eq!(artists.len(), first.artists);
    let today = chrono::Utc::now().date_naive().to_string();
    for a in &artists {
        let d = app
            .ok(&format!(
                "/api/v1/artists/{}",
                a["slug"].as_str().expect("slug")
            ))
            .await;
        for s in d["upcoming_shows"].as_array().expect("upcoming") {
            assert!(s["date"].as_str().expect("date") >= today.as_str());
            assert_eq!(s["origin"], "demo", "the demo's shows say so");
        }
        // The demo catalogue is marked wherever it appears, and credited to no real source.
        assert_eq!(d["origin"], "demo", "{}", d["name"]);
        assert!(d["bio_source"].is_null(), "{}", d["name"]);
    }
    assert!(
        artists.iter().all(|a| a["origin"] == "demo"),
        "the list's cards too"
    );
    assert!(
        near["items"]
            .as_array()
            .expect("venues")
            .iter()
            .all(|v| v["origin"] == "demo")
    );
    // Imported set-lists matched most songs to the catalogue by normalised title.
    let (lines, matched): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(song_id) FROM setlist_songs")
            .fetch_one(&db)
            .await
            .expect("count");
    assert!(matched * 10 >= lines * 6, "{matched} of {lines} matched");
    // No duplicate recordings: one song per ISRC, and one per normal title and artist.
    let dup: i64 = sqlx::query_scalar(
        "SELECT count(*) - count(DISTINCT isrc) FROM songs WHERE isrc IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .expect("isrc");
    assert_eq!(dup, 0);
    let variants: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT s.normalized_title, x.artist_id FROM songs s \
           JOIN artist_songs x ON x.song_id = s.id GROUP BY 1, 2 HAVING count(*) > 1) d",
    )
    .fetch_one(&db)
    .await
    .expect("variants");
    assert_eq!(variants, 0, "remasters and editions are their song");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn set_list_entries_match_songs_by_known_aliases(db: PgPool) {
    let a = artist(&db, "Alias Band", &[], None, 0.0).await;
    sqlx::query(
        "UPDATE artists SET musicbrainz_id = '11111111-2222-3333-4444-555555555555' WHERE id = $1",
    )
    .bind(a)
    .execute(&db)
    .await
    .expect("mbid");
    let renamed = song(&db, a, "The Long Official Title", 50).await;
    song(&db, a, "Nickname", 40).await;
    for alias in ["Long One", "Nickname"] {
        sqlx::query(
            "INSERT INTO song_aliases (song_id, alias, alias_normalized) VALUES ($1, $2, $3)",
        )
        .bind(renamed)
        .bind(alias)
        .bind(theset_shared::titles::normalize(alias))
        .execute(&db)
        .await
        .expect("alias");
    }
    let setlist: theset_backend::providers::setlistfm::Setlist = serde_json::from_value(serde_json::json!({
        "id": "abc123", "eventDate": "01-02-2024",
        "artist": { "mbid": "11111111-2222-3333-4444-555555555555", "name": "Alias Band" },
        "venue": { "id": "v1", "name": "Somewhere", "city": { "name": "Town", "country": { "code": "US" } } },
        "sets": { "set": [{ "song": [{ "name": "Long One" }, { "name": "Nickname" }, { "name": "Unknown Jam" }] }] }
    }))
    .expect("setlist");
    let mut conn = db.acquire().await.expect("conn");
    let today = chrono::Utc::now().date_naive();
    theset_backend::db::upsert::setlists::from_setlistfm(
        &mut conn,
        &setlist,
        today,
        theset_shared::api::DataOrigin::Demo,
    )
    .await
    .expect("import");
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT ss.title, s.title FROM setlist_songs ss LEFT JOIN songs s ON s.id = ss.song_id ORDER BY ss.position",
    )
    .fetch_all(&db)
    .await
    .expect("rows");
    assert_eq!(
        rows,
        [
            (
                "Long One".to_owned(),
                Some("The Long Official Title".to_owned())
            ),
            ("Nickname".to_owned(), Some("Nickname".to_owned())),
            ("Unknown Jam".to_owned(), None),
        ],
        "an alias matches; a song's own title beats another song's alias; the rest stays free text"
    );
}
