//! The backend's settings and the README's configuration table stay one list: every variable the
//! backend reads is documented, and every documented variable is read somewhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use theset_backend::cli::Cli;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every environment variable of the command and its subcommands.
fn backend_variables() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(name) = arg.get_env() {
                out.insert(name.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&Cli::command(), &mut out);
    out
}

/// The variables named in the first column of the README's configuration table.
fn documented_variables() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = readme
        .split("\n## Configuration")
        .nth(1)
        .expect("a Configuration section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('|').nth(1))
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn sources_under(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "sh" || e == "js")
        {
            out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

#[test]
fn every_backend_setting_is_documented() {
    let documented = documented_variables();
    let missing: Vec<_> = backend_variables()
        .into_iter()
        .filter(|v| !documented.contains(v))
        .collect();
    assert!(
        missing.is_empty(),
        "add these to README.md's configuration table: {missing:?}"
    );
}

#[test]
fn every_documented_setting_is_read_somewhere() {
    let backend = backend_variables();
    // The rest of the table belongs to the scripts, xtask, the app and its shell.
    let mut elsewhere = String::new();
    for dir in ["xtask", "scripts", "src-tauri", "client", "app", "mobile"] {
        sources_under(&root().join(dir), &mut elsewhere);
    }
    // Read as Rust reads a variable ("NAME"), or as shell does ($NAME, ${NAME:-…}).
    let read_elsewhere = |v: &str| {
        [format!("\"{v}\""), format!("${v}"), format!("${{{v}")]
            .iter()
            .any(|p| elsewhere.contains(p))
    };
    let stale: Vec<_> = documented_variables()
        .into_iter()
        .filter(|v| !backend.contains(v) && !read_elsewhere(v))
        .collect();
    assert!(
        stale.is_empty(),
        "README.md documents settings nothing reads: {stale:?}"
    );
}

#[test]
fn the_variables_are_found_at_all() {
    // Guards the two tests above against passing on empty lists.
    let backend = backend_variables();
    assert!(
        backend.contains("THESET_TOKEN_SECRET") && backend.len() > 30,
        "{backend:?}"
    );
    assert!(documented_variables().contains("DATABASE_URL"));
}

#[test]
fn the_deployment_example_names_only_real_settings() {
    let example =
        std::fs::read_to_string(root().join("ops/backend.env.example")).expect("the example");
    let backend = backend_variables();
    let named: Vec<&str> = example
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
        .collect();
    assert!(named.len() > 10, "{named:?}");
    let unknown: Vec<_> = named.iter().filter(|v| !backend.contains(**v)).collect();
    assert!(
        unknown.is_empty(),
        "not settings of the backend: {unknown:?}"
    );
}
