//! The web app's build manifest: which files the service worker keeps for opening offline, and a
//! version that changes whenever any of them does (so the next online visit fetches the new set).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Writes `shell.json` in `dist`: every file the app needs, and their combined hash.
pub fn shell_manifest(dist: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    collect(dist, dist, &mut files)?;
    files.sort();
    let mut hash = Sha256::new();
    let mut names = Vec::new();
    for rel in &files {
        let name = rel.to_string_lossy().replace('\\', "/");
        // The service worker and this list are fetched fresh on every check, never cached.
        if name == "shell.json" || name == "sw.js" {
            continue;
        }
        hash.update(name.as_bytes());
        hash.update(std::fs::read(dist.join(rel))?);
        names.push(name);
    }
    let version: String = hash
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let body = format!(
        "{{\"version\":\"{version}\",\"files\":[{}]}}\n",
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    super::copy_if_changed_bytes(body.as_bytes(), &dist.join("shell.json"))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_owned());
        }
    }
    Ok(())
}
