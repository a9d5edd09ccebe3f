//! `theset-backend`: serve the API, run migrations, or load the offline catalogue.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

use theset_backend::auth::oauth::ProviderKind;
use theset_backend::cache::Cache;
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use theset_backend::providers::config::ProvidersConfig;
use theset_backend::{AppState, MIGRATOR, app, cli, cron, db, replay, seed};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "theset-backend", version, about)]
struct Cli {
    /// Postgres connection string.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, then serve HTTP (the default).
    Serve {
        #[arg(long, env = "THESET_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Run import jobs only (no HTTP), e.g. as extra worker processes.
    Worker {
        /// Job lease in seconds: a job whose worker dies is picked up again after it.
        #[arg(long, env = "THESET_JOB_LEASE_SECS", default_value_t = 30)]
        lease_secs: u64,
    },
    /// Serve the recorded API answers in a fixtures folder as fake Ticketmaster, Spotify and
    /// setlist.fm services (the offline demo points the real clients at it).
    Replay {
        #[arg(long, env = "THESET_FIXTURES", default_value = "fixtures")]
        fixtures: PathBuf,
        #[arg(long, default_value = "127.0.0.1:18081")]
        listen: SocketAddr,
    },
    /// Import artists by name through the importers, with progress bars.
    Import {
        names: Vec<String>,
        /// Also import every artist the fixtures folder's Ticketmaster searches know.
        #[arg(long)]
        all_in_fixtures: Option<PathBuf>,
        /// Queue the jobs and return (a running server's worker does them).
        #[arg(long)]
        no_wait: bool,
    },
    /// Run a job by hand: `shows`, `catalogue` or `setlists` for an artist (by slug), or the cron
    /// jobs `active`, `trending`, `scores`, `weekly`.
    Sync {
        job: String,
        artist_slug: Option<String>,
    },
    /// Give an account a role (`user`, `moderator`, `admin`): how the first admin is made.
    SetRole { email: String, role: String },
    /// Mark an account's address confirmed, as its mailed code would (an operator vouching for
    /// it: the first admin, or a deployment without mail). Password and sessions stay.
    ConfirmEmail { email: String },
    /// Load the offline demo catalogue from recorded API answers (idempotent).
    Seed {
        #[arg(long, env = "THESET_FIXTURES", default_value = "fixtures")]
        fixtures: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    // Configuration the server refuses is refused before anything else happens.
    let serve_auth = match &cli.command {
        Some(Command::Serve { listen }) => {
            theset_backend::auth::require_token_secret(*listen)?;
            Some(theset_backend::auth::AuthConfig::from_env()?)
        }
        _ => None,
    };
    // The replay server needs no database.
    if let Some(Command::Replay { fixtures, listen }) = &cli.command {
        let catalogue = replay::Catalogue::load(fixtures)?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        tracing::info!(addr = %listener.local_addr()?, "replaying {}", fixtures.display());
        let base = format!("http://{}", listener.local_addr()?);
        // The demo's credentials are `offline-demo` for every service, as `cargo xtask run` sets.
        let fake = |kind, name: &str| {
            let issuer = format!("{base}/oauth/{name}");
            replay::oauth::FakeProvider::new(
                kind,
                "offline-demo",
                "offline-demo",
                &issuer,
                fixtures,
            )
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
        return Ok(());
    }
    let url = cli.database_url.context("DATABASE_URL is not set")?;
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .connect(&url)
        .await
        .context("connecting to Postgres")?;
    match cli.command.unwrap_or(Command::Serve {
        listen: ([127, 0, 0, 1], 8080).into(),
    }) {
        Command::Migrate => {
            MIGRATOR.run(&pool).await.context("migrating")?;
        }
        Command::Replay { .. } => {}
        Command::SetRole { email, role } => {
            MIGRATOR.run(&pool).await.context("migrating")?;
            let role = theset_shared::api::Role::parse(&role)
                .context("role must be user, moderator or admin")?;
            let id = theset_backend::db::users::set_role_by_email(&pool, &email, role)
                .await?
                .with_context(|| format!("no account uses {email}"))?;
            theset_backend::db::audit::record(
                &pool,
                theset_backend::db::audit::Event {
                    actor: None,
                    action: "user.role_changed",
                    subject: Some(id),
                    ip: None,
                    detail: serde_json::json!({ "to": role.as_str(), "via": "cli" }),
                },
            )
            .await?;
            println!("{email} is now {}", role.as_str());
        }
        Command::ConfirmEmail { email } => {
            MIGRATOR.run(&pool).await.context("migrating")?;
            let mut tx = pool.begin().await?;
            let id = theset_backend::db::users::by_email(&mut *tx, &email)
                .await?
                .with_context(|| format!("no account uses {email}"))?;
            theset_backend::actions::accounts::prove_address(
                &mut tx,
                id,
                &email,
                theset_backend::actions::accounts::Prover::Owner,
            )
            .await?
            .with_context(|| format!("{email} changed meanwhile"))?;
            theset_backend::db::audit::record(
                &mut *tx,
                theset_backend::db::audit::Event {
                    actor: None,
                    action: "auth.email_verified",
                    subject: Some(id),
                    ip: None,
                    detail: serde_json::json!({ "via": "cli" }),
                },
            )
            .await?;
            tx.commit().await?;
            println!("{email} is confirmed");
        }
        Command::Import {
            mut names,
            all_in_fixtures,
            no_wait,
        } => {
            MIGRATOR.run(&pool).await.context("migrating")?;
            if let Some(dir) = all_in_fixtures {
                names.extend(replay::Catalogue::load(&dir)?.artist_names());
            }
            let state = AppState::with_providers(
                pool,
                Providers::from_config(&ProvidersConfig::from_env())?,
            );
            cli::import(&state, &names, !no_wait).await?;
        }
        Command::Sync { job, artist_slug } => {
            MIGRATOR.run(&pool).await.context("migrating")?;
            let state = AppState::with_providers(
                pool,
                Providers::from_config(&ProvidersConfig::from_env())?,
            );
            cli::sync(&state, &job, artist_slug.as_deref()).await?;
        }
        Command::Worker { lease_secs } => {
            MIGRATOR.run(&pool).await.context("migrating")?;
            let providers = Providers::from_config(&ProvidersConfig::from_env())?;
            // Worker processes run the scheduler too; each slot still fires once.
            if std::env::var("THESET_CRON").as_deref() != Ok("off") {
                tokio::spawn(cron::run(
                    pool.clone(),
                    cron::entries_from_env()?,
                    std::future::pending(),
                ));
            }
            Worker::new(pool, providers)
                .with_cache(Cache::from_env().await)
                .with_lease(Duration::from_secs(lease_secs.max(1)))
                .run(shutdown())
                .await;
        }
        Command::Seed { fixtures } => {
            MIGRATOR.run(&pool).await.context("migrating")?;
            let report = seed::load(&pool, &fixtures).await?;
            tracing::info!(?report, "offline catalogue loaded");
        }
        Command::Serve { listen } => {
            theset_backend::auth::require_token_secret(listen)?;
            let mut auth = match serve_auth {
                Some(auth) => auth,
                None => theset_backend::auth::AuthConfig::from_env()?,
            };
            MIGRATOR.run(&pool).await.context("migrating")?;
            let done = db::shows::complete_past(&pool).await?;
            tracing::debug!(done, "past shows marked completed");
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("binding {listen}"))?;
            tracing::info!(addr = %listener.local_addr()?, "serving");
            // One in-process worker; more can run as `theset-backend worker` processes.
            let providers = Providers::from_config(&ProvidersConfig::from_env())?;
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let (cron_stop_tx, cron_stop_rx) = tokio::sync::oneshot::channel::<()>();
            let cache = Cache::from_env().await;
            tracing::info!(shared = cache.has_shared_level(), "cache ready");
            let worker = tokio::spawn(
                Worker::new(pool.clone(), providers.clone())
                    .with_cache(cache.clone())
                    .run(async {
                        let _ = stop_rx.await;
                    }),
            );
            // Every process runs the scheduler; each slot fires once (see cron.rs).
            if std::env::var("THESET_CRON").as_deref() != Ok("off") {
                tokio::spawn(cron::run(pool.clone(), cron::entries_from_env()?, async {
                    let _ = cron_stop_rx.await;
                }));
            }
            auth.share_limits(&cache);
            tracing::info!(shared = auth.limits.is_shared(), "rate limits ready");
            let state = AppState::with_cache(pool, providers, cache).with_auth(auth);
            axum::serve(
                listener,
                app(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown())
            .await?;
            let _ = stop_tx.send(());
            let _ = cron_stop_tx.send(());
            let _ = worker.await;
        }
    }
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
