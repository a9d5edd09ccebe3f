//! The desktop app as a person installs it: the `.deb` that `cargo xtask package` makes (here
//! from this build's binary), unpacked by dpkg into a scratch root, its desktop entry and icon
//! in place, then the installed binary launched in the window against the local backend, on its
//! first page.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, ensure};
use theset_packager::{Format, VERSION, package};

use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

/// A field of the package's control file, as the package manager reads it.
fn field(deb: &Path, name: &str) -> anyhow::Result<String> {
    let out = Command::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .arg(name)
        .output()
        .context("dpkg-deb")?;
    ensure!(
        out.status.success(),
        "dpkg-deb --field: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_installs_and_opens_on_the_first_page() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let root = theset_testkit::e2e::root();
    let made = package(
        &root,
        Path::new(env!("CARGO_BIN_EXE_theset-desktop")),
        &work.path().join("build"),
        &[Format::Deb],
    )?;
    let deb = made
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .context("no .deb made")?;

    // What the package manager reads.
    assert_eq!(field(deb, "Package")?, "the-set");
    assert_eq!(field(deb, "Version")?, VERSION, "the workspace's version");
    let depends = field(deb, "Depends")?;
    assert!(depends.contains("libwebkit2gtk-4.1-0"), "{depends}");

    // Installed into a scratch root by dpkg itself.
    let scratch = work.path().join("root");
    let unpacked = Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(&scratch)
        .status()?;
    ensure!(unpacked.success(), "dpkg-deb -x");
    let binary = scratch.join("usr/bin/theset-desktop");
    ensure!(binary.is_file(), "no usr/bin/theset-desktop");
    let entry = std::fs::read_to_string(scratch.join("usr/share/applications/TheSet.desktop"))?;
    assert!(entry.contains("Exec=theset-desktop"), "{entry}");
    assert!(entry.contains("Name=TheSet"), "{entry}");
    let icon = entry
        .lines()
        .find_map(|l| l.strip_prefix("Icon="))
        .context("no icon in the desktop entry")?;
    let icons = walk(&scratch.join("usr/share/icons"))?;
    assert!(
        icons.iter().any(|p| p.ends_with(format!("{icon}.png"))),
        "{icon} not among {icons:?}"
    );

    // Launched from where it was installed, it opens on the first page.
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let backend = Backend::start(Seed::Catalogue).await?;
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session_of(&binary).await?,
    };
    ui.wait("#connection[data-state='Signed out']").await?;
    ui.wait("#local-artists .artist-name").await?;
    screenshot(&ui.app, "installed-first-page").await?;
    ui.app.close().await?;
    Ok(())
}

fn walk(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}
