//! Serves the built app from the `--dist` directory.
//!
//! Files are read from disk on every request (no in-memory copy, so a replaced `sw.js` is served
//! at once). A precompressed sibling (`file.br`, then `file.gz`) is sent when the client accepts
//! it, else the plain file. A path that looks like a client route (no `.` in its last segment)
//! and matches no file gets `index.html`; a missing *file* stays a 404, so a service worker never
//! caches HTML under a script's name.
//!
//! Cache policy, the invariant that makes updates safe: only content-hashed names (trunk's
//! `name-<hex hash>.ext`) are `immutable`; everything else, `index.html` and `sw.js` above all,
//! is `no-cache` and revalidated with `Last-Modified`. Security headers are not decided here.

use std::{
    convert::Infallible,
    path::{Path, PathBuf},
};

use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::Response,
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use prepoznaj_domain::bundles::{SHELL, bundle_for_path};

use crate::StartupError;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

/// trunk writes the hash as `{:x}` of a `u64`, so leading zeros are dropped and a hash can be
/// shorter than 16 digits. 13 keeps `icon-192.png`-style names out; a shorter real hash (about
/// one build in 65 000) is merely served `no-cache`, which is safe.
const HASH_DIGITS: std::ops::RangeInclusive<usize> = 13..=16;

/// The app's files on disk.
#[derive(Debug, Clone)]
pub struct StaticFiles {
    dist: PathBuf,
    directory: ServeDir,
}

impl StaticFiles {
    /// Checks that `dist` is a directory holding `index.html`.
    pub fn new(dist: &Path) -> Result<Self, StartupError> {
        if !dist.is_dir() {
            return Err(StartupError::DistMissing(dist.to_path_buf()));
        }
        let index_path: PathBuf = dist.join("index.html");
        if !index_path.is_file() {
            return Err(StartupError::DistWithoutIndex(dist.to_path_buf()));
        }
        Ok(Self {
            dist: dist.to_path_buf(),
            directory: ServeDir::new(dist).precompressed_br().precompressed_gzip(),
        })
    }

    /// A router answering every request it gets from the files.
    /// The page that starts the bundle serving `path` (`index.html` for the shell, and when a
    /// bundle's page is missing from the build).
    fn page_for(&self, path: &str) -> ServeFile {
        let bundle_page = self.dist.join(bundle_for_path(path).html);
        let page = if bundle_page.is_file() {
            bundle_page
        } else {
            self.dist.join(SHELL.html)
        };
        ServeFile::new(page).precompressed_br().precompressed_gzip()
    }

    pub fn router(self) -> Router {
        Router::new().fallback(serve).with_state(self)
    }
}

async fn serve(State(files): State<StaticFiles>, mut request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if !is_content_hashed(&path) {
        // Last-Modified has a one-second resolution: a file replaced within the same second
        // as its predecessor (a quick redeploy) would be answered 304 for ever, and browsers
        // would never see the new service worker. These files are small, so revalidating them
        // always sends the whole file.
        for conditional in [
            header::IF_MODIFIED_SINCE,
            header::IF_NONE_MATCH,
            header::IF_RANGE,
        ] {
            request.headers_mut().remove(conditional);
        }
    }
    let index_request = is_client_route(&path, request.method()).then(|| bodiless_copy(&request));
    let response = files
        .directory
        .clone()
        .oneshot(request)
        .await
        .map(|r| r.map(Body::new));
    let mut response = unwrap_infallible(response);
    if response.status() == StatusCode::NOT_FOUND
        && let Some(index_request) = index_request
    {
        response = unwrap_infallible(
            files
                .page_for(&path)
                .oneshot(index_request)
                .await
                .map(|r| r.map(Body::new)),
        );
    }
    set_cache_headers(&path, &mut response);
    response
}

fn unwrap_infallible(result: Result<Response, Infallible>) -> Response {
    match result {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// GET or HEAD of a path whose last segment has no `.`: a page of the app, not a file.
fn is_client_route(path: &str, method: &Method) -> bool {
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    (method == Method::GET || method == Method::HEAD) && !last_segment.contains('.')
}

/// A body-less copy of the request, for serving `index.html` after a miss.
fn bodiless_copy(request: &Request) -> Request {
    let mut copy = Request::new(Body::empty());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

fn set_cache_headers(path: &str, response: &mut Response) {
    let served = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    let cache_control = if served && is_content_hashed(path) {
        IMMUTABLE
    } else {
        headers.remove(header::LAST_MODIFIED);
        NO_CACHE
    };
    headers.insert(header::CACHE_CONTROL, cache_control);
    // The same URL may be answered br, gzip or plain: caches must key on the request's encoding.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == "text/html")
    {
        headers.insert(header::CONTENT_TYPE, HTML);
    }
}

/// Whether the file name carries trunk's content hash: `-`, [`HASH_DIGITS`] lowercase hex digits,
/// then `.` (`main-0a1b….css`) or `_` (`prepoznaj-3f2a…_bg.wasm`).
pub fn is_content_hashed(path: &str) -> bool {
    let file_name = path.rsplit('/').next().unwrap_or_default();
    file_name.match_indices('-').any(|(dash, _)| {
        let after_dash = &file_name[dash + 1..];
        let digits = after_dash
            .bytes()
            .take_while(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
            .count();
        HASH_DIGITS.contains(&digits)
            && matches!(after_dash.as_bytes().get(digits), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        for path in [
            "/prepoznaj-3f2a9c1b8d7e6f50_bg.wasm",
            "/prepoznaj-3f2a9c1b8d7e6f50.js",
            "/main-0a1b2c3d4e5f6789.css",
            "/boot-0123456789abcdef.js",
            "/assets/my-app-f2a9c1b8d7e6f50.js",
        ] {
            assert!(is_content_hashed(path), "{path}");
        }
    }

    #[test]
    fn other_names_are_not_hashed() {
        for path in [
            "/",
            "/index.html",
            "/sw.js",
            "/manifest.webmanifest",
            "/icons/icon-192.png",
            "/icons/icon-512-maskable.png",
            "/prepoznaj-3F2A9C1B8D7E6F50.js",
            "/prepoznaj-3f2a9c1b8d7e6f50",
            "/prepoznaj-3f2a9c1b8d7e6f50ab.js",
            "/prepoznaj-3f2a9c1b8d7e6f50.js/",
        ] {
            assert!(!is_content_hashed(path), "{path}");
        }
    }
}
