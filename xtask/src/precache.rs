//! The service worker's precache list and version, generated from the build output.
//!
//! Every file of the build (except the service worker itself and compressed siblings) is
//! precached; the version is a hash of all of them, so any change makes a new version. The
//! version is also the build's fingerprint that Settings shows: it is written into the pages'
//! `prepoznaj-build` meta element after hashing (the hash covers the placeholder), so anyone
//! with the same `dist/` can compute it again (put the placeholder back, hash as here).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Placeholders in `public/sw.js` that this step replaces.
const VERSION_PLACEHOLDER: &str = "'__PREPOZNAJ_VERSION__'";
const PRECACHE_PLACEHOLDER: &str = "['__PREPOZNAJ_PRECACHE__']";
const BUNDLES_PLACEHOLDER: &str = "['__PREPOZNAJ_BUNDLES__']";
const SERVICE_WORKER: &str = "sw.js";
/// In the pages' `prepoznaj-build` meta element: replaced by the version after hashing, so
/// Settings can name the build it runs (the version is computed with the placeholder in place).
const BUILD_PLACEHOLDER: &str = "__PREPOZNAJ_BUILD__";
/// Served but not needed offline.
const NOT_PRECACHED: [&str; 2] = [SERVICE_WORKER, "robots.txt"];

/// Fills the precache list and version into `dir/sw.js`; returns the version.
pub fn write_service_worker(dir: &Path) -> Result<String, String> {
    let mut files = list_files(dir)?;
    files.sort();
    let mut hasher = Sha256::new();
    let mut urls = Vec::new();
    for path in &files {
        let relative = url_path(dir, path)?;
        if NOT_PRECACHED.contains(&relative.trim_start_matches('/')) || is_compressed_sibling(path)
        {
            continue;
        }
        let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
        urls.push(relative);
    }
    if !urls.iter().any(|url| url == "/index.html") {
        return Err(format!("{} has no index.html", dir.display()));
    }
    let digest = hasher.finalize();
    let version: String = digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();

    let worker_path = dir.join(SERVICE_WORKER);
    let template = std::fs::read_to_string(&worker_path)
        .map_err(|error| format!("{}: {error}", worker_path.display()))?;
    if ![
        VERSION_PLACEHOLDER,
        PRECACHE_PLACEHOLDER,
        BUNDLES_PLACEHOLDER,
    ]
    .iter()
    .all(|placeholder| template.contains(placeholder))
    {
        return Err(format!(
            "{} lacks the precache placeholders",
            worker_path.display()
        ));
    }
    for url in urls.iter().filter(|url| url.ends_with(".html")) {
        let path = dir.join(url.trim_start_matches('/'));
        let page = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        if page.contains(BUILD_PLACEHOLDER) {
            std::fs::write(&path, page.replace(BUILD_PLACEHOLDER, &version))
                .map_err(|error| format!("{}: {error}", path.display()))?;
        }
    }
    let list = serde_json::to_string(&urls).map_err(|error| error.to_string())?;
    let bundles: Vec<serde_json::Value> = prepoznaj_domain::bundles::ALL
        .iter()
        .filter(|bundle| !bundle.prefixes.is_empty())
        .map(|bundle| serde_json::json!({ "html": format!("/{}", bundle.html), "prefixes": bundle.prefixes }))
        .collect();
    let bundles = serde_json::to_string(&bundles).map_err(|error| error.to_string())?;
    let worker = template
        .replace(VERSION_PLACEHOLDER, &format!("'{version}'"))
        .replace(PRECACHE_PLACEHOLDER, &list)
        .replace(BUNDLES_PLACEHOLDER, &bundles);
    std::fs::write(&worker_path, worker)
        .map_err(|error| format!("{}: {error}", worker_path.display()))?;
    Ok(version)
}

/// Every regular file below `dir`.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|error| format!("{}: {error}", current.display()))?;
        for entry in entries {
            let path = entry.map_err(|error| error.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// `.br`/`.gz` files written by [`crate::compress`].
pub fn is_compressed_sibling(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "br" || extension == "gz")
}

fn url_path(dir: &Path, path: &Path) -> Result<String, String> {
    let relative = path
        .strip_prefix(dir)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    let parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(format!("/{}", parts.join("/")))
}
