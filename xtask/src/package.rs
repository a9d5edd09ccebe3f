//! `cargo xtask package`: the desktop app as installable packages (`.deb`, `.rpm`) in
//! `target/package/bundle/`, built with the release profile and packed by Tauri's bundler
//! (`packager/`). The window tests install the `.deb` built the same way from their own binary.

use crate::{build_ui, check, cmd, step, target_dir};

pub fn package() -> anyhow::Result<()> {
    build_ui()?;
    step("building the desktop app (release)");
    check(cmd("cargo").args(["build", "--locked", "--release", "-p", "theset-desktop"]))?;
    step("packing .deb and .rpm (Tauri's bundler)");
    let out = target_dir().join("package");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    let binary = target_dir().join("release/theset-desktop");
    check(
        cmd("cargo")
            .args([
                "run",
                "--locked",
                "-q",
                "-p",
                "theset-packager",
                "--",
                "--binary",
            ])
            .arg(&binary)
            .arg("--out")
            .arg(&out)
            .args(["deb", "rpm"]),
    )?;
    step(&format!(
        "install with: apt install {0}/bundle/deb/TheSet_*.deb  (or dnf install {0}/bundle/rpm/TheSet-*.rpm)",
        out.display()
    ));
    Ok(())
}
