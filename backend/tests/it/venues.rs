use reqwest::StatusCode;
use sqlx::PgPool;

use theset_testkit::TestApp;
use theset_testkit::rows::*;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn near_a_point_orders_by_distance_within_radius(db: PgPool) {
    // Around Times Square: one venue ~0.2 km away, one ~3 km, one in another city.
    venue(&db, "Corner Club", "New York", 40.7570, -73.9870).await;
    venue(&db, "Downtown Arena", "New York", 40.7300, -74.0000).await;
    venue(&db, "Lakeside Theatre", "Chicago", 41.8800, -87.6300).await;
    let app = TestApp::start(db).await;
    let near = app
        .all_pages("/api/v1/venues?near=40.7580,-73.9855&km=5&limit=1")
        .await;
    assert_eq!(names(&near), ["Corner Club", "Downtown Arena"]);
    let d0 = near[0]["distance_km"].as_f64().expect("distance");
    let d1 = near[1]["distance_km"].as_f64().expect("distance");
    assert!(d0 < 0.5 && (2.0..5.0).contains(&d1), "{d0} {d1}");
    assert_eq!(
        names(
            &app.all_pages("/api/v1/venues?near=40.7580,-73.9855&km=1")
                .await
        ),
        ["Corner Club"]
    );
    assert_eq!(
        app.all_pages("/api/v1/venues?near=40.7580,-73.9855")
            .await
            .len(),
        2,
        "default radius 25 km"
    );
    let far = app
        .all_pages("/api/v1/venues?near=40.7580,-73.9855&km=2000")
        .await;
    assert_eq!(
        names(&far),
        ["Corner Club", "Downtown Arena", "Lakeside Theatre"]
    );
    // Without `near` there is no distance in the answer.
    let plain = app.ok("/api/v1/venues").await;
    assert!(plain["items"][0].get("distance_km").is_none());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn filters_by_city_and_upcoming_shows(db: PgPool) {
    let a = artist(&db, "Tin Lanterns", &[], None, 0.0).await;
    let small = venue(&db, "Small Room", "Austin", 30.27, -97.74).await;
    let mid = venue(&db, "Mid Hall", "austin", 30.26, -97.75).await;
    venue(&db, "Big Dome", "Houston", 29.68, -95.41).await;
    show(&db, a, Some(small), days_from_today(40), "upcoming").await;
    show(&db, a, Some(mid), days_from_today(-40), "completed").await;
    let app = TestApp::start(db).await;
    assert_eq!(
        names(&app.all_pages("/api/v1/venues?city=AUSTIN").await),
        ["Mid Hall", "Small Room"]
    );
    // Nothing fills a capacity (Ticketmaster has none): there is no filter that cannot match.
    app.error(
        "/api/v1/venues?min_capacity=1000",
        reqwest::StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    assert_eq!(
        names(&app.all_pages("/api/v1/venues?has_upcoming=true").await),
        ["Small Room"]
    );
    assert_eq!(
        names(&app.all_pages("/api/v1/venues?has_upcoming=false").await),
        ["Big Dome", "Mid Hall"]
    );
    assert_eq!(
        names(&app.all_pages("/api/v1/venues?limit=1").await),
        ["Big Dome", "Mid Hall", "Small Room"]
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn detail_lists_upcoming_and_past_shows(db: PgPool) {
    let a = artist(&db, "Paper Satellites", &[], None, 0.0).await;
    let v = venue(&db, "Harbour Hall", "Boston", 42.36, -71.06).await;
    show(&db, a, Some(v), days_from_today(3), "upcoming").await;
    show(&db, a, Some(v), days_from_today(-3), "completed").await;
    show(&db, a, Some(v), days_from_today(-300), "completed").await;
    let app = TestApp::start(db).await;
    let d = app.ok(&format!("/api/v1/venues/{v}")).await;
    assert_eq!(d["name"], "Harbour Hall");
    assert_eq!(d["upcoming_show_count"], 1);
    assert!((d["latitude"].as_f64().expect("lat") - 42.36).abs() < 1e-9);
    assert_eq!(d["upcoming_shows"].as_array().expect("up").len(), 1);
    let past: Vec<&str> = d["past_shows"]
        .as_array()
        .expect("past")
        .iter()
        .map(|s| s["date"].as_str().expect("date"))
        .collect();
    assert_eq!(
        past,
        [
            days_from_today(-3).to_string(),
            days_from_today(-300).to_string()
        ],
        "newest first"
    );
    app.error(
        &format!("/api/v1/venues/{}", uuid::Uuid::new_v4()),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
