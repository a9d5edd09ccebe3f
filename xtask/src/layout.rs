//! Where the clone and its builds are, as absolute paths with no `.` or `..` in them.
//!
//! Every path the tasks build starts here. Tools downstream refuse or misread paths that are not
//! normalized — `systemd-analyze verify` ignores an `EnvironmentFile=` of `…/xtask/../target/…`
//! — so the root is resolved once, and `CARGO_TARGET_DIR` (absolute, relative to the working
//! folder as cargo reads it, or unset) comes out the same shape either way.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// The clone: the folder above xtask's own manifest folder.
pub(crate) fn root_from(manifest_dir: &Path) -> PathBuf {
    let clone = normalize(&manifest_dir.join(".."));
    // The real folder when it exists (a clone reached through a symlink is named once).
    std::fs::canonicalize(&clone).unwrap_or(clone)
}

/// Where cargo builds: `CARGO_TARGET_DIR` when set (relative to `cwd`, as cargo reads it),
/// else `target/` of the clone.
pub(crate) fn target_from(var: Option<OsString>, root: &Path, cwd: &Path) -> PathBuf {
    match var.filter(|v| !v.is_empty()) {
        Some(dir) => normalize(&cwd.join(dir)),
        None => root.join("target"),
    }
}

/// `path` made absolute against the working folder, then `.` dropped and `..` applied to the
/// component before it — lexically, as cargo and systemd read paths.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Absolute, and spelt without `.`, `..`, doubled or trailing slashes (`components()` alone
/// would hide an inner `.`, which it skips).
pub(crate) fn is_normalized(path: &Path) -> bool {
    path.is_absolute()
        && path.components().all(|c| c != Component::ParentDir)
        && path.components().collect::<PathBuf>().as_os_str() == path.as_os_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_folder_above_xtask_without_dots() {
        assert_eq!(
            root_from(Path::new("/no/such/clone/xtask")),
            Path::new("/no/such/clone")
        );
        assert_eq!(
            root_from(Path::new("/no/such/clone/xtask/../xtask/.")),
            Path::new("/no/such/clone")
        );
    }

    #[test]
    fn the_target_folder_is_normalized_with_and_without_the_variable() {
        let root = Path::new("/clone");
        let cwd = Path::new("/work/here");
        assert_eq!(target_from(None, root, cwd), Path::new("/clone/target"));
        assert_eq!(
            target_from(Some("".into()), root, cwd),
            Path::new("/clone/target")
        );
        assert_eq!(
            target_from(Some("/var/cache/../cache/t/".into()), root, cwd),
            Path::new("/var/cache/t")
        );
        assert_eq!(
            target_from(Some("../builds/./t".into()), root, cwd),
            Path::new("/work/builds/t")
        );
    }

    #[test]
    fn normalized_means_absolute_without_dot_components() {
        assert!(is_normalized(Path::new("/a/b")));
        assert!(!is_normalized(Path::new("/a/xtask/../b")));
        assert!(!is_normalized(Path::new("/a/./b")));
        assert!(!is_normalized(Path::new("/a//b")));
        assert!(!is_normalized(Path::new("/a/b/")));
        assert!(!is_normalized(Path::new("a/b")));
        assert!(is_normalized(&normalize(Path::new("a/../b/./c"))));
    }

    /// The paths this build of xtask itself uses, in whichever layout the test runs in.
    #[test]
    fn the_tasks_paths_are_normalized() {
        let root = crate::root();
        assert!(is_normalized(&root), "{}", root.display());
        assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
        let target = crate::target_dir();
        assert!(is_normalized(&target), "{}", target.display());
        // The other layout than the one this run has.
        let cwd = std::env::current_dir().expect("cwd");
        let other = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(_) => target_from(None, &root, &cwd),
            None => target_from(Some("target/../elsewhere".into()), &root, &cwd),
        };
        assert!(is_normalized(&other), "{}", other.display());
    }
}
