//! `theset-backend`: serve the API, run migrations, or load the offline catalogue.

use std::future::IntoFuture;
use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

use theset_backend::auth::oauth::ProviderKind;
use theset_backend::cli::{self, Cli, Command};
use theset_backend::config::{Config, LogFormat};
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use theset_backend::{AppState, MIGRATOR, app, cron, db, replay, seed};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Every setting is read here, once; malformed ones stop the process before anything runs.
    let Cli { config, command } = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log_format == LogFormat::Json {
        // One JSON object a line, with the request span (method, path, request id) on each.
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let command = command.unwrap_or(Command::Serve {
        listen: cli::LISTEN.parse().context("the default address")?,
    });
    if let Command::Serve { listen } = &command {
        config.accounts.require_token_secret(*listen)?;
    }
    // The replay server needs no database.
    if let Command::Replay { fixtures, listen } = &command {
        return replay(fixtures, *listen).await;
    }
    let url = config
        .database_url
        .clone()
        .context("DATABASE_URL is not set")?;
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .connect(&url)
        .await
        .context("connecting to Postgres")?;
    MIGRATOR.run(&pool).await.context("migrating")?;
    let providers = || Providers::from_config(&config.providers.clients());
    match command {
        Command::Migrate | Command::Replay { .. } => {}
        Command::SetRole { email, role } => {
            cli::set_role(&pool, &email, role).await?;
            println!("{email} is now {}", role.as_str());
        }
        Command::ConfirmEmail { email } => {
            let link = cli::confirm_email(&pool, &email, &config.accounts.public_url).await?;
            println!(
                "{email} is confirmed. Any password chosen before and every session are gone: \
                 its owner chooses a password with this link (valid 30 minutes):\n{link}"
            );
        }
        Command::Import {
            mut names,
            all_in_fixtures,
            no_wait,
        } => {
            if let Some(dir) = all_in_fixtures {
                names.extend(replay::Catalogue::load(&dir)?.artist_names());
            }
            let state = AppState::with_providers(pool, providers()?);
            cli::import(&state, &names, !no_wait).await?;
        }
        Command::Sync { job, artist_slug } => {
            let state = AppState::with_providers(pool, providers()?);
            cli::sync(&state, job, artist_slug.as_deref()).await?;
        }
        Command::Worker { lease_secs } => {
            // Worker processes run the scheduler too; each slot still fires once.
            if config.schedule.enabled() {
                tokio::spawn(cron::run(
                    pool.clone(),
                    cron::entries(&config.schedule),
                    std::future::pending(),
                ));
            }
            Worker::new(pool, providers()?)
                .with_cache(config.cache.cache(Some(&url)).await)
                .with_maintenance(config.schedule.maintenance())
                .with_lease(Duration::from_secs(lease_secs))
                .run(shutdown())
                .await;
        }
        Command::Seed { fixtures } => {
            let report = seed::load(&pool, &fixtures).await?;
            tracing::info!(?report, "offline catalogue loaded");
        }
        Command::Serve { listen } => serve(&config, pool, &url, listen, providers()?).await?,
    }
    Ok(())
}

/// Serves the API with one in-process worker; more can run as `theset-backend worker` processes.
async fn serve(
    config: &Config,
    pool: sqlx::PgPool,
    url: &str,
    listen: SocketAddr,
    providers: Providers,
) -> anyhow::Result<()> {
    let mut auth = config.auth()?;
    let done = db::shows::complete_past(&pool).await?;
    tracing::debug!(done, "past shows marked completed");
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, "serving");
    let grace = Duration::from_secs(config.shutdown_grace);
    let draining = tokio_util::sync::CancellationToken::new();
    let cache = config.cache.cache(Some(url)).await;
    tracing::info!(shared = cache.has_shared_level(), "cache ready");
    let worker = tokio::spawn(
        Worker::new(pool.clone(), providers.clone())
            .with_cache(cache.clone())
            .with_maintenance(config.schedule.maintenance())
            // Half the grace for a running job, so its hand-back fits in the bound.
            .with_stop_grace(grace / 2)
            .run(draining.clone().cancelled_owned()),
    );
    // Every process runs the scheduler; each slot fires once (see cron.rs).
    if config.schedule.enabled() {
        tokio::spawn(cron::run(
            pool.clone(),
            cron::entries(&config.schedule),
            draining.clone().cancelled_owned(),
        ));
    }
    auth.share_limits(&cache);
    tracing::info!(shared = auth.limits.is_shared(), "rate limits ready");
    let mut state =
        AppState::serving(pool, providers, cache, config.cache.view_flush()).with_auth(auth);
    state.draining = draining.clone();
    if let Some(dir) = &config.web_dir {
        state = state.with_web_app(dir);
    }
    let views = state.views.clone();
    let db = state.db.clone();
    // On SIGTERM: no new connections, live streams end with a reconnect hint, requests in flight
    // are answered, the running job finishes or goes back to the queue — all within `grace`.
    let mut server = tokio::spawn(
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(draining.clone().cancelled_owned())
        .into_future(),
    );
    tokio::select! {
        ended = &mut server => ended??,
        () = shutdown() => {
            tracing::info!(grace_secs = grace.as_secs(), "stopping: draining");
            draining.cancel();
            match tokio::time::timeout(grace, &mut server).await {
                Ok(ended) => ended??,
                Err(_) => {
                    tracing::warn!("requests still open after the grace; closing them");
                    server.abort();
                }
            }
        }
    }
    draining.cancel();
    if tokio::time::timeout(grace, worker).await.is_err() {
        tracing::warn!("the worker did not stop within the grace");
    }
    // The last page views counted since the previous flush.
    if let Err(e) = views.flush(&db).await {
        tracing::warn!(error = %e, "page views not written");
    }
    tracing::info!("stopped");
    Ok(())
}

/// The recorded provider answers as fake services, with fake Google and Spotify sign-in.
async fn replay(fixtures: &std::path::Path, listen: SocketAddr) -> anyhow::Result<()> {
    let catalogue = replay::Catalogue::load(fixtures)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, "replaying {}", fixtures.display());
    let base = format!("http://{}", listener.local_addr()?);
    // The demo's credentials are `offline-demo` for every service, as `cargo xtask run` sets.
    let fake = |kind, name: &str| {
        let issuer = format!("{base}/oauth/{name}");
        replay::oauth::FakeProvider::new(kind, "offline-demo", "offline-demo", &issuer, fixtures)
    };
    let router = replay::router(catalogue)
        .nest(
            "/oauth/google",
            replay::oauth::router(fake(ProviderKind::Google, "google")?),
        )
        .nest(
            "/oauth/spotify",
            replay::oauth::router(fake(ProviderKind::Spotify, "spotify")?),
        );
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
