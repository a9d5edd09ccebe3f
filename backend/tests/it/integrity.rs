//! The weekly sweep's integrity checks: each fault is planted, found, and fixed where the fix is
//! certain (and only reported where it is not).

use sqlx::PgPool;
use theset_backend::jobs::integrity::{Finding, run};
use uuid::Uuid;

use theset_testkit::rows::{artist, days_from_today, setlist, show, song};

async fn one(db: &PgPool, sql: &str, ids: &[Uuid]) -> i64 {
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_one(db).await.expect(sql)
}

fn of(findings: &[Finding], check: &str) -> (u64, u64) {
    findings
        .iter()
        .find(|f| f.check == check)
        .map(|f| (f.found, f.fixed))
        .expect(check)
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn planted_faults_are_found_and_the_certain_ones_fixed(db: PgPool) {
    let a = artist(&db, "Integrity Band", &[], None, 0.0).await;
    let b = artist(&db, "Support Act", &[], None, 0.0).await;

    // Songs: the original with a line, a remaster copy nothing refers to (removed), and a copy
    // a set-list line points at (reported, left).
    let original = song(&db, a, "Kickstart My Heart", 60).await;
    let copy = song(&db, a, "Kickstart My Heart - Remastered 2011", 50).await;
    let referred = song(&db, a, "Kickstart My Heart (Deluxe)", 40).await;
    sqlx::query("UPDATE songs SET normalized_title = 'kickstart my heart' WHERE id = ANY($1)")
        .bind(vec![original, copy, referred])
        .execute(&db)
        .await
        .expect("normal titles");
    let past = show(&db, a, None, days_from_today(-30), "completed").await;
    let (_, lines) = setlist(&db, past, a, "setlistfm", &["Kickstart My Heart", "KMH"]).await;
    sqlx::query("UPDATE setlist_songs SET song_id = $2 WHERE id = $1")
        .bind(lines[0])
        .bind(original)
        .execute(&db)
        .await
        .expect("line");
    sqlx::query("UPDATE setlist_songs SET song_id = $2 WHERE id = $1")
        .bind(lines[1])
        .bind(referred)
        .execute(&db)
        .await
        .expect("line");

    // Venues: a Ticketmaster hall, and the same hall as setlist.fm brought it, with a show.
    let hall: Uuid = sqlx::query_scalar(
        "INSERT INTO venues (ticketmaster_id, name, city) VALUES ('KovZtm1', 'The Hall', 'Town') RETURNING id",
    )
    .fetch_one(&db)
    .await
    .expect("venue");
    let copy_hall: Uuid = sqlx::query_scalar(
        "INSERT INTO venues (setlistfm_id, name, city) VALUES ('sfm-hall', 'the hall', 'TOWN') RETURNING id",
    )
    .fetch_one(&db)
    .await
    .expect("venue copy");

    // Shows: a Ticketmaster night and the same night setlist.fm made first, with its list.
    let night = days_from_today(-10);
    let tm_show = show(&db, a, Some(hall), night, "completed").await;
    sqlx::query("UPDATE shows SET ticketmaster_id = 'tm-night' WHERE id = $1")
        .bind(tm_show)
        .execute(&db)
        .await
        .expect("tm show");
    let sfm_show = show(&db, a, Some(copy_hall), night, "completed").await;
    let (moved, _) = setlist(&db, sfm_show, a, "setlistfm", &["Opener"]).await;

    // A set-list of an artist the show does not bill.
    let (unbilled, _) = setlist(&db, past, b, "setlistfm", &["Warm-up"]).await;

    // A vote total that drifted from its votes.
    let upcoming = show(&db, a, None, days_from_today(20), "upcoming").await;
    let (_, community) = setlist(&db, upcoming, a, "community", &["One"]).await;
    sqlx::query("UPDATE setlist_songs SET upvotes = 7, net_votes = 7 WHERE id = $1")
        .bind(community[0])
        .execute(&db)
        .await
        .expect("drift");

    let findings = run(&db).await.expect("checks");
    assert_eq!(of(&findings, "duplicate_songs"), (2, 1), "{findings:?}");
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM songs WHERE id = ANY(ARRAY[$1, $2, $3])",
            &[original, copy, referred]
        )
        .await,
        2,
        "the unreferenced copy went, the referred one stays"
    );
    assert_eq!(of(&findings, "duplicate_venues"), (1, 1));
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM venues WHERE id = $1",
            &[copy_hall]
        )
        .await,
        0
    );
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM venues WHERE id = $1 AND setlistfm_id = 'sfm-hall'",
            &[hall]
        )
        .await,
        1
    );
    assert_eq!(of(&findings, "duplicate_shows"), (1, 1));
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM setlists WHERE id = $1 AND show_id = $2",
            &[moved, tm_show]
        )
        .await,
        1,
        "the copy's list moved to the Ticketmaster night"
    );
    assert_eq!(
        one(&db, "SELECT count(*) FROM shows WHERE id = $1", &[sfm_show]).await,
        0
    );
    assert!(of(&findings, "unbilled_setlists").1 >= 1);
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM show_artists a JOIN setlists l ON l.show_id = a.show_id AND l.artist_id = a.artist_id WHERE l.id = $1",
            &[unbilled]
        )
        .await,
        1,
        "the list's artist is billed"
    );
    assert_eq!(of(&findings, "drifted_totals"), (1, 1));
    assert_eq!(
        one(
            &db,
            "SELECT upvotes::bigint FROM setlist_songs WHERE id = $1",
            &[community[0]]
        )
        .await,
        0
    );

    // A second run finds only what was left for people.
    let again = run(&db).await.expect("checks");
    assert_eq!(of(&again, "duplicate_songs"), (1, 0));
    for check in [
        "duplicate_venues",
        "duplicate_shows",
        "unbilled_setlists",
        "drifted_totals",
    ] {
        assert_eq!(of(&again, check), (0, 0), "{check}");
    }
}
