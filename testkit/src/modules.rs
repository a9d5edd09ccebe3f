//! The import graph of a crate's top-level modules, from its sources: which modules a module
//! names through `crate::…` paths. A layered crate has no cycle in it; a test that finds one
//! prints the circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level module → the top-level modules it names (the crate root, `lib.rs`/`main.rs`, which
/// declares and wires them all, is left out).
pub type Graph = BTreeMap<String, BTreeSet<String>>;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The identifiers a `crate::` path starts with in `text`: `crate::a::b` names `a`,
/// `crate::{a, b::c}` names `a` and `b`.
fn named(text: &str) -> BTreeSet<String> {
    named_after(text, "crate::")
}

/// The identifiers a path starting `prefix` (`crate::`, `super::`) names first in `text`.
fn named_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices(prefix) {
        // `theset_crate::` or `some_crate::` are other crates' paths.
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        out.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

/// The graph of the crate whose sources are in `src`.
pub fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    sources(src, &mut files);
    let top = |f: &Path| -> Option<String> {
        let rel = f.strip_prefix(src).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?;
        Some(first.trim_end_matches(".rs").to_owned())
    };
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| top(f))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for f in &files {
        let Some(from) = top(f).filter(|m| modules.contains(m)) else {
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let edges: Vec<String> = named(&text)
            .into_iter()
            .filter(|to| *to != from && modules.contains(to))
            .collect();
        graph.entry(from).or_default().extend(edges);
    }
    graph
}

/// The graph of the files directly in the folder `dir` (a module's `mod.rs` aside: it declares
/// its files and they use its shared helpers): which sibling files each names through `super::…`
/// or `crate::<path of dir>::…` paths, under `src`. Folders of files are layered too: two files
/// that import each other are one module in two places.
pub fn file_graph(src: &Path, dir: &Path) -> Graph {
    let stem = |f: &Path| -> Option<String> { Some(f.file_stem()?.to_str()?.to_owned()) };
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| stem(p).is_some_and(|s| s != "mod" && s != "lib" && s != "main"))
        .collect();
    let siblings: BTreeSet<String> = files.iter().filter_map(|f| stem(f)).collect();
    let own_path = dir.strip_prefix(src).ok().map(|rel| {
        let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
        format!("crate::{}::", parts.join("::"))
    });
    let mut graph: Graph = siblings
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for f in &files {
        let Some(from) = stem(f) else { continue };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let mut names = named_after(&text, "super::");
        if let Some(own) = own_path.as_deref().filter(|p| *p != "crate::::") {
            names.extend(named_after(&text, own));
        }
        let edges: Vec<String> = names
            .into_iter()
            .filter(|to| *to != from && siblings.contains(to))
            .collect();
        graph.entry(from).or_default().extend(edges);
    }
    graph
}

/// Every folder under `src` that holds sources (the same walk as [`graph`]'s).
pub fn folders(src: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    dirs.into_iter().collect()
}

/// Every circle of the graph, each as the modules around it (`a → b → a`), shortest first.
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in graph.keys() {
        // Breadth-first from each node: the shortest way back to it is its smallest circle.
        let mut back: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.as_str()]);
        while let Some(node) = queue.pop_front() {
            for next in graph.get(node).into_iter().flatten() {
                if next == start {
                    let mut middle = Vec::new();
                    let mut at = node;
                    while at != start {
                        middle.push(at.to_owned());
                        at = back.get(at).copied().unwrap_or(start);
                    }
                    middle.reverse();
                    let mut path = vec![start.clone()];
                    path.extend(middle);
                    path.push(start.clone());
                    // One entry per circle whatever node it starts from.
                    let mut key: Vec<String> = path[..path.len() - 1].to_vec();
                    key.sort();
                    found.insert((path.len(), key, path));
                    queue.clear();
                    break;
                }
                if !back.contains_key(next.as_str()) {
                    back.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    found
        .into_iter()
        .filter(|(_, key, _)| seen.insert(key.clone()))
        .map(|(_, _, path)| path)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_groups_name_their_first_module() {
        let text = "use crate::db::x;\nuse crate::{events::Hub, jobs};\nlet s = theset_crate::y;\n\
                    crate::cache::Cache::local();";
        let got: Vec<String> = named(text).into_iter().collect();
        assert_eq!(got, ["cache", "db", "events", "jobs"]);
    }

    #[test]
    fn circles_are_found_and_a_line_is_not_one() {
        let g = |edges: &[(&str, &str)]| -> Graph {
            let mut g = Graph::new();
            for (a, b) in edges {
                g.entry((*a).into()).or_default().insert((*b).into());
                g.entry((*b).into()).or_default();
            }
            g
        };
        assert!(cycles(&g(&[("http", "actions"), ("actions", "db")])).is_empty());
        let found = cycles(&g(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]));
        assert_eq!(found, [["a", "b", "c", "a"]]);
    }
}
