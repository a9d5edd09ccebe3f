//! The desktop app as installable packages: Tauri's bundler, fed from the root `tauri.conf.json`
//! (name, identifier, icons) and the workspace version, around a binary built beforehand
//! (`cargo xtask package` builds it with the release profile; the install test takes the one its
//! own build made). AppImage is not offered: its tools (linuxdeploy and its plugins) come from
//! GitHub releases, not from a package registry this project may install from.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use tauri_bundler::bundle::{
    AppCategory, BundleBinary, BundleSettings, DebianSettings, PackageSettings, PackageType,
    RpmSettings, SettingsBuilder, bundle_project,
};

/// The package formats built here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Deb,
    Rpm,
}

impl Format {
    fn package_type(self) -> PackageType {
        match self {
            Self::Deb => PackageType::Deb,
            Self::Rpm => PackageType::Rpm,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "deb" => Some(Self::Deb),
            "rpm" => Some(Self::Rpm),
            _ => None,
        }
    }
}

/// The workspace version: the app's `tauri.conf.json` names none, so the app reports it too.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Packages `binary` (the `theset-desktop` executable) as `formats` in `work`; the paths made.
/// The bundler marks the binary it packs with the package type (for the updater), so it works
/// on a copy in `work`, never on the build's own file.
pub fn package(
    root: &Path,
    binary: &Path,
    work: &Path,
    formats: &[Format],
) -> anyhow::Result<Vec<PathBuf>> {
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tauri.conf.json")).context("tauri.conf.json")?,
    )?;
    let text = |key: &str| -> anyhow::Result<String> {
        config[key]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("tauri.conf.json has no {key}"))
    };
    let icons: Vec<String> = config["bundle"]["icon"]
        .as_array()
        .context("tauri.conf.json has no bundle.icon")?
        .iter()
        .filter_map(|i| i.as_str())
        .map(|i| root.join(i).display().to_string())
        .collect();
    std::fs::create_dir_all(work)?;
    let name = "theset-desktop";
    std::fs::copy(binary, work.join(name))
        .with_context(|| format!("copying {}", binary.display()))?;
    let settings = SettingsBuilder::new()
        .project_out_directory(work)
        .package_types(formats.iter().map(|f| f.package_type()).collect())
        .package_settings(PackageSettings {
            product_name: text("productName")?,
            version: VERSION.to_owned(),
            description: "Vote on the songs you want to hear, predict set-lists, and score them after the show — offline first.".to_owned(),
            homepage: Some("https://theset.example".to_owned()),
            authors: Some(vec!["TheSet".to_owned()]),
            default_run: Some(name.to_owned()),
        })
        .bundle_settings(BundleSettings {
            identifier: Some(text("identifier")?),
            publisher: Some("TheSet".to_owned()),
            icon: Some(icons),
            category: Some(AppCategory::Music),
            short_description: Some("Concert set-lists: vote, predict, score".to_owned()),
            long_description: Some(
                "Fans vote on the songs they want to hear at upcoming concerts, build predicted \
                 set-lists, and after the show score them against the real set-list. Everything \
                 works without a signal and syncs once the network is back."
                    .to_owned(),
            ),
            license: Some("MIT".to_owned()),
            // The window is WebKitGTK 4.1 on GTK 3 (Debian 12 / Ubuntu 22.04 and later).
            deb: DebianSettings {
                section: Some("sound".to_owned()),
                depends: Some(vec![
                    "libwebkit2gtk-4.1-0".to_owned(),
                    "libgtk-3-0".to_owned(),
                ]),
                ..DebianSettings::default()
            },
            rpm: RpmSettings {
                depends: Some(vec!["webkit2gtk4.1".to_owned(), "gtk3".to_owned()]),
                ..RpmSettings::default()
            },
            ..BundleSettings::default()
        })
        .binaries(vec![BundleBinary::new(name.to_owned(), true)])
        .build()
        .context("bundler settings")?;
    let bundles = bundle_project(&settings).context("bundling")?;
    let paths: Vec<PathBuf> = bundles.into_iter().flat_map(|b| b.bundle_paths).collect();
    if paths.is_empty() {
        bail!("the bundler made nothing");
    }
    Ok(paths)
}
