//! A fan's prediction as the API shows it (the GET route and the answer to a change).

use theset_shared::api::{PredictedSong, Prediction};
use uuid::Uuid;

use crate::db::predictions::PredictedRow;

/// The prediction made of its rows; `locked` once the show started.
pub fn assemble(show: Uuid, locked: bool, rows: Vec<PredictedRow>) -> Prediction {
    Prediction {
        show_id: show,
        locked,
        updated_at: rows.first().map(|r| r.updated_at),
        songs: rows
            .into_iter()
            .map(|r| PredictedSong {
                song_id: r.song_id,
                title: r.title,
                encore: r.encore,
            })
            .collect(),
    }
}
