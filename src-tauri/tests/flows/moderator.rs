//! A moderator's desk on show pages in the real window: a fan's correction writes a title the
//! catalogue almost has, the moderator takes the suggested song as an alias and rejects the
//! version with a reason; on a coming show, three accounts made today vote in step, the vote
//! oversight lists them and the moderator voids their votes.

use anyhow::Context;
use uuid::Uuid;

use super::{PASSWORD, email};
use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

/// Swaps two letters in the middle of a title (a typo a set-list site would carry).
fn typo(title: &str) -> String {
    let mut chars: Vec<char> = title.chars().collect();
    let at = chars.len() / 2;
    if at + 1 < chars.len() {
        chars.swap(at, at + 1);
    }
    chars.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_takes_an_alias_rejects_a_version_and_voids_a_vote_ring() -> anyhow::Result<()>
{
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let backend = Backend::start(Seed::Catalogue).await?;
    let moderator = email("moderator");
    let http = reqwest::Client::new();
    let signup = http
        .post(format!("{}/api/v1/auth/signup", backend.url))
        .json(&serde_json::json!({
            "email": moderator, "password": PASSWORD, "display_name": "Desk",
            "device_id": Uuid::new_v4().to_string(),
        }))
        .send()
        .await?;
    anyhow::ensure!(signup.status().is_success());
    backend.confirm(&moderator).await?;
    backend.command(&["set-role", &moderator, "moderator"])?;

    // A fan corrects a past show's list and misspells its first song.
    let pool = backend.pool().await?;
    let mut db = backend.db().await?;
    let (setlist, show, slug, version): (Uuid, Uuid, String, i32) = sqlx::query_as(
        "SELECT l.id, l.show_id, a.slug, l.version FROM setlists l JOIN shows s ON s.id = l.show_id \
         JOIN artists a ON a.id = s.headliner_artist_id \
         WHERE l.kind = 'actual' AND l.verified_version IS NULL AND s.date < current_date \
           AND EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.setlist_id = l.id AND ss.song_id IS NOT NULL) \
         ORDER BY s.date DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await?;
    let titles: Vec<String> = sqlx::query_scalar(
        "SELECT title FROM setlist_songs WHERE setlist_id = $1 ORDER BY position",
    )
    .bind(setlist)
    .fetch_all(&mut db)
    .await?;
    let first = titles.first().context("a song")?.clone();
    let misspelt = typo(&first);
    anyhow::ensure!(misspelt != first, "{first} has no typo");
    let fan = theset_testkit::accounts::with_role(&pool, theset_testkit::Role::User).await;
    let mut songs: Vec<serde_json::Value> = titles
        .iter()
        .map(|t| serde_json::json!({ "title": t }))
        .collect();
    songs[0] = serde_json::json!({ "title": misspelt });
    let res = http
        .put(format!("{}/api/v1/setlists/{setlist}", backend.url))
        .bearer_auth(&fan.access)
        .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "base_version": version, "songs": songs }))
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "correction: {}", res.status());

    // Three accounts made today vote a coming show's lines in step.
    let (coming, artist, coming_slug): (Uuid, Uuid, String) = sqlx::query_as(
        "SELECT s.id, s.headliner_artist_id, a.slug FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
         WHERE s.status = 'upcoming' AND s.date > current_date ORDER BY s.date LIMIT 1",
    )
    .fetch_one(&mut db)
    .await?;
    let community: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'predicted', 'community') \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(coming)
    .bind(artist)
    .fetch_optional(&mut db)
    .await?
    .context("a community list")?;
    let mut lines = Vec::new();
    for (i, t) in ["Ring Song One", "Ring Song Two", "Ring Song Three"]
        .iter()
        .enumerate()
    {
        let line: Uuid = sqlx::query_scalar(
            "INSERT INTO setlist_songs (setlist_id, title, position) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(community)
        .bind(t)
        .bind(i32::try_from(i)?)
        .fetch_one(&mut db)
        .await?;
        lines.push(line);
    }
    let mut ring = Vec::new();
    for _ in 0..3 {
        let member = theset_testkit::accounts::with_role(&pool, theset_testkit::Role::User).await;
        for line in &lines {
            sqlx::query("INSERT INTO votes (user_id, setlist_song_id, value) VALUES ($1, $2, 1)")
                .bind(member.user)
                .bind(line)
                .execute(&mut db)
                .await?;
        }
        ring.push(member.user);
    }

    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.nav("account").await?;
    ui.fill("#auth-email", &moderator).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;

    // The past show: the misspelt title is offered its song; taken, then the version rejected.
    ui.fill("#search-input", &slug.replace('-', " ")).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click(&format!(".artist-card[data-slug='{slug}'] .link"))
        .await?;
    ui.click(&format!(".show-row[data-show='{show}'] .link"))
        .await?;
    let suggestion = format!("#alias-suggestions li[data-title=\"{misspelt}\"] .button");
    ui.wait(&suggestion).await?;
    ui.app
        .execute(
            "document.querySelector('#alias-suggestions').scrollIntoView()",
            vec![],
        )
        .await?;
    screenshot(&ui.app, "moderator-alias-suggestion").await?;
    ui.click(&suggestion).await?;
    ui.wait("#alias-suggestions .notice").await?;
    let aliased: i64 = sqlx::query_scalar("SELECT count(*) FROM song_aliases WHERE alias = $1")
        .bind(&misspelt)
        .fetch_one(&mut db)
        .await?;
    anyhow::ensure!(aliased == 1, "the alias was recorded");
    ui.click("#setlist-reject").await?;
    ui.fill("#reject-reason", "The first song is misspelt")
        .await?;
    ui.click("#reject-confirm").await?;
    let start = std::time::Instant::now();
    loop {
        let rejected: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM setlist_versions WHERE setlist_id = $1 AND rejected_at IS NOT NULL",
        )
        .bind(setlist)
        .fetch_one(&mut db)
        .await?;
        if rejected == 1 {
            break;
        }
        anyhow::ensure!(
            start.elapsed().as_secs() < 30,
            "the rejection never reached the server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // The coming show: the vote oversight lists the ring; its votes are voided.
    ui.fill("#search-input", &coming_slug.replace('-', " "))
        .await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click(&format!(".artist-card[data-slug='{coming_slug}'] .link"))
        .await?;
    ui.click(&format!(".show-row[data-show='{coming}'] .link"))
        .await?;
    ui.click("#oversight-open").await?;
    ui.wait("#vote-oversight [data-suspect]").await?;
    ui.app
        .execute(
            "document.querySelector('#vote-oversight').scrollIntoView()",
            vec![],
        )
        .await?;
    let listed = ui
        .attrs("#vote-oversight [data-suspect]", "data-suspect")
        .await?;
    let mut want: Vec<String> = ring.iter().map(Uuid::to_string).collect();
    want.sort();
    let mut got = listed.clone();
    got.sort();
    anyhow::ensure!(got == want, "listed {got:?}, the ring {want:?}");
    screenshot(&ui.app, "moderator-vote-oversight").await?;
    for _ in 0..3 {
        ui.click("#vote-oversight [data-suspect] .button-danger")
            .await?;
        ui.wait("#vote-oversight .notice").await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    ui.gone("#vote-oversight [data-suspect]").await?;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE user_id = ANY($1)")
        .bind(&ring)
        .fetch_one(&mut db)
        .await?;
    anyhow::ensure!(left == 0, "{left} ring votes left");
    let up: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(upvotes), 0) FROM setlist_songs WHERE id = ANY($1)",
    )
    .bind(&lines)
    .fetch_one(&mut db)
    .await?;
    anyhow::ensure!(up == 0, "the totals were recounted: {up}");
    Ok(())
}
