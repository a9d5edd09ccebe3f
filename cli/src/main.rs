//! `theset-cli`: the offline core from a terminal. Every change goes to the local outbox
//! first and reaches the server with `sync`, so it works without a network:
//!
//! ```text
//! theset-cli signup --email me@example.com --name Me   # or `login`; password from THESET_PASSWORD or stdin
//! theset-cli follow phoebe-bridgers
//! theset-cli sync
//! theset-cli shows phoebe-bridgers
//! theset-cli vote <show-id> "Motion Sickness" up  # offline is fine
//! theset-cli predict <show-id> "Kyoto" "Garden Song" --encore "I Know The End"
//! theset-cli status
//! theset-cli sync                                 # when the network is back
//! ```

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use theset_client::Client;
use theset_shared::api::PredictionLine;
use uuid::Uuid;

/// Prints a line; a closed pipe (`theset-cli status | head`) ends output quietly.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

#[derive(Parser)]
#[command(name = "theset-cli", about = "TheSet from a terminal, offline first")]
struct Cli {
    /// The TheSet server.
    #[arg(long, env = "THESET_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Where this device keeps its store.
    #[arg(long, env = "THESET_CLIENT_DATA")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an account (password from THESET_PASSWORD or stdin; 15 characters or more).
    Signup {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    Login {
        #[arg(long)]
        email: String,
    },
    /// Confirm your address with the code (or link) from the mail.
    Confirm {
        code: String,
    },
    /// Mail the confirmation code again.
    ResendConfirmation,
    Logout,
    /// Follow (or with --unfollow, stop following) an artist by slug.
    Follow {
        slug: String,
        #[arg(long)]
        unfollow: bool,
    },
    /// Push the outbox, pull what changed.
    Sync,
    /// Followed artists and unsent changes.
    Status,
    /// Shows of a followed artist held on this device.
    Shows {
        slug: String,
    },
    /// A show's community list and your prediction.
    Show {
        show: Uuid,
    },
    /// Vote on a song of a show's community list (adding it if needed): up, down or clear.
    Vote {
        show: Uuid,
        title: String,
        vote: String,
    },
    /// Your prediction: songs in order; --encore ones close the show.
    Predict {
        show: Uuid,
        songs: Vec<String>,
        #[arg(long)]
        encore: Vec<String>,
    },
    /// Search cached artists and songs.
    Search {
        query: String,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let data = cli
        .data
        .or_else(|| dirs::data_dir().map(|d| d.join("theset-client")))
        .context("no data folder: pass --data")?;
    let client = Client::open(
        &data.join(theset_client::store_file(&cli.server)),
        &cli.server,
    )?;
    match cli.command {
        Command::Signup { email, name } => {
            match client.signup(&email, &password()?, &name).await? {
                theset_client::SignedUp::SignedIn => out!(
                    "signed in (tokens in the {}); confirm your address with the code from the mail \
                 (`confirm <code>`) before your votes and predictions go out",
                    client.session().vault_kind()
                ),
                theset_client::SignedUp::CheckMail => out!(
                    "check your mail: if {email} already has an account, the mail has a link to sign in"
                ),
            }
        }
        Command::Confirm { code } => {
            client.confirm_email(&code).await?;
            out!("address confirmed; `sync` sends what waited");
        }
        Command::ResendConfirmation => {
            client.resend_confirmation().await?;
            out!("a new code is on its way");
        }
        Command::Login { email } => {
            client.login(&email, &password()?).await?;
            out!(
                "signed in (tokens in the {})",
                client.session().vault_kind()
            );
        }
        Command::Logout => {
            client.logout().await?;
            out!("signed out; private data on this device wiped");
        }
        Command::Follow { slug, unfollow } => {
            let id = artist_id(&client, &slug).await?;
            client.follow(id, !unfollow)?;
            out!(
                "{} {slug} (saved on this device; `sync` sends it)",
                if unfollow { "unfollowed" } else { "following" }
            );
        }
        Command::Sync => match client.sync().await {
            Ok(o) => {
                out!(
                    "pushed {} change(s) ({} refused), received {} change(s)",
                    o.pushed,
                    o.rejected,
                    o.changes
                );
                match o.held {
                    Some(theset_client::Held::EmailUnverified) => out!(
                        "the rest waits on this device until your address is confirmed (`confirm <code>`)"
                    ),
                    Some(theset_client::Held::Busy(wait)) => out!(
                        "the server asked to slow down; the rest goes in {} s",
                        wait.as_secs()
                    ),
                    None => {}
                }
            }
            Err(e) if e.is_transient() => {
                out!(
                    "offline: {} — your changes stay saved on this device",
                    e.user_message()
                );
            }
            Err(e) => return Err(e.into()),
        },
        Command::Status => status(&client).await?,
        Command::Shows { slug } => {
            let id = artist_id(&client, &slug).await?;
            for s in client.store().shows_of(id)? {
                let venue = s
                    .summary
                    .venue
                    .as_ref()
                    .map(|v| v.name.as_str())
                    .unwrap_or("venue tba");
                out!(
                    "{}  {}  {}  {}",
                    s.summary.id,
                    s.summary.date,
                    s.summary.status.as_str(),
                    venue
                );
            }
        }
        Command::Show { show } => {
            out!("community list:");
            for l in client.store().community(show)? {
                let mark = if l.pending {
                    " (saved on this device)"
                } else {
                    ""
                };
                let mine = match l.my_vote {
                    1 => " [you: up]",
                    -1 => " [you: down]",
                    _ => "",
                };
                out!(
                    "  {:+3}  {}  ▲{} ▼{}{mine}{mark}",
                    l.net_votes,
                    l.title,
                    l.upvotes,
                    l.downvotes
                );
            }
            let p = client.store().prediction(show)?;
            out!(
                "your prediction{}:",
                if p.pending {
                    " (saved on this device)"
                } else {
                    ""
                }
            );
            for (i, s) in p.songs.iter().enumerate() {
                out!(
                    "  {}. {}{}",
                    i + 1,
                    s.title,
                    if s.set_name == "main" {
                        ""
                    } else {
                        " (encore)"
                    }
                );
            }
        }
        Command::Vote { show, title, vote } => {
            let value = match vote.as_str() {
                "up" => theset_shared::api::VoteValue::Up,
                "down" => theset_shared::api::VoteValue::Down,
                "clear" => theset_shared::api::VoteValue::Clear,
                _ => bail!("vote is up, down or clear"),
            };
            let lines = client.store().community(show)?;
            match lines.iter().find(|l| l.title.eq_ignore_ascii_case(&title)) {
                Some(l) => match (l.line_id, l.song_id) {
                    (Some(line), _) => drop(client.vote(line, value)?),
                    (None, Some(song)) => drop(client.vote_song(show, song, value)?),
                    _ => bail!("that line cannot take votes yet"),
                },
                None => {
                    let song = song_id(&client, show, &title)?;
                    client.add_song(show, song)?;
                    client.vote_song(show, song, value)?;
                }
            }
            out!("vote saved on this device; `sync` sends it");
        }
        Command::Predict {
            show,
            songs,
            encore,
        } => {
            let mut lines = Vec::new();
            for (title, encore) in songs
                .iter()
                .map(|t| (t, false))
                .chain(encore.iter().map(|t| (t, true)))
            {
                lines.push(PredictionLine {
                    song_id: song_id(&client, show, title)?,
                    encore,
                });
            }
            client.predict(show, lines)?;
            out!("prediction saved on this device; `sync` sends it");
        }
        Command::Search { query } => {
            for h in client.store().search(&query, 20)? {
                out!("{:6}  {}", h.kind, h.name);
            }
        }
    }
    Ok(())
}

fn password() -> Result<String> {
    Ok(match std::env::var("THESET_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprint!("password: ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    })
}

async fn status(client: &Client) -> Result<()> {
    let store = client.store();
    let (pending, applied, rejected) = store.outbox_counts()?;
    out!(
        "signed in: {}   device: {}",
        client.session().signed_in().await,
        store.device_id()?
    );
    out!("unsent changes: {pending}   sent, awaiting sync: {applied}   refused: {rejected}");
    out!(
        "last sync: {}",
        store.meta("synced_at")?.unwrap_or_else(|| "never".into())
    );
    for e in store.outbox()? {
        if let Some(theset_shared::sync::Outcome::Rejected { message, .. }) = &e.outcome {
            out!("  refused #{}: {message}", e.mutation.seq);
        }
    }
    out!("following:");
    for (_, name, pending) in store.followed()? {
        out!(
            "  {name}{}",
            if pending {
                " (saved on this device)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// An artist id by slug: from this device, else from the server.
async fn artist_id(client: &Client, slug: &str) -> Result<Uuid> {
    if let Some(id) = client.store().artist_id_by_slug(slug)? {
        return Ok(id);
    }
    let view = client.artist_view(slug).await.with_context(|| {
        format!("artist {slug} is not on this device and the server cannot be asked")
    })?;
    Ok(view.artist.data.summary.id)
}

/// A catalogue song of the show's headliner by title, from this device.
fn song_id(client: &Client, show: Uuid, title: &str) -> Result<Uuid> {
    let s = client
        .store()
        .show(show)?
        .context("that show is not on this device: follow its artist and sync")?;
    client
        .store()
        .catalogue(s.summary.artist.id)?
        .into_iter()
        .find(|(_, t)| t.eq_ignore_ascii_case(title))
        .map(|(id, _)| id)
        .with_context(|| format!("no song called {title:?} in the catalogue on this device"))
}
