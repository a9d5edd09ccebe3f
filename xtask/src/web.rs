//! The web app's build manifest: which files the service worker keeps for opening offline, and a
//! version that changes whenever any of them does (so the next online visit fetches the new set);
//! and each file compressed ahead of time (brotli and gzip beside it), which the backend serves to
//! browsers that accept them: the phone's first visit is mostly wasm.

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

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "br" || e == "gz") {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_owned());
        }
    }
    Ok(())
}
