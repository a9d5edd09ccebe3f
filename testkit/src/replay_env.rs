//! The provider settings of the offline run: `fixtures/replay.env` lists, one `KEY=value` a
//! line, the variables that point the real provider clients at the replay server, `{base}`
//! standing for its address.

use std::path::Path;

/// The variables of `root/fixtures/replay.env` with `{base}` replaced by `base`.
pub fn provider_env(root: &Path, base: &str) -> std::io::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(root.join("fixtures/replay.env"))?;
    Ok(parse(&text, base))
}

fn parse(text: &str, base: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().replace("{base}", base)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn keys_values_and_the_base() {
        let env = parse(
            "# a comment\n\nTICKETMASTER_BASE_URL = {base}/ticketmaster/discovery/v2\nSPOTIFY_RPM=60000\nnot a setting\n",
            "http://127.0.0.1:9",
        );
        assert_eq!(
            env,
            vec![
                (
                    "TICKETMASTER_BASE_URL".to_owned(),
                    "http://127.0.0.1:9/ticketmaster/discovery/v2".to_owned()
                ),
                ("SPOTIFY_RPM".to_owned(), "60000".to_owned()),
            ]
        );
    }

    #[test]
    fn the_repository_file_parses() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let env = super::provider_env(&root, "http://x").expect("fixtures/replay.env");
        assert!(
            env.iter().any(|(k, _)| k == "TICKETMASTER_API_KEY"),
            "{env:?}"
        );
    }
}
