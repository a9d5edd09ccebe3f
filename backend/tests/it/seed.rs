//! The offline catalogue loads from recorded API answers, idempotently, and serves the read API.

use std::path::PathBuf;

use sqlx::PgPool;

use crate::support::*;

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

    let app = TestApp::new(db.clone());
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
        }
    }
    // Imported set-lists matched most songs to the catalogue by normalised title.
    let (lines, matched): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(song_id) FROM setlist_songs")
            .fetch_one(&db)
            .await
            .expect("count");
    assert!(matched * 10 >= lines * 6, "{matched} of {lines} matched");
    // No duplicate recordings: one song per ISRC.
    let dup: i64 = sqlx::query_scalar(
        "SELECT count(*) - count(DISTINCT isrc) FROM songs WHERE isrc IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .expect("isrc");
    assert_eq!(dup, 0);
}
