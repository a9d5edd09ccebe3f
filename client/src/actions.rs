//! What a user does, written to the outbox first: it shows at once (reads lay the outbox over
//! the server's rows) and reaches the server with the next sync, exactly once.

use theset_shared::api::{ActualLine, PredictionLine, VoteValue};
use theset_shared::ipc::{Pick, PredictionEdit};
use theset_shared::sync::{Action, Mutation, VoteAction, VoteOn};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

fn refuse(message: &str) -> ClientError {
    ClientError::Invalid(message.into())
}

/// A set-list as written (started or corrected): at least one song; a blank note is none.
fn written(songs: &[ActualLine], note: Option<String>) -> Result<Option<String>, ClientError> {
    if songs.is_empty() {
        return Err(refuse("a set-list has at least one song"));
    }
    Ok(note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()))
}

impl Client {
    pub fn follow(&self, artist: Uuid, follow: bool) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::Follow {
            artist_id: artist,
            follow,
        })
    }

    /// Votes on a line the server knows.
    pub fn vote(&self, line: Uuid, value: VoteValue) -> Result<Mutation, ClientError> {
        self.vote_on(VoteOn::Line(line), value)
    }

    /// Votes on a catalogue song of a show's community list, also one added on this device
    /// that the server has not sent back yet.
    pub fn vote_song(
        &self,
        show: Uuid,
        song: Uuid,
        value: VoteValue,
    ) -> Result<Mutation, ClientError> {
        self.vote_on(
            VoteOn::Song {
                show_id: show,
                song_id: song,
            },
            value,
        )
    }

    /// A vote as the app asks for it (see `CommunityLine::vote_on`).
    pub fn vote_on(&self, on: VoteOn, value: VoteValue) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::Vote(VoteAction { on, value }))
    }

    pub fn add_song(&self, show: Uuid, song: Uuid) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::AddSong {
            show_id: show,
            song_id: song,
        })
    }

    pub fn predict(&self, show: Uuid, songs: Vec<PredictionLine>) -> Result<Mutation, ClientError> {
        if songs.windows(2).any(|w| w[0].encore && !w[1].encore) {
            return Err(refuse("encore songs come after the main set"));
        }
        self.store.enqueue(Action::Predict {
            show_id: show,
            songs,
        })
    }

    /// One step of editing the prediction, on the prediction as the device holds it now. Steps
    /// are serialised, so quick successive ones each see the one before.
    pub fn edit_prediction(
        &self,
        show: Uuid,
        edit: &PredictionEdit,
    ) -> Result<Mutation, ClientError> {
        let _one_at_a_time = self
            .edits
            .lock()
            .map_err(|_| ClientError::Decode("prediction editor poisoned".into()))?;
        let picks: Vec<Pick> = self
            .store
            .prediction(show)?
            .songs
            .iter()
            .filter_map(|s| {
                s.song_id.map(|song_id| Pick {
                    song_id,
                    encore: s.set_name != "main",
                })
            })
            .collect();
        let next = edit.apply(&picks);
        if next.len() > theset_shared::api::MAX_PREDICTION_SONGS {
            return Err(refuse("a prediction has at most 60 songs"));
        }
        self.predict(
            show,
            next.into_iter()
                .map(|p| PredictionLine {
                    song_id: p.song_id,
                    encore: p.encore,
                })
                .collect(),
        )
    }

    /// Starts the actual set-list of a show that has none (after it started).
    pub fn start_setlist(
        &self,
        show: Uuid,
        songs: Vec<ActualLine>,
        note: Option<String>,
    ) -> Result<Mutation, ClientError> {
        let note = written(&songs, note)?;
        self.store.enqueue(Action::StartSetlist {
            show_id: show,
            songs,
            note,
        })
    }

    /// A correction of an actual set-list, based on the version the user saw.
    pub fn edit_setlist(
        &self,
        setlist: Uuid,
        base_version: i32,
        songs: Vec<ActualLine>,
        note: Option<String>,
    ) -> Result<Mutation, ClientError> {
        let note = written(&songs, note)?;
        self.store.enqueue(Action::EditSetlist {
            setlist_id: setlist,
            base_version,
            songs,
            note,
        })
    }
}
