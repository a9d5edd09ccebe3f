//! A fan's own account from the app's core (name, picture, password, public pages kept for a
//! visit with no signal, deletion that wipes the device) and a report filed with no signal that
//! reaches the moderators once.

use sqlx::PgPool;
use theset_shared::api::{FlagReason, NewFlag};
use theset_testkit::rows;

use super::{open, serve_on, sign_up, sync_until};

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_fan_edits_their_profile_and_reports_a_line_offline(db: PgPool) {
    let artist = rows::artist(&db, "Report Band", &[], None, 0.0).await;
    let show = rows::show(&db, artist, None, rows::days_from_today(9), "upcoming").await;
    let (list, lines) =
        rows::setlist(&db, show, artist, "community", &["Real", "Not A Song"]).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let addr = server.addr;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), addr);
    sign_up(&client, &db, "profiled").await;

    let me = client.rename("  Front Row  ").await.expect("rename");
    assert_eq!(me.display_name, "Front Row");
    let me = client
        .upload_avatar("image/png", png())
        .await
        .expect("avatar");
    let account = client.account_of(me);
    let avatar = account.avatar_url.clone().expect("a picture");
    assert!(
        avatar.starts_with(&format!("http://{addr}/api/v1/users/")),
        "an address the window can load: {avatar}"
    );
    let served = reqwest::get(&avatar).await.expect("avatar");
    assert_eq!(served.headers()["content-type"], "image/png");
    assert!(matches!(
        client
            .upload_avatar("image/svg+xml", b"<svg/>".to_vec())
            .await,
        Err(theset_client::ClientError::Invalid(_))
    ));

    // A wrong current password is refused in the server's words; the right one changes it.
    let wrong = client
        .change_password("not my password at all", "a new and long passphrase")
        .await
        .expect_err("wrong current password");
    assert_eq!(wrong.code(), Some(theset_shared::ErrorCode::InvalidBody));
    client
        .change_password("four words walk into a bar", "a new and long passphrase")
        .await
        .expect("change");

    // The fan's public page and the all-time board are kept for a visit with no signal.
    let page = client.user_page(account.id).await.expect("page");
    assert_eq!(page.data.profile.display_name, "Front Row");
    assert!(!page.stale);
    client.leaderboard().await.expect("board");

    client.follow(artist, true).expect("follow");
    sync_until(&client, |c| {
        !c.store().community(show).expect("lines").is_empty()
    })
    .await;
    server.stop().await;
    let page = client.user_page(account.id).await.expect("kept page");
    assert!(page.stale, "the kept copy, marked stale");
    assert!(client.leaderboard().await.expect("kept board").stale);

    // A report with no signal, by the line alone (its list is implied), survives a restart.
    client
        .raise_flag(NewFlag {
            setlist_id: None,
            setlist_song_id: Some(lines[1]),
            comment_id: None,
            user_id: None,
            reason: FlagReason::WrongSong,
            note: Some("Not by this band".into()),
        })
        .expect("report offline");
    drop(client);
    let client = open(dir.path(), addr);
    assert_eq!(client.store().pending(10).expect("outbox").len(), 1);
    let server = serve_on(db.clone(), &addr.to_string()).await;
    sync_until(&client, |c| {
        c.store().pending(10).expect("outbox").is_empty()
    })
    .await;
    let filed: Vec<(uuid::Uuid, Option<uuid::Uuid>, String, Option<String>)> =
        sqlx::query_as("SELECT setlist_id, setlist_song_id, reason::text, note FROM flags")
            .fetch_all(&db)
            .await
            .expect("flags");
    assert_eq!(
        filed,
        vec![(
            list,
            Some(lines[1]),
            "wrong_song".to_owned(),
            Some("Not by this band".to_owned())
        )],
        "filed once, on the line's own list"
    );

    // Deleting the account removes it on the server and wipes the device.
    // Asked for the password first (a device left signed in must not be enough).
    let refused = client
        .delete_account(&theset_shared::api::StepUpProof::default())
        .await;
    assert!(
        matches!(
            &refused,
            Err(theset_client::ClientError::Server { status: 403, .. })
        ),
        "{refused:?}"
    );
    client
        .delete_account(&theset_shared::api::StepUpProof {
            current_password: Some("a new and long passphrase".into()),
            code: None,
        })
        .await
        .expect("delete");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(account.id)
        .fetch_one(&db)
        .await
        .expect("users");
    assert_eq!(left, 0);
    assert!(client.account().await.is_none(), "signed out");
    assert!(
        client.store().community(show).expect("lines").is_empty(),
        "private rows wiped"
    );
    server.stop().await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn comments_and_replies_written_offline_arrive_once(db: PgPool) {
    use theset_shared::api::CommentOrder;
    let artist = rows::artist(&db, "Talk Offline", &[], None, 0.0).await;
    let show = rows::show(&db, artist, None, rows::days_from_today(4), "upcoming").await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let addr = server.addr;
    let (_, _, other) = server.quick(theset_testkit::Role::User).await;
    let (s, theirs) = server
        .post(
            &format!("/api/v1/shows/{show}/comments"),
            Some(&other),
            serde_json::json!({ "body": "Who is opening?" }),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{theirs}");
    let theirs: uuid::Uuid = theirs["id"].as_str().expect("id").parse().expect("uuid");
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), addr);
    sign_up(&client, &db, "talker").await;
    let online = client
        .comments(show, CommentOrder::Newest)
        .await
        .expect("thread");
    assert_eq!((online.comments.len(), online.stale), (1, false));

    // With no signal the kept thread reads, and what is written shows at once, marked.
    server.stop().await;
    client
        .add_comment(show, None, "  Saying hi from the queue  ")
        .expect("comment");
    client
        .add_comment(show, Some(theirs), "The support act, I heard")
        .expect("reply");
    assert!(matches!(
        client.add_comment(show, None, &"x".repeat(2001)),
        Err(theset_client::ClientError::Invalid(_))
    ));
    let offline = client
        .comments(show, CommentOrder::Newest)
        .await
        .expect("kept");
    assert!(offline.stale);
    assert_eq!(offline.comments.len(), 2);
    assert!(offline.comments[0].pending && offline.comments[0].mine);
    assert_eq!(offline.comments[0].body, "Saying hi from the queue");
    let reply = &offline.comments[1].replies[0];
    assert!(reply.pending && reply.body == "The support act, I heard");
    // Most replies first, on the device as on the server.
    let best = client
        .comments(show, CommentOrder::Best)
        .await
        .expect("kept");
    assert_eq!(best.comments[0].id, theirs);

    // Restarted, then back online: each written once, the reply under its comment.
    drop(client);
    let client = open(dir.path(), addr);
    assert_eq!(
        client
            .comments(show, CommentOrder::Newest)
            .await
            .expect("kept")
            .comments
            .len(),
        2
    );
    let server = serve_on(db.clone(), &addr.to_string()).await;
    sync_until(&client, |c| {
        c.store().pending(10).expect("outbox").is_empty()
    })
    .await;
    let written: Vec<(Option<uuid::Uuid>, String)> =
        sqlx::query_as("SELECT parent_id, body FROM comments WHERE id <> $1 ORDER BY created_at")
            .bind(theirs)
            .fetch_all(&db)
            .await
            .expect("comments");
    assert_eq!(
        written,
        vec![
            (None, "Saying hi from the queue".to_owned()),
            (Some(theirs), "The support act, I heard".to_owned())
        ]
    );
    let fresh = client
        .comments(show, CommentOrder::Newest)
        .await
        .expect("thread");
    assert!(!fresh.stale);
    assert_eq!(fresh.comments.len(), 2);
    assert!(fresh.comments.iter().all(|c| !c.pending));
    assert_eq!(fresh.comments[1].replies.len(), 1);
    server.stop().await;
}
