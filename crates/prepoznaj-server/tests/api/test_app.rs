//! Spawning the server for a test: fixture `dist/`, fresh data directory, HTTP client.

use std::{
    net::{IpAddr, Ipv4Addr},
    path::{Path, PathBuf},
    str::FromStr,
};

use prepoznaj_server::{Application, Config};
use tempfile::TempDir;
use tracing_subscriber::filter::Targets;

pub const INDEX_HTML: &str = "<!doctype html><title>Prepoznaj</title><body></body>";
pub const HASHED_JS: &str = "prepoznaj-3f2a9c1b8d7e6f50.js";
pub const HASHED_JS_BODY: &[u8] = b"export default function init() {}";
// The server never decodes precompressed siblings, so distinct marker bytes show which file
// was sent without compressing anything in the test.
pub const HASHED_JS_BR: &[u8] = b"brotli bytes of the js";
pub const HASHED_JS_GZ: &[u8] = b"gzip bytes of the js";
pub const HASHED_WASM: &str = "prepoznaj-3f2a9c1b8d7e6f50_bg.wasm";
pub const HASHED_CSS: &str = "main-0a1b2c3d4e5f6789.css";
pub const SERVICE_WORKER_V1: &[u8] = b"// service worker v1\n";
pub const OBSERVE_HTML: &str = "<!doctype html><title>Prepoznaj: observe</title><body></body>";
pub const MANIFEST: &str = r#"{"name":"Prepoznaj","start_url":"/"}"#;

/// Writes a dist directory shaped like trunk's output plus the build's `.br`/`.gz` siblings.
/// The CSS has no siblings on purpose.
pub fn write_dist(dist: &Path) {
    let files: [(&str, &[u8]); 10] = [
        ("index.html", INDEX_HTML.as_bytes()),
        ("observe.html", OBSERVE_HTML.as_bytes()),
        (HASHED_JS, HASHED_JS_BODY),
        ("prepoznaj-3f2a9c1b8d7e6f50.js.br", HASHED_JS_BR),
        ("prepoznaj-3f2a9c1b8d7e6f50.js.gz", HASHED_JS_GZ),
        (HASHED_WASM, b"\0asm\x01\0\0\0"),
        (HASHED_CSS, b"body { margin: 0 }"),
        ("sw.js", SERVICE_WORKER_V1),
        ("manifest.webmanifest", MANIFEST.as_bytes()),
        ("icons/icon-192.png", b"\x89PNG\r\n\x1a\n"),
    ];
    for (name, bytes) in files {
        let path = dist.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A running server and the directories it owns; both are deleted when the test ends.
#[derive(Debug)]
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub data_dir: TempDir,
    pub dist_dir: TempDir,
    pub database_path: PathBuf,
}

/// A configuration on 127.0.0.1, port 0, for the given directories.
pub fn config(data_dir: &Path, dist: &Path) -> Config {
    Config {
        port: 0,
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        data_dir: data_dir.to_path_buf(),
        dist: dist.to_path_buf(),
        log: Targets::from_str("info").unwrap(),
    }
}

/// An HTTP client that shows the wire as it is: no decompression, no redirects followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Builds and starts the application. The listener is bound before `build` returns, so
    /// requests can be sent at once.
    pub async fn spawn() -> Self {
        let data_dir = TempDir::new().unwrap();
        let dist_dir = TempDir::new().unwrap();
        write_dist(dist_dir.path());
        // A data directory that does not exist yet: the server must create it.
        let data_path = data_dir.path().join("data");
        let application = Application::build(config(&data_path, dist_dir.path()))
            .await
            .unwrap();
        let base_url = format!("http://{}", application.address());
        let database_path = application.database_path().to_path_buf();
        tokio::spawn(application.run_until_stopped());
        Self {
            base_url,
            client: client(),
            data_dir,
            dist_dir,
            database_path,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base_url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }
}

/// A response header as text, or `None`.
pub fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}
