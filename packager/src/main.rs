//! `theset-packager --binary <theset-desktop> --out <dir> [deb] [rpm]` (run by `cargo xtask package`).

use std::path::PathBuf;

use anyhow::{Context, bail};
use theset_packager::{Format, package};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut binary, mut out, mut formats) = (None, None, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--binary" => binary = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            other => match Format::parse(other) {
                Some(f) => formats.push(f),
                None => bail!("unknown argument {other} (formats: deb, rpm)"),
            },
        }
    }
    if formats.is_empty() {
        formats = vec![Format::Deb, Format::Rpm];
    }
    // Resolved: the bundler writes paths built from it into the packages' build files.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let made = package(
        &root,
        &binary.context("--binary <theset-desktop>")?,
        &out.context("--out <dir>")?,
        &formats,
    )?;
    for path in made {
        println!("{}", path.display());
    }
    Ok(())
}
