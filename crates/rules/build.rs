//! Embeds the built-in rule pack: every `*.toml` under the repository's top-level `rules/`
//! (recursively) and every `*.txt` in its `lists/`, as an `include_str!` table written to
//! `$OUT_DIR/builtin_files.rs`. Either directory may be missing or empty.
//!
//! Cargo re-runs this script when anything in those directories changes. While a directory
//! does not exist, Cargo treats the missing path as changed on every build, so the script
//! (and this crate) rebuild each time until the directory is created.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let rules_dir = root.join("rules");
    let lists_dir = root.join("lists");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    println!("cargo:rerun-if-changed={}", lists_dir.display());
    println!("cargo:rerun-if-changed=build.rs");

    let mut rules = Vec::new();
    collect(&rules_dir, "toml", true, &mut rules);
    let mut lists = Vec::new();
    collect(&lists_dir, "txt", false, &mut lists);
    rules.sort();
    lists.sort();

    let mut out = String::new();
    table(&mut out, "RULE_FILES", &root, &rules);
    table(&mut out, "LIST_FILES", &root, &lists);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out_dir.join("builtin_files.rs"), out).expect("write builtin_files.rs");
}

/// Files under `dir` with extension `ext` (recursively when `recursive`), skipping names
/// that start with `.`.
fn collect(dir: &Path, ext: &str, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if recursive {
                collect(&path, ext, recursive, out);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Writes `pub(crate) const NAME: &[(&str, &str)]` of (path relative to the repository
/// root, contents).
fn table(out: &mut String, name: &str, root: &Path, files: &[PathBuf]) {
    writeln!(out, "/// (path under the repository root, contents)").unwrap();
    writeln!(out, "pub(crate) const {name}: &[(&str, &str)] = &[").unwrap();
    for path in files {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let (Some(relative), Some(absolute)) = (relative.to_str(), path.to_str()) else {
            println!(
                "cargo:warning=skipping built-in file with a non-UTF-8 name: {}",
                path.display()
            );
            continue;
        };
        let relative = relative.replace('\\', "/");
        writeln!(out, "    ({relative:?}, include_str!({absolute:?})),").unwrap();
    }
    writeln!(out, "];").unwrap();
}
