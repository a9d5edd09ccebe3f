mod artist_card;

pub use artist_card::ArtistCard;
