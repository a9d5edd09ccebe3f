//! Terminal front-ends of the import jobs: `theset-backend import "<artist>"…` and
//! `theset-backend sync <job> <artist-slug>` run the same jobs as the API, in-process, with a
//! progress bar per artist and phase fed by the same progress events the SSE streams send.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use theset_shared::api::JobName;
use uuid::Uuid;

use crate::AppState;
use crate::db::jobs as jobs_db;
use crate::db::progress::{self, Scope};
use crate::db::{artists, setlist_imports};
use crate::import::phase_one;
use crate::jobs::worker::Worker;
use crate::jobs::{Named, enqueue_artist_job, enqueue_cron_job, job_by_name, types};

/// Imports each named artist (best Ticketmaster match); with `wait`, runs the jobs here and shows
/// their progress until every phase is done.
pub async fn import(state: &AppState, names: &[String], wait: bool) -> anyhow::Result<()> {
    let tm = state
        .providers
        .ticketmaster
        .as_ref()
        .context("Ticketmaster is not configured (TICKETMASTER_API_KEY)")?;
    let mut artists = Vec::new();
    for name in names {
        let hits = tm.search_attractions(name).await?;
        let Some(hit) = hits
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .or(hits.first())
        else {
            eprintln!("no artist found for {name:?}");
            continue;
        };
        state.attractions.insert(hit.id.clone(), hit.clone()).await;
        let started = phase_one(state, &hit.id).await?;
        println!(
            "{} {} ({} job(s) queued)",
            if started.created { "added" } else { "known" },
            hit.name,
            started.jobs.len()
        );
        artists.push((hit.name.clone(), started.artist_id));
    }
    if wait {
        run_with_progress(state, &artists).await?;
    }
    Ok(())
}

/// Runs a job by hand with a progress bar: an import phase for an artist (by slug), or a cron job.
pub async fn sync(state: &AppState, name: JobName, slug: Option<&str>) -> anyhow::Result<()> {
    let named = job_by_name(name);
    if let Named::Cron(job_type) = named {
        let id = enqueue_cron_job(&state.db, job_type).await?;
        let worker = Worker::new(state.db.clone(), state.providers.clone());
        while worker.run_one().await?.is_some() {
            let status = jobs_db::status_of(&state.db, id)
                .await?
                .context("the job vanished")?;
            if status != "queued" && status != "running" {
                break;
            }
        }
        for (_, e) in
            progress::events_after(&state.db, Scope::Job(id), Default::default(), 1000).await?
        {
            println!(
                "{:>10} {:>10} {}",
                e.step,
                e.status,
                e.message.unwrap_or_default()
            );
        }
        return Ok(());
    }
    let Named::Artist(job_type) = named else {
        bail!("unreachable: cron jobs returned above");
    };
    let slug = slug.context("this job needs an artist slug")?;
    let (id, name) = artists::id_and_name_by_slug(&state.db, slug)
        .await?
        .with_context(|| format!("no artist with slug {slug:?}"))?;
    if job_type == types::ARTIST_SETLISTS {
        // By hand, every past show is due now.
        setlist_imports::make_due(&state.db, id).await?;
    }
    enqueue_artist_job(&state.db, job_type, id, 20).await?;
    run_with_progress(state, &[(name, id)]).await
}

async fn run_with_progress(state: &AppState, artists: &[(String, Uuid)]) -> anyhow::Result<()> {
    let bars = MultiProgress::new();
    let style =
        ProgressStyle::with_template("{prefix:30} {bar:30.green/white} {pos:>4}/{len:4} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    let mut shown: HashMap<(Uuid, String), ProgressBar> = HashMap::new();
    let mut seen: HashMap<Uuid, progress::Cursor> = HashMap::new();
    let worker = Worker::new(state.db.clone(), state.providers.clone());
    let runner = tokio::spawn({
        let worker = worker.clone();
        async move {
            loop {
                match worker.run_one().await {
                    Ok(Some(_)) => {}
                    Ok(None) => tokio::time::sleep(Duration::from_millis(200)).await,
                    Err(e) => {
                        eprintln!("worker: {e}");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        }
    });
    loop {
        for (name, id) in artists {
            let after = seen.get(id).copied().unwrap_or_default();
            for (cursor, e) in
                progress::events_after(&state.db, Scope::Artist(*id), after, 500).await?
            {
                seen.insert(*id, cursor);
                let bar = shown.entry((*id, e.phase.clone())).or_insert_with(|| {
                    let b = bars.add(ProgressBar::new(1));
                    b.set_style(style.clone());
                    b.set_prefix(format!("{name} · {}", e.phase));
                    b
                });
                if let Some(total) = e.total {
                    bar.set_length(u64::try_from(total.max(1)).unwrap_or(1));
                    bar.set_position(u64::try_from(e.processed).unwrap_or(0));
                }
                bar.set_message(e.message.clone().unwrap_or_default());
                if e.is_terminal() {
                    bar.set_position(bar.length().unwrap_or(1));
                    bar.finish_with_message(format!(
                        "{}: {}",
                        e.status,
                        e.message.unwrap_or_default()
                    ));
                }
            }
        }
        let ids: Vec<Uuid> = artists.iter().map(|(_, id)| *id).collect();
        let pending = jobs_db::pending_for_artists(&state.db, &ids).await?;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    runner.abort();
    Ok(())
}
