mod artist_card;
mod phase_progress;
mod search_bar;
mod show_row;
mod song_picker;
mod vote_row;

pub use artist_card::{ArtistCard, CardArtist, compact_count};
pub use phase_progress::PhaseProgress;
pub use search_bar::SearchBar;
pub use show_row::{ShowRow, show_title, status_tone};
pub use song_picker::{SongPicker, matching};
pub use vote_row::VoteRow;
