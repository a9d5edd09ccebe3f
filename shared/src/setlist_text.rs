//! The set-list editor's text form: one song per line, and a line starting with `#` names the
//! set the following songs belong to (`# encore`). Songs before any such line are the main set.

use crate::api::ActualLine;
use crate::ipc::ListedSong;

/// Longest title the editor accepts (the server's limit too).
pub const MAX_TITLE: usize = 200;
/// Most songs in one set-list.
pub const MAX_SONGS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetlistTextError {
    #[error("a set-list has at least one song")]
    Empty,
    #[error("line {line}: a title has at most {MAX_TITLE} characters")]
    TitleTooLong { line: usize },
    #[error("a set-list has at most {MAX_SONGS} songs")]
    TooManySongs,
}

/// The editor's text for a set-list.
pub fn to_text(songs: &[ListedSong]) -> String {
    let mut out = String::new();
    let mut set = "main";
    for s in songs {
        if s.set_name != set {
            set = &s.set_name;
            out.push_str(&format!("# {set}\n"));
        }
        out.push_str(&s.title);
        out.push('\n');
    }
    out
}

/// The lines of the text; catalogue matching is the server's (by title).
pub fn parse(text: &str) -> Result<Vec<ActualLine>, SetlistTextError> {
    let mut set = "main".to_owned();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('#') {
            let name = name.trim().to_lowercase();
            set = if name.is_empty() { "main".into() } else { name };
            continue;
        }
        if line.chars().count() > MAX_TITLE {
            return Err(SetlistTextError::TitleTooLong { line: i + 1 });
        }
        out.push(ActualLine {
            title: line.to_owned(),
            song_id: None,
            set_name: set.clone(),
            is_cover: false,
            is_tape: false,
        });
    }
    if out.is_empty() {
        return Err(SetlistTextError::Empty);
    }
    if out.len() > MAX_SONGS {
        return Err(SetlistTextError::TooManySongs);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sets_are_named_by_hash_lines() {
        let lines = parse("Intro\n\n  Song A \n# Encore\nSong B\n").expect("parses");
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.title.as_str(), l.set_name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("Intro", "main"), ("Song A", "main"), ("Song B", "encore")]
        );
    }

    #[test]
    fn empty_and_oversized_input_is_refused() {
        assert_eq!(parse(" \n# encore\n"), Err(SetlistTextError::Empty));
        let long = "x".repeat(MAX_TITLE + 1);
        assert_eq!(
            parse(&format!("a\n{long}")),
            Err(SetlistTextError::TitleTooLong { line: 2 })
        );
        let many = "s\n".repeat(MAX_SONGS + 1);
        assert_eq!(parse(&many), Err(SetlistTextError::TooManySongs));
    }

    proptest! {
        #[test]
        fn text_round_trips(songs in proptest::collection::vec(
            ("[A-Za-z][A-Za-z0-9 ]{0,20}[A-Za-z0-9]", prop_oneof![Just("main"), Just("encore"), Just("encore 2")]),
            1..30,
        )) {
            // Sets come in order, as a show plays them.
            let mut songs = songs;
            songs.sort_by_key(|(_, s)| match *s { "main" => 0, "encore" => 1, _ => 2 });
            let listed: Vec<ListedSong> = songs.iter().map(|(t, s)| ListedSong {
                song_id: None, title: t.clone(), set_name: (*s).to_owned(),
            }).collect();
            let back = parse(&to_text(&listed)).expect("own text parses");
            let got: Vec<(String, String)> = back.into_iter().map(|l| (l.title, l.set_name)).collect();
            let want: Vec<(String, String)> = songs.into_iter().map(|(t, s)| (t, s.to_owned())).collect();
            prop_assert_eq!(got, want);
        }
    }
}
