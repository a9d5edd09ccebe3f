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
    let v = venue(&db, "The Hall", "Springfield", 39.8, -89.6, Some(2000)).await;
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
