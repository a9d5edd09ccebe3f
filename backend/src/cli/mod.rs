//! The `theset-backend` command line: its subcommands and every setting ([`Config`]), parsed
//! once by `main`, and the terminal front-ends of jobs and accounts.

mod accounts;
mod jobs;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use theset_shared::api::{JobName, Role};

pub use accounts::{confirm_email, set_role};
pub use jobs::{import, sync};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(name = "theset-backend", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

pub const LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then serve HTTP (the default).
    Serve {
        #[arg(long, env = "THESET_LISTEN", default_value = LISTEN)]
        listen: SocketAddr,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Run import jobs only (no HTTP), e.g. as extra worker processes.
    Worker {
        /// Job lease in seconds: a job whose worker dies is picked up again after it.
        #[arg(long, env = "THESET_JOB_LEASE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        lease_secs: u64,
    },
    /// Serve the recorded API answers in a fixtures folder as fake Ticketmaster, Spotify and
    /// setlist.fm services (the offline demo points the real clients at it).
    Replay {
        #[arg(long, env = "THESET_FIXTURES", default_value = "fixtures")]
        fixtures: PathBuf,
        #[arg(long, env = "THESET_REPLAY_LISTEN", default_value = "127.0.0.1:18081")]
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
        #[arg(value_parser = job_name)]
        job: JobName,
        artist_slug: Option<String>,
    },
    /// Give an account a role (`user`, `moderator`, `admin`): how the first admin is made.
    SetRole {
        email: String,
        #[arg(value_parser = role)]
        role: Role,
    },
    /// Mark an account's address confirmed, as a mailed link opened by the mailbox's owner
    /// would (an operator vouching for the mailbox: the first admin, or a deployment without
    /// mail). A password chosen before and every session go; prints a link (valid 30 minutes)
    /// with which the owner chooses a password.
    ConfirmEmail { email: String },
    /// Load the offline demo catalogue from recorded API answers (idempotent).
    Seed {
        #[arg(long, env = "THESET_FIXTURES", default_value = "fixtures")]
        fixtures: PathBuf,
    },
}

fn job_name(raw: &str) -> Result<JobName, String> {
    JobName::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = JobName::ALL.iter().map(|n| n.as_str()).collect();
        format!("use {}", names.join(", "))
    })
}

fn role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| "use user, moderator or admin".to_owned())
}
