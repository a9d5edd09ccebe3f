//! End-to-end pieces shared by the desktop window tests, the phone browser tests and the web
//! app's benchmarks: the real backend as a process ([`Backend`]), driving the UI like a person
//! ([`ui::Ui`]), screenshots, Chromium as a phone ([`chrome`]) and the phone's network ([`link`]).

pub mod axe;
mod backend;
pub mod chrome;
pub mod link;
mod tour;
pub mod ui;

pub use backend::{Backend, Seed, artist_with_shows, profile_dir, root, screenshot, wait_for_port};
pub use tour::tour;
