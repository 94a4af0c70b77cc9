//! The real server, killed and restarted in process: each life runs on its own tokio runtime,
//! and a kill shuts that runtime down without waiting, which drops every connection and every
//! request mid-way (a SQLite write already handed to its thread finishes or not, as it would
//! when the process dies). A restart builds a new [`Application`] on the same data directory;
//! its port changes, which the proxy hides from the phone.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    str::FromStr,
};

use prepoznaj_server::{Application, Config};
use tokio::runtime::Runtime;
use tracing_subscriber::filter::Targets;

/// One server's data directory and, while it is up, its runtime and address.
#[derive(Debug)]
pub struct Server {
    data_dir: PathBuf,
    dist_dir: PathBuf,
    life: Option<(Runtime, SocketAddr)>,
    /// Lives so far (the first start counts).
    pub starts: u32,
}

impl Server {
    /// Starts a server on `data_dir` (created if missing) serving a one-file `dist/`.
    pub async fn start(data_dir: &Path, dist_dir: &Path) -> Self {
        std::fs::write(
            dist_dir.join("index.html"),
            "<!doctype html><title>Prepoznaj</title>",
        )
        .unwrap();
        let mut server = Self {
            data_dir: data_dir.to_path_buf(),
            dist_dir: dist_dir.to_path_buf(),
            life: None,
            starts: 0,
        };
        server.ensure_up().await;
        server
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("prepoznaj.db")
    }

    /// The address of the running server, starting a new life first if it is down.
    pub async fn ensure_up(&mut self) -> SocketAddr {
        if let Some((_, address)) = &self.life {
            return *address;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let config = Config {
            port: 0,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            data_dir: self.data_dir.clone(),
            // The suite checks the SQLite file directly after every kill.
            database_url: None,
            base_url: None,
            dist: self.dist_dir.clone(),
            report_retention_days: prepoznaj_server::config::DEFAULT_REPORT_RETENTION_DAYS,
            unclosed_report_retention_days:
                prepoznaj_server::config::DEFAULT_UNCLOSED_REPORT_RETENTION_DAYS,
            trusted_proxies: Vec::new(),
            quotas: prepoznaj_server::config::Quotas::default(),
            metrics_bind: None,
            log: Targets::from_str("off").unwrap(),
        };
        // Built on its own runtime, so that the listener and every connection die with it.
        let address = runtime
            .spawn(async move {
                let application = Application::build(config).await.unwrap();
                let address = application.address();
                tokio::spawn(application.run_until_stopped());
                address
            })
            .await
            .unwrap();
        self.life = Some((runtime, address));
        self.starts += 1;
        address
    }

    /// The running server's address, or `None` while it is down.
    pub fn address(&self) -> Option<SocketAddr> {
        self.life.as_ref().map(|(_, address)| *address)
    }

    /// Kills the server: no graceful shutdown, no waiting for requests in flight.
    pub fn kill(&mut self) {
        if let Some((runtime, _)) = self.life.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
