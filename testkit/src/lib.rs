//! The workspace's one test kit: what every test needs and used to copy.
//!
//! - [`TestApp`]: the real router served on a loopback port (as in production, with the peer
//!   address), with accounts, requests, mail and a footprint of the account tables.
//! - [`accounts`]: an account with a live session written straight to the database (benches,
//!   client tests, the reliability suite, window tests: no sign-up rate limits, no hashing).
//! - [`rows`]: artists, venues, shows, songs, set-lists and users for a test's story.
//! - [`mail`]: what the local SMTP sink received.
//! - [`modules`]: the import graph of a crate's top-level modules, for the layering tests.
//! - [`loadgen`]: a thin HTTP/1.1 load generator for the benchmarks.
//! - [`pgbench`]: raw `pgbench` runs, the baseline benchmarks measure against, and quantiles.
//! - [`process`]: free ports, children killed when dropped, `theset-backend` on a free port.
//! - [`replay_env`]: the provider settings of the offline run (`fixtures/replay.env`), shared by
//!   `cargo xtask run` and the window tests.
//!
//! - [`e2e`] (feature `e2e`): the backend as a process and WebDriver helpers, for the desktop
//!   window tests and the phone browser tests.
//!
//! Without the `server` feature (xtask, the end-to-end tests) the kit does not build the backend:
//! addresses, processes, the replay settings; `mail` adds the SMTP sink, `e2e` the rest.

mod addresses;
pub mod modules;
pub mod pgbench;
pub mod process;
pub mod replay_env;
pub mod sse;

#[cfg(feature = "server")]
pub mod accounts;
#[cfg(feature = "server")]
mod app;
#[cfg(feature = "server")]
pub mod databases;
#[cfg(feature = "e2e")]
pub mod e2e;
#[cfg(feature = "server")]
pub mod loadgen;
#[cfg(feature = "server")]
pub mod loopback;
#[cfg(feature = "mail")]
pub mod mail;
#[cfg(feature = "server")]
pub mod rows;

pub use addresses::{PASSWORD, email};
#[cfg(feature = "server")]
pub use theset_shared::api::Role;

#[cfg(feature = "server")]
pub use accounts::Session;
#[cfg(feature = "server")]
pub use app::{Builder, TestApp, json_of, test_auth, unlimited_votes};
