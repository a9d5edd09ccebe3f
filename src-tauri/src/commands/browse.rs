//! Pages: each answers from the server when it can, else from the device (`Fetched::stale`).

use tauri::{AppHandle, Emitter};
use theset_shared::api::{
    ArtistSearchHit, ArtistSearchResults, Dashboard, Home, ImportResponse, Page, SearchSort,
    ShowSummary, VenueDetail, VenueSummary,
};
use theset_shared::ipc::{
    ArtistView, CachedArtist, Fetched, IpcError, ShowView, VenueQuery, events,
};
use theset_shared::slug::is_valid_slug;
use uuid::Uuid;

use super::{IpcResult, ShellState, invalid, ipc_error};

/// Artists from the local store (instant, works offline).
#[tauri::command(rename_all = "snake_case")]
pub fn list_cached_artists(shell: ShellState<'_>) -> IpcResult<Vec<CachedArtist>> {
    shell.client.cached_artists().map_err(ipc_error)
}

/// Followed artists' shows from the device (instant, works offline).
#[tauri::command(rename_all = "snake_case")]
pub fn my_shows(shell: ShellState<'_>) -> IpcResult<Vec<ShowSummary>> {
    shell.client.my_shows().map_err(ipc_error)
}

/// The UI's first page is on screen: logged with the time since the process started, which the
/// cold-start benchmark reads (`THESET_EXIT_AFTER_FIRST_RENDER` ends the app right after).
#[tauri::command(rename_all = "snake_case")]
pub fn first_render(app: tauri::AppHandle) {
    let ms = crate::STARTED
        .get()
        .map(|t| t.elapsed().as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN);
    tracing::info!(ms, "first page rendered");
    if std::env::var_os("THESET_EXIT_AFTER_FIRST_RENDER").is_some() {
        println!("first-render-ms {ms:.1}");
        app.exit(0);
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn home(shell: ShellState<'_>) -> IpcResult<Fetched<Home>> {
    shell.client.page("/home", &[]).await.map_err(ipc_error)
}

/// Artist search on the server (which also asks Ticketmaster); with no network, the artists
/// this device knows.
#[tauri::command(rename_all = "snake_case")]
pub async fn search(
    shell: ShellState<'_>,
    q: String,
    genre: Option<String>,
    min_popularity: Option<i32>,
    sort: Option<SearchSort>,
) -> IpcResult<Fetched<ArtistSearchResults>> {
    let q = q.trim().to_owned();
    if q.is_empty() || q.chars().count() > 199 {
        return Err(invalid("Type 1 to 199 characters to search."));
    }
    let mut query = vec![("q", q.clone()), ("limit", "40".to_owned())];
    if let Some(g) = genre.filter(|g| !g.trim().is_empty()) {
        query.push(("genre", g.trim().to_owned()));
    }
    if let Some(p) = min_popularity.filter(|p| *p > 0) {
        query.push(("min_popularity", p.clamp(0, 100).to_string()));
    }
    if let Some(s) = sort {
        let s = match s {
            SearchSort::Relevance => "relevance",
            SearchSort::Name => "name",
            SearchSort::Trending => "trending",
        };
        query.push(("sort", s.to_owned()));
    }
    match shell.client.page("/search/artists", &query).await {
        Err(e) if e.is_transient() => local_search(&shell, &q).map_err(ipc_error),
        other => other.map_err(ipc_error),
    }
}

fn local_search(
    shell: &ShellState<'_>,
    q: &str,
) -> Result<Fetched<ArtistSearchResults>, theset_client::ClientError> {
    let cached = shell.client.cached_artists()?;
    let hits = shell.client.store().search(q, 40)?;
    let items = hits
        .into_iter()
        .filter(|h| h.kind == "artist")
        .filter_map(|h| cached.iter().find(|a| a.id == h.reference))
        .map(|a| ArtistSearchHit {
            id: a.id.parse().ok(),
            slug: Some(a.slug.clone()),
            ticketmaster_id: None,
            name: a.name.clone(),
            image_url: a.image_url.clone(),
            genres: a.genres.clone(),
            popularity: a.popularity,
            trending_score: None,
            in_database: true,
        })
        .collect();
    Ok(Fetched {
        data: ArtistSearchResults {
            items,
            unavailable: vec!["server".to_owned()],
        },
        stale: true,
        fetched_at: chrono::Utc::now(),
    })
}

/// Starts (or joins) the import of an artist found on Ticketmaster; its progress arrives as
/// `events::PROGRESS` until every phase has ended.
#[tauri::command(rename_all = "snake_case")]
pub async fn import_artist(
    app: AppHandle,
    shell: ShellState<'_>,
    ticketmaster_id: String,
) -> IpcResult<ImportResponse> {
    let started = shell
        .client
        .import_artist(&ticketmaster_id)
        .await
        .map_err(|e| match e {
            // Adding an artist spends a signed-in fan's import budget.
            theset_client::ClientError::SignedOut => IpcError {
                code: "signed_out".into(),
                message: "Sign in to add this artist to TheSet.".into(),
            },
            other => ipc_error(other),
        })?;
    let client = shell.client.clone();
    let slug = started.artist.summary.slug.clone();
    tauri::async_runtime::spawn(async move {
        let emit = |e| {
            let _ = app.emit(events::PROGRESS, e);
        };
        let path = format!("/artists/{slug}/import/events");
        if let Err(e) = client.follow_progress(&path, emit).await {
            tracing::warn!(error = %e, %slug, "import progress lost");
        }
    });
    Ok(started)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn artist(shell: ShellState<'_>, slug: String) -> IpcResult<ArtistView> {
    if !is_valid_slug(&slug) {
        return Err(invalid("not an artist address"));
    }
    shell.client.artist_view(&slug).await.map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn show(shell: ShellState<'_>, id: Uuid) -> IpcResult<ShowView> {
    shell.client.show_view(id).await.map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn venue(shell: ShellState<'_>, id: Uuid) -> IpcResult<Fetched<VenueDetail>> {
    shell
        .client
        .page(&format!("/venues/{id}"), &[])
        .await
        .map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn venues(
    shell: ShellState<'_>,
    query: VenueQuery,
) -> IpcResult<Fetched<Page<VenueSummary>>> {
    let mut q: Vec<(&str, String)> = vec![("limit", "50".into())];
    if let Some(c) = query.city.filter(|c| !c.trim().is_empty()) {
        q.push(("city", c.trim().to_owned()));
    }
    if let Some(c) = query.min_capacity.filter(|c| *c > 0) {
        q.push(("min_capacity", c.to_string()));
    }
    if query.has_upcoming {
        q.push(("has_upcoming", "true".into()));
    }
    if let Some(p) = query.near {
        if !(-90.0..=90.0).contains(&p.lat) || !(-180.0..=180.0).contains(&p.lng) {
            return Err(invalid("That position is not on Earth."));
        }
        q.push(("near", format!("{},{}", p.lat, p.lng)));
        q.push((
            "km",
            query.km.unwrap_or(50.0).clamp(1.0, 20_000.0).to_string(),
        ));
    }
    shell.client.page("/venues", &q).await.map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn dashboard(shell: ShellState<'_>) -> IpcResult<Fetched<Dashboard>> {
    shell
        .client
        .page("/me/dashboard", &[])
        .await
        .map_err(ipc_error)
}
