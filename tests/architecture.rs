//! The house as the imports draw it: the state machine never knows the widgets, and the API
//! client knows neither the app nor the terminal.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files under `folder` (from the crate's root) that name any of `banned`, with the line.
fn offenders(folder: &str, banned: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
        &mut files,
    );
    assert!(!files.is_empty(), "{folder} has sources");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            if banned.iter().any(|b| line.contains(b)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_app_never_imports_the_ui() {
    let found = offenders("src/app", &["crate::ui", "super::ui", "super::super::ui"]);
    assert!(
        found.is_empty(),
        "src/app names the UI:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_api_client_knows_neither_the_app_nor_the_terminal() {
    let found = offenders(
        "src/api",
        &["crate::app", "crate::ui", "ratatui", "crossterm"],
    );
    assert!(
        found.is_empty(),
        "src/api reaches out:\n{}",
        found.join("\n")
    );
}
