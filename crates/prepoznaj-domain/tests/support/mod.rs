//! What the tests that read the repository's own files share: where the repository is, reading
//! a file, and listing files by extension. Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository the files are read from. `cargo test` sets `CARGO_MANIFEST_DIR` when it runs
/// the test too; that one wins over the directory the binary was compiled in, so a target
/// directory shared by several checkouts still reads the checkout being tested.
pub fn repository() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.join("../..")
}

/// The text of `path`; a file that cannot be read fails the test, naming it.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Every file under `dir`, at any depth, whose extension is `extension`, in a stable order.
pub fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()))
                .path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|found| found == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
