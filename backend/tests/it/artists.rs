use reqwest::StatusCode;
use sqlx::PgPool;

use theset_testkit::TestApp;
use theset_testkit::rows::*;

async fn three_artists(db: &PgPool) {
    artist(db, "beta Band", &["rock", "indie"], Some(40), 5.0).await;
    artist(db, "Alpha Trio", &["jazz"], Some(80), 1.0).await;
    artist(db, "Gamma", &["rock"], None, 9.0).await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn list_sorts_by_name_case_insensitively_and_pages_through_all(db: PgPool) {
    three_artists(&db).await;
    let app = TestApp::start(db).await;
    let all = app.all_pages("/api/v1/artists?limit=1").await;
    assert_eq!(names(&all), ["Alpha Trio", "beta Band", "Gamma"]);
    let first = app.ok("/api/v1/artists?limit=2").await;
    assert_eq!(first["items"].as_array().expect("items").len(), 2);
    assert!(first["next_cursor"].is_string());
    let whole = app.ok("/api/v1/artists?limit=3").await;
    assert!(
        whole["next_cursor"].is_null(),
        "exact fit has no next page: {whole}"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn list_filters_by_genre_and_popularity_and_sorts_by_trending(db: PgPool) {
    three_artists(&db).await;
    let app = TestApp::start(db).await;
    assert_eq!(
        names(&app.all_pages("/api/v1/artists?genre=ROCK").await),
        ["beta Band", "Gamma"]
    );
    assert_eq!(
        names(&app.all_pages("/api/v1/artists?min_popularity=50").await),
        ["Alpha Trio"]
    );
    assert_eq!(
        names(&app.all_pages("/api/v1/artists?sort=trending&limit=1").await),
        ["Gamma", "beta Band", "Alpha Trio"]
    );
    assert_eq!(
        names(
            &app.all_pages("/api/v1/artists?sort=trending&genre=rock&limit=1")
                .await
        ),
        ["Gamma", "beta Band"]
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn cursor_of_one_sort_is_refused_by_another(db: PgPool) {
    three_artists(&db).await;
    let app = TestApp::start(db).await;
    let page = app.ok("/api/v1/artists?limit=1").await;
    let cursor = page["next_cursor"].as_str().expect("cursor");
    app.error(
        &format!("/api/v1/artists?sort=trending&cursor={cursor}"),
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
    app.error(
        "/api/v1/artists?cursor=bm90LWpzb24",
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn detail_has_shows_on_both_sides_of_today_and_a_catalogue_preview(db: PgPool) {
    let a = artist(&db, "Neon Harbor", &["synth-pop"], Some(61), 0.0).await;
    let other = artist(&db, "Support Act", &[], None, 0.0).await;
    let v = venue(&db, "The Hall", "Springfield", 39.8, -89.6).await;
    show(&db, a, Some(v), days_from_today(30), "upcoming").await;
    show(&db, a, Some(v), days_from_today(10), "upcoming").await;
    show(&db, a, Some(v), days_from_today(-20), "completed").await;
    show(&db, other, Some(v), days_from_today(5), "upcoming").await;
    for (i, t) in ["Low Tide", "Beacon", "Salt"].iter().enumerate() {
        song(&db, a, t, 50 + i32::try_from(i).expect("i")).await;
    }
    let app = TestApp::start(db).await;
    let d = app.ok("/api/v1/artists/neon-harbor").await;
    assert_eq!(d["name"], "Neon Harbor");
    assert_eq!(d["upcoming_show_count"], 2);
    let upcoming: Vec<&str> = d["upcoming_shows"]
        .as_array()
        .expect("upcoming")
        .iter()
        .map(|s| s["date"].as_str().expect("date"))
        .collect();
    assert_eq!(
        upcoming,
        [
            days_from_today(10).to_string(),
            days_from_today(30).to_string()
        ]
    );
    assert_eq!(d["past_shows"].as_array().expect("past").len(), 1);
    let preview: Vec<&str> = d["catalogue_preview"]
        .as_array()
        .expect("preview")
        .iter()
        .map(|s| s["title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        preview,
        ["Salt", "Beacon", "Low Tide"],
        "most popular first"
    );
    assert_eq!(d["song_count"], 3);
    insta::assert_json_snapshot!("artist_detail", d, {
        ".id" => "[id]", ".updated_at" => "[time]",
        ".**.id" => "[id]", ".**.date" => "[date]",
    });
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn detail_errors(db: PgPool) {
    let app = TestApp::start(db).await;
    app.error(
        "/api/v1/artists/nobody-here",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    app.error(
        "/api/v1/artists/Not_A_Slug",
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    app.error(
        &format!("/api/v1/artists/{}", "a".repeat(300)),
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn trending_songs_come_from_fans_and_plays_not_streams(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let band = artist(&db, "Trend Band", &[], None, 0.0).await;
    // Spotify's popularity says the opposite of what the crowd does.
    let staple = song(&db, band, "Staple", 10).await;
    let wanted = song(&db, band, "Wanted", 5).await;
    let rarity = song(&db, band, "Rarity", 20).await;
    let disliked = song(&db, band, "Disliked", 99).await;
    let link = |line: uuid::Uuid, song_id: uuid::Uuid| {
        let db = db.clone();
        async move {
            sqlx::query("UPDATE setlist_songs SET song_id = $2 WHERE id = $1")
                .bind(line)
                .bind(song_id)
                .execute(&db)
                .await
                .expect("link");
        }
    };
    // Three past shows: the staple at every one, the rarity at one.
    for (i, days) in [-10, -20, -30].into_iter().enumerate() {
        let past = show(&db, band, None, days_from_today(days), "completed").await;
        let titles: &[&str] = if i == 0 {
            &["Staple", "Rarity"]
        } else {
            &["Staple"]
        };
        let (_, lines) = setlist(&db, past, band, "setlistfm", titles).await;
        link(lines[0], staple).await;
        if i == 0 {
            link(lines[1], rarity).await;
        }
    }
    // An upcoming show: fans vote "Wanted" up, "Disliked" down, and predict "Wanted".
    let next = show(&db, band, None, days_from_today(14), "upcoming").await;
    let (_, lines) = setlist(&db, next, band, "community", &["Wanted", "Disliked"]).await;
    link(lines[0], wanted).await;
    link(lines[1], disliked).await;
    for n in 0..5 {
        let fan = user(&db, 900 + n).await;
        for (line, value) in [(lines[0], 1i16), (lines[1], -1)] {
            sqlx::query("INSERT INTO votes (user_id, setlist_song_id, value) VALUES ($1, $2, $3)")
                .bind(fan)
                .bind(line)
                .bind(value)
                .execute(&db)
                .await
                .expect("vote");
        }
    }
    let fan = user(&db, 999).await;
    let prediction: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
         VALUES ($1, $2, 'predicted', 'user', $3) RETURNING id",
    )
    .bind(next)
    .bind(band)
    .bind(fan)
    .fetch_one(&db)
    .await
    .expect("prediction");
    sqlx::query("INSERT INTO setlist_songs (setlist_id, title, position, song_id) VALUES ($1, 'Wanted', 0, $2)")
        .bind(prediction)
        .bind(wanted)
        .execute(&db)
        .await
        .expect("predicted line");

    let (s, page) = live.get("/api/v1/artists/trend-band").await;
    assert_eq!(s, StatusCode::OK);
    let titles: Vec<&str> = page["trending_songs"]
        .as_array()
        .expect("trending")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    // Wanted: 5 net votes + a prediction (≈ 7); Staple: every recent list (5); Rarity: one in
    // three (≈ 1.7); Disliked: voted down and never played, so not trending at all.
    assert_eq!(titles, ["Wanted", "Staple", "Rarity"], "{page}");
    let staple_row = &page["trending_songs"][1];
    assert_eq!(staple_row["played_share"], 1.0);
}
