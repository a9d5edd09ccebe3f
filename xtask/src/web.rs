//! The web app's build, published into `app/dist`:
//!
//! - **content-hashed names** for the files whose addresses the build controls (the wasm, its
//!   loaders, styles, icons): `theset_app.<hash>.js`, served with a year-long `immutable` cache,
//!   so a repeat visit re-fetches only what changed. The files that are entry points keep their
//!   names and are revalidated each visit: the page, the service worker and its list, the web
//!   manifest, and `worker.js` (its address is compiled into the UI's wasm). Each reference to a
//!   renamed file is rewritten in the files that name it, leaves first, so a parent's hash covers
//!   its children's names.
//! - the service worker's list (`shell.json`): every file the app needs, and a version that
//!   changes whenever any of them does (so the next online visit fetches the new set);
//! - each file compressed ahead of time (brotli and gzip beside it), which the backend serves to
//!   browsers that accept them: the phone's first visit is mostly wasm.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

/// Files renamed after their content, children before the files that name them.
const HASHED: &[&str] = &[
    "theset_app_bg.wasm",
    "worker/theset_worker_bg.wasm",
    "icon-192.png",
    "icon-512.png",
    "theme.css",
    "theset_app.js",
    "worker/theset_worker.js",
    "boot.js",
];

/// Entry points: their names stay, the names inside them are rewritten.
const REWRITTEN: &[&str] = &["worker.js", "manifest.webmanifest", "index.html"];

/// Publishes the build in `stage` into `dist`: renamed, rewritten, compressed, listed. Files are
/// written only when their content changed (an unchanged UI does not force a Tauri rebuild), and
/// files of earlier builds are removed.
pub fn publish(stage: &Path, dist: &Path) -> anyhow::Result<()> {
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut renames: Vec<(String, String)> = Vec::new();
    for &rel in HASHED.iter().chain(REWRITTEN) {
        let bytes = std::fs::read(stage.join(rel))
            .with_context(|| format!("the build has no {rel} (did wasm-bindgen rename it?)"))?;
        let bytes = rewrite(rel, bytes, &renames);
        let published = if HASHED.contains(&rel) {
            let hashed = hashed_name(rel, &bytes);
            renames.push((base(rel).to_owned(), base(&hashed).to_owned()));
            hashed
        } else {
            rel.to_owned()
        };
        out.insert(published, bytes);
    }
    let mut rest = Vec::new();
    collect(stage, stage, &mut rest)?;
    for rel in rest {
        let name = slash(&rel);
        if !HASHED.contains(&name.as_str()) && !REWRITTEN.contains(&name.as_str()) {
            out.insert(name, std::fs::read(stage.join(&rel))?);
        }
    }

    for (name, bytes) in &out {
        let to = dist.join(name);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        super::copy_if_changed_bytes(bytes, &to)?;
    }
    remove_stale(dist, &out.keys().cloned().collect())?;
    shell_manifest(dist)
}

/// `dir/stem.<16 hex>.ext`: the name the backend recognises as immutable.
fn hashed_name(rel: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    match rel.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{rel}.{hash}"),
    }
}

fn base(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Text files get the new names of the files renamed before them. Names are replaced as whole
/// file names (never a hashed name again: it no longer contains the old one).
fn rewrite(rel: &str, bytes: Vec<u8>, renames: &[(String, String)]) -> Vec<u8> {
    let text_ext = [".js", ".css", ".html", ".webmanifest"];
    if !text_ext.iter().any(|e| rel.ends_with(e)) {
        return bytes;
    }
    let Ok(mut text) = String::from_utf8(bytes.clone()) else {
        return bytes;
    };
    for (from, to) in renames {
        text = text.replace(from.as_str(), to);
    }
    text.into_bytes()
}

/// Removes the files (and their compressed copies) no longer part of the build.
fn remove_stale(dist: &Path, keep: &BTreeSet<String>) -> anyhow::Result<()> {
    let mut present = Vec::new();
    collect_all(dist, dist, &mut present)?;
    for rel in present {
        let name = slash(&rel);
        let source = name
            .strip_suffix(".br")
            .or_else(|| name.strip_suffix(".gz"))
            .unwrap_or(&name);
        if name != "shell.json" && !keep.contains(source) {
            std::fs::remove_file(dist.join(&rel))?;
        }
    }
    Ok(())
}

fn slash(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}

/// Writes `shell.json` in `dist`: every file the app needs, and their combined hash.
fn shell_manifest(dist: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    collect(dist, dist, &mut files)?;
    files.sort();
    let mut hash = Sha256::new();
    let mut names = Vec::new();
    for rel in &files {
        let name = slash(rel);
        // The service worker and this list are fetched fresh on every check, never cached.
        if name == "shell.json" || name == "sw.js" {
            continue;
        }
        let bytes = std::fs::read(dist.join(rel))?;
        hash.update(name.as_bytes());
        hash.update(&bytes);
        compress(&dist.join(rel), &bytes)?;
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

/// `file.br` and `file.gz` beside `file`, rewritten only when `file` changed since.
fn compress(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let br = file.with_extension(extension_plus(file, "br"));
    let gz = file.with_extension(extension_plus(file, "gz"));
    let fresh = |p: &Path| {
        let (Ok(src), Ok(out)) = (std::fs::metadata(file), std::fs::metadata(p)) else {
            return false;
        };
        matches!((src.modified(), out.modified()), (Ok(a), Ok(b)) if b >= a)
    };
    if !fresh(&br) {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut std::io::Cursor::new(bytes), &mut out, &params)?;
        std::fs::write(&br, out)?;
    }
    if !fresh(&gz) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(bytes)?;
        std::fs::write(&gz, enc.finish()?)?;
    }
    Ok(())
}

fn extension_plus(file: &Path, more: &str) -> String {
    match file.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{ext}.{more}"),
        None => more.to_owned(),
    }
}

/// Every file under `dir` but the compressed copies, relative to `root`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut all = Vec::new();
    collect_all(root, dir, &mut all)?;
    out.extend(
        all.into_iter()
            .filter(|p| !p.extension().is_some_and(|e| e == "br" || e == "gz")),
    );
    Ok(())
}

fn collect_all(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_all(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_owned());
        }
    }
    Ok(())
}
