//! The app talks to the server only through its typed client (`src/sync/client.rs`), and API
//! paths are written only in the endpoint table (`prepoznaj_domain::endpoints`): no file under
//! `src/pages` or `src/components` names an API path or makes a request itself, and no file of
//! the app has an API path as a string; the service worker's one request (`public/sw.js`) is
//! to a path of the table. Files are found by walking the folders, so a new page is checked
//! without touching this test.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use std::path::{Path, PathBuf};

mod support;
use support::{files, read, repository};

use prepoznaj_domain::endpoints::Endpoint;

/// Every `.rs` file under `folder`, with its text.
fn rust_files(folder: &Path) -> Vec<(PathBuf, String)> {
    let files: Vec<(PathBuf, String)> = files(folder, "rs")
        .into_iter()
        .map(|path| {
            let text = read(&path);
            (path, text)
        })
        .collect();
    assert!(
        !files.is_empty(),
        "no Rust files under {}",
        folder.display()
    );
    files
}

/// What a page or component must not contain: an API path, or a request made without the
/// typed client (the HTTP edge's functions, or the browser's `fetch`).
const FORBIDDEN_IN_VIEWS: [&str; 9] = [
    "/api/",
    "get_json",
    "post_json",
    "delete_json",
    "call_json",
    "request_raw",
    "request_json",
    "fetch_with",
    ".fetch(",
];

/// The offending lines of `files`: `<file>:<line>: <text>` for each line containing one of
/// `needles`.
fn offending(files: &[(PathBuf, String)], needles: &[&str]) -> Vec<String> {
    files
        .iter()
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| needles.iter().any(|needle| line.contains(needle)))
                .map(move |(number, line)| {
                    format!("{}:{}: {}", path.display(), number + 1, line.trim())
                })
        })
        .collect()
}

#[test]
fn pages_and_components_call_the_server_only_through_the_typed_client() {
    let root = repository().join("src");
    for folder in ["pages", "components"] {
        let files = rust_files(&root.join(folder));
        let found = offending(&files, &FORBIDDEN_IN_VIEWS);
        assert!(
            found.is_empty(),
            "use a function of src/sync/client.rs instead:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn no_file_of_the_app_writes_an_api_path_as_a_string() {
    let files = rust_files(&repository().join("src"));
    let found = offending(&files, &["\"/api"]);
    assert!(
        found.is_empty(),
        "take the path from prepoznaj_domain::endpoints::Endpoint instead:\n{}",
        found.join("\n")
    );
}

/// The quoted API paths (`'/api/v1/…'` or `"/api/v1/…"`) in a JavaScript text.
fn quoted_api_paths(script: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for quote in ['\'', '"'] {
        let opening = format!("{quote}/api/v1/");
        let mut rest = script;
        while let Some(start) = rest.find(&opening) {
            let path = &rest[start + 1..];
            let end = path.find(quote).unwrap_or(path.len());
            paths.push(path[..end].to_owned());
            rest = &path[end..];
        }
    }
    paths
}

/// The service worker sends waiting reports itself (Background Sync), outside the typed
/// client: the paths it writes must be paths of the table.
#[test]
fn the_service_worker_calls_only_paths_of_the_endpoint_table() {
    let script = std::fs::read_to_string(repository().join("public/sw.js")).unwrap();
    let paths = quoted_api_paths(&script);
    assert!(
        !paths.is_empty(),
        "public/sw.js sends reports to an API path"
    );
    for path in paths {
        assert!(
            Endpoint::ALL
                .into_iter()
                .any(|endpoint| endpoint.path() == path),
            "public/sw.js calls {path}, which prepoznaj_domain::endpoints does not list"
        );
    }
}

#[test]
fn the_checks_see_what_they_forbid() {
    let sample = vec![(
        PathBuf::from("src/pages/example.rs"),
        "let keys = get_json(\"/api/v1/team/keys\", None).await;".to_owned(),
    )];
    assert_eq!(offending(&sample, &FORBIDDEN_IN_VIEWS).len(), 1);
    assert_eq!(offending(&sample, &["\"/api"]).len(), 1);
    assert_eq!(
        quoted_api_paths("fetch('/api/v1/reports', {}); get(\"/api/v1/keys\")"),
        ["/api/v1/reports", "/api/v1/keys"]
    );
}
