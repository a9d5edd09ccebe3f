mod artist_grid;
mod connection_bar;

pub use artist_grid::ArtistGrid;
pub use connection_bar::{Connection, ConnectionBar};
