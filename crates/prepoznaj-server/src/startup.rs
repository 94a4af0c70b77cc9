//! Builds the server from a [`Config`]: checks `--dist`, binds the port, opens and migrates the
//! store, assembles the router. Nothing here handles a request.
//!
//! Order matters for the operator: every check that can fail on configuration runs before the
//! first log line, so a bad start prints exactly one line.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use axum::{Router, middleware};
use tokio::net::TcpListener;

use crate::{
    Config, StartupError, routes, security,
    static_files::StaticFiles,
    store::{Store, StoreError, sqlite::SqliteStore},
    telemetry,
};

/// A bound, migrated server, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    database_path: PathBuf,
}

impl Application {
    /// Checks the configuration, binds the address and opens the SQLite store.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let static_files = StaticFiles::new(&config.dist)?;
        let requested = SocketAddr::new(config.bind, config.port);
        let bind_error = |source| StartupError::Bind {
            address: requested,
            source,
        };
        let listener = TcpListener::bind(requested).await.map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let store = open_store(&config.data_dir).await?;
        Ok(Self {
            listener,
            router: router(store, static_files),
            address,
            database_path: SqliteStore::database_path(&config.data_dir),
        })
    }

    /// The port actually bound (useful with `--port 0`).
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address actually bound.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Writes the start-up line on stderr: version, address and database.
    pub fn announce(&self) {
        eprintln!(
            "prepoznaj-server {} listening on http://{} (data: {})",
            env!("CARGO_PKG_VERSION"),
            self.address,
            self.database_path.display()
        );
    }

    /// The SQLite database file.
    pub fn database_path(&self) -> &Path {
        &self.database_path
    }

    /// Serves until SIGINT or SIGTERM, then lets open requests finish. Each request knows its
    /// client's address (for rate limits).
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(StartupError::Serve)
    }
}

/// Opens (creating and migrating if needed) the SQLite store under `data_dir`.
pub async fn open_store(data_dir: &Path) -> Result<SqliteStore, StartupError> {
    SqliteStore::open(data_dir)
        .await
        .map_err(|source| match source {
            StoreError::Location { .. } => StartupError::DataDir {
                path: data_dir.to_path_buf(),
                source,
            },
            other => StartupError::Store(other),
        })
}

/// The whole server around any store: `/api` to [`routes::api`], everything else to the app's
/// files, security headers and the request log on every response.
pub fn router<S: Store>(store: S, static_files: StaticFiles) -> Router {
    Router::new()
        .merge(routes::api(store))
        .fallback_service(static_files.router())
        .layer(middleware::from_fn(security::add_security_headers))
        .layer(middleware::from_fn(telemetry::log_request))
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM. If a handler cannot be installed, that
/// signal is logged and ignored rather than stopping the server at once.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
