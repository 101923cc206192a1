//! The house's floors: each crate may depend only on the floors below it, and the pure floors
//! on none of the front-end libraries. Read from `cargo metadata`, so a new `Cargo.toml` line
//! that points up fails here, whether or not any code uses it yet.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Every workspace crate with the yimen crates it may depend on (directly).
const FLOORS: &[(&str, &[&str])] = &[
    ("yimen-domain", &[]),
    ("yimen-store", &["yimen-domain"]),
    ("yimen-app", &["yimen-domain", "yimen-store"]),
    ("yimen-api", &["yimen-domain", "yimen-app"]),
    ("yimen-present", &["yimen-domain", "yimen-app", "yimen-api"]),
    ("yimen-server", &["yimen-domain", "yimen-app", "yimen-api", "yimen-present"]),
    ("yimen-tui", &["yimen-domain", "yimen-app", "yimen-api", "yimen-present"]),
    // The town's floor: the hall's records (through the app and its store) out to PostgreSQL.
    ("yimen-town", &["yimen-domain", "yimen-store", "yimen-app"]),
    ("yimen", &["yimen-domain", "yimen-app", "yimen-api", "yimen-present", "yimen-server", "yimen-tui", "yimen-town"]),
];

/// Libraries a crate must not reach, even through another library (normal dependencies only).
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("yimen-domain", &["clap", "ratatui", "crossterm", "redb", "axum", "tokio", "ureq", "rusqlite"]),
    ("yimen-store", &["clap", "ratatui", "crossterm", "axum", "tokio", "ureq"]),
    ("yimen-app", &["clap", "ratatui", "crossterm", "axum", "tokio", "ureq"]),
    ("yimen-api", &["clap", "ratatui", "crossterm", "axum"]),
    ("yimen-present", &["clap", "ratatui", "crossterm", "axum", "tokio"]),
    ("yimen-server", &["clap", "ratatui", "crossterm"]),
    ("yimen-tui", &["clap", "axum", "tokio"]),
    ("yimen-town", &["clap", "ratatui", "crossterm", "axum"]),
];

/// Libraries only one floor may name in its `Cargo.toml`: the file format belongs to the store,
/// the town's database to the town.
const ONLY: &[(&str, &str)] = &[("redb", "yimen-store"), ("postgres", "yimen-town")];

struct Graph {
    /// Package id → name.
    names: BTreeMap<String, String>,
    /// Package id → ids of its normal (not dev, not build) dependencies.
    normal: BTreeMap<String, Vec<String>>,
    workspace: BTreeSet<String>,
}

fn graph() -> Graph {
    // This machine's platform only: the crates other platforms would pull are not downloaded.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let v = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    let v = String::from_utf8(v.stdout).unwrap();
    let host = v.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc names its host").to_string();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", &host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p["name"].as_str().unwrap().to_string()))
        .collect();
    let workspace =
        m["workspace_members"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let mut normal = BTreeMap::new();
    for node in m["resolve"]["nodes"].as_array().unwrap() {
        let deps = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].is_null()))
            .map(|d| d["pkg"].as_str().unwrap().to_string())
            .collect();
        normal.insert(node["id"].as_str().unwrap().to_string(), deps);
    }
    Graph { names, normal, workspace }
}

impl Graph {
    fn id(&self, name: &str) -> &str {
        self.names.iter().find(|(id, n)| *n == name && self.workspace.contains(*id)).map(|(id, _)| id.as_str()).unwrap()
    }

    /// Names of everything `id` reaches through normal dependencies, with the path to each
    /// (every version of a crate is walked: the walk is by package id).
    fn reach(&self, id: &str) -> BTreeMap<String, Vec<String>> {
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut walked: BTreeSet<String> = BTreeSet::new();
        let mut stack = vec![(id.to_string(), vec![self.names[id].clone()])];
        while let Some((at, path)) = stack.pop() {
            for d in self.normal.get(&at).into_iter().flatten() {
                if !walked.insert(d.clone()) {
                    continue;
                }
                let name = self.names[d].clone();
                let mut p = path.clone();
                p.push(name.clone());
                seen.entry(name).or_insert_with(|| p.clone());
                stack.push((d.clone(), p));
            }
        }
        seen
    }
}

#[test]
fn every_crate_depends_only_on_the_floors_below_it() {
    let g = graph();
    let ours: BTreeSet<&str> = FLOORS.iter().map(|(n, _)| *n).collect();
    let members: BTreeSet<&str> = g.workspace.iter().map(|id| g.names[id].as_str()).collect();
    assert_eq!(members, ours, "every workspace crate has a floor in FLOORS, and only those");
    let mut wrong = Vec::new();
    for (name, allowed) in FLOORS {
        let id = g.id(name);
        for d in &g.normal[id] {
            let dep = g.names[d].as_str();
            if ours.contains(dep) && !allowed.contains(&dep) {
                wrong.push(format!("{name} → {dep}"));
            }
        }
    }
    for (lib, owner) in ONLY {
        for (name, _) in FLOORS {
            let id = g.id(name);
            if name != owner && g.normal[id].iter().any(|d| g.names[d] == *lib) {
                wrong.push(format!("{name} → {lib} (only {owner} may)"));
            }
        }
    }
    assert!(wrong.is_empty(), "arrows that point up or sideways: {wrong:?}");
}

#[test]
fn pure_floors_reach_no_front_end_library() {
    let g = graph();
    let mut wrong = Vec::new();
    for (name, banned) in FORBIDDEN {
        let reach = g.reach(g.id(name));
        for b in *banned {
            if let Some(path) = reach.get(*b) {
                wrong.push(path.join(" → "));
            }
        }
    }
    assert!(wrong.is_empty(), "libraries reached across a floor: {wrong:?}");
}

#[test]
fn the_check_sees_a_wrong_arrow() {
    // The same walk over a made-up graph: the domain reaching clap through a helper is caught.
    let mut g = graph();
    let domain = g.id("yimen-domain").to_string();
    let clap = g.names.iter().find(|(_, n)| *n == "clap").map(|(id, _)| id.clone()).unwrap();
    g.normal.entry(domain.clone()).or_default().push(clap);
    assert!(g.reach(&domain).contains_key("clap"));
}
