//! A fan's own Spotify artists followed on TheSet: matched to Ticketmaster by the name rule,
//! imported when new, reported when not found; the sealed Spotify token renewed when it has
//! expired; nothing for an account without a Spotify sign-in. Through the real clients, the fake
//! Spotify sign-in and the local fakes of the music services.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::auth::oauth::{Provider, ProviderKind, Providers};
use uuid::Uuid;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::fakes::{Fakes, fixture};
use theset_testkit::TestApp;

async fn answer(fakes: &Fakes, mock: wiremock::MockBuilder, body: Value) {
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .with_priority(1)
        .mount(&fakes.server)
        .await;
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_fan_brings_their_spotify_artists_and_nothing_is_guessed(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let sign_in = crate::oauth::fake(ProviderKind::Spotify, Duration::from_secs(60)).await;
    let live = TestApp::builder(db.clone())
        .providers(fakes.providers())
        .auth(move |auth| {
            auth.oauth = Providers::new(
                None,
                Provider::new(
                    ProviderKind::Spotify,
                    "client-id".into(),
                    "client-secret".into(),
                    Some(&sign_in),
                ),
            );
        })
        .start()
        .await;
    let token = crate::oauth::spotify_sign_in(&live, "listener@example.com").await;

    // The library: two real artists (one also a top artist), and a band nobody lists.
    let am = fixture("spotify/artist_arctic_monkeys.json");
    let pb = fixture("spotify/search_artist_phoebe_bridgers.json")["artists"]["items"][0].clone();
    let unknown = json!({ "id": "0ZzyzxQuartet000000000", "name": "Zzyzx Quartet", "genres": [],
        "followers": { "total": 5000 }, "images": [{ "url": "https://i.example/z.jpg", "width": 64, "height": 64 }] });
    answer(&fakes, Mock::given(path("/sp/v1/me/following")).and(query_param("type", "artist")),
        json!({ "artists": { "items": [am.clone(), pb, unknown], "next": null, "total": 3, "cursors": { "after": null } } })).await;
    answer(
        &fakes,
        Mock::given(path("/sp/v1/me/top/artists")),
        json!({ "items": [am], "next": null, "total": 1 }),
    )
    .await;
    answer(
        &fakes,
        Mock::given(path("/tm/discovery/v2/attractions.json"))
            .and(query_param("keyword", "Phoebe Bridgers")),
        fixture("ticketmaster/attractions_search_phoebe_bridgers.json"),
    )
    .await;
    answer(
        &fakes,
        Mock::given(path("/tm/discovery/v2/attractions.json"))
            .and(query_param("keyword", "Zzyzx Quartet")),
        fixture("ticketmaster/attractions_search_empty.json"),
    )
    .await;

    // Spotify does not vouch for the address: the import waits for the fan to confirm it (each
    // run may search Ticketmaster dozens of times).
    let (s, body) = live
        .post("/api/v1/me/spotify/import", Some(&token), json!({}))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("email_unverified"))
    );
    // The fan adds the address and pastes the mailed code in the app (as the desktop flow does).
    sqlx::query(
        "UPDATE users SET email = 'listener@example.com', email_verified_at = now() \
         WHERE id IN (SELECT user_id FROM oauth_identities WHERE provider = 'spotify')",
    )
    .execute(&db)
    .await
    .expect("confirmed in the app");
    let (s, done) = live
        .post("/api/v1/me/spotify/import", Some(&token), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(
        names(&done["matched"]),
        ["Arctic Monkeys", "Phoebe Bridgers"],
        "{done}"
    );
    assert!(
        done["matched"]
            .as_array()
            .expect("matched")
            .iter()
            .all(|a| a["created"] == true && a["newly_followed"] == true)
    );
    assert_eq!(names(&done["unmatched"]), ["Zzyzx Quartet"]);
    assert_eq!(done["unmatched"][0]["reason"], "not on Ticketmaster");
    let user: Uuid =
        sqlx::query_scalar("SELECT user_id FROM oauth_identities WHERE provider = 'spotify'")
            .fetch_one(&db)
            .await
            .expect("user");
    let followed: Vec<String> = sqlx::query_scalar(
        "SELECT a.name FROM user_follows_artists f JOIN artists a ON a.id = f.artist_id WHERE f.user_id = $1 ORDER BY a.name",
    )
    .bind(user)
    .fetch_all(&db)
    .await
    .expect("follows");
    assert_eq!(followed, ["Arctic Monkeys", "Phoebe Bridgers"]);
    // The tribute act Ticketmaster also lists was not taken for the band.
    let tributes: i64 =
        sqlx::query_scalar("SELECT count(*) FROM artists WHERE name LIKE '%Tribute%'")
            .fetch_one(&db)
            .await
            .expect("tributes");
    assert_eq!(tributes, 0);
    // The library was read with the fan's token, not the app's.
    let app_token = fixture("spotify/token_client_credentials.json")["access_token"]
        .as_str()
        .expect("app token")
        .to_owned();
    let library_reads: Vec<String> = fakes
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().starts_with("/sp/v1/me/"))
        .filter_map(|r| {
            r.headers
                .get("authorization")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(library_reads.len(), 2);
    assert!(
        library_reads
            .iter()
            .all(|h| h.starts_with("Bearer ") && !h.contains(&app_token))
    );

    // Again, after the token expired: renewed with the refresh token, and nothing doubled.
    let before: Vec<u8> = sqlx::query_scalar(
        "SELECT access_token_enc FROM oauth_identities WHERE provider = 'spotify'",
    )
    .fetch_one(&db)
    .await
    .expect("sealed");
    sqlx::query("UPDATE oauth_identities SET token_expires_at = now() - interval '1 hour'")
        .execute(&db)
        .await
        .expect("expire");
    let (s, again) = live
        .post("/api/v1/me/spotify/import", Some(&token), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert!(
        again["matched"]
            .as_array()
            .expect("matched")
            .iter()
            .all(|a| a["created"] == false && a["newly_followed"] == false),
        "{again}"
    );
    let (after, expires): (Vec<u8>, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT access_token_enc, token_expires_at FROM oauth_identities WHERE provider = 'spotify'",
    )
    .fetch_one(&db)
    .await
    .expect("renewed");
    assert_ne!(before, after, "a new access token, sealed");
    assert!(expires > chrono::Utc::now());
}
