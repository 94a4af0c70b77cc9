//! Builds the server from a [`Config`]: checks `--base-url` and `--dist`, binds the port, opens
//! and migrates the store its [`Database`] names (SQLite or PostgreSQL), assembles the router.
//! Nothing here handles a request.
//!
//! Order matters for the operator: every check that can fail on configuration runs before the
//! first log line, so a bad start prints exactly one line.

use std::{future::IntoFuture as _, net::SocketAddr, sync::Arc};

use axum::{Router, middleware};
use tokio::net::TcpListener;
use tower::util::MapResponseLayer;

use crate::client_address::TrustedProxies;
use crate::security::Transport;
use crate::{
    Config, StartupError,
    metrics::{self, Metrics},
    retention,
    routes::{self, ApiOptions},
    security,
    static_files::StaticFiles,
    store::{Database, Store, StoreError, postgres::PostgresStore, sqlite::SqliteStore},
    telemetry,
};

/// A bound, migrated server, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    database: Database,
    retention: retention::Job,
    /// `--metrics-bind`'s listener and its router.
    metrics: Option<(TcpListener, Router)>,
}

impl Application {
    /// Checks the configuration, binds the address and opens the store.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let transport = Transport::of_base_url(config.checked_base_url()?);
        let static_files = StaticFiles::new(&config.dist)?;
        let database = config.database()?;
        let requested = SocketAddr::new(config.bind, config.port);
        let bind_error = |source| StartupError::Bind {
            address: requested,
            source,
        };
        let listener = TcpListener::bind(requested).await.map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let metrics_listener = match config.metrics_bind {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .map_err(|source| StartupError::Bind { address, source })?,
            ),
            None => None,
        };
        let metrics = metrics_listener
            .as_ref()
            .map(|_| Arc::new(Metrics::default()));
        let kept = config.retention();
        let options = ApiOptions {
            trusted_proxies: TrustedProxies::new(config.trusted_proxies.clone()),
            quotas: config.quotas,
            retention: kept,
        };
        let scrape = metrics_listener.zip(metrics.clone());
        // The same service over whichever store opened (each a type of its own).
        macro_rules! serve {
            ($store:expr) => {{
                let store = $store;
                (
                    router(
                        store.clone(),
                        static_files,
                        options,
                        transport,
                        metrics.clone(),
                    ),
                    retention::Job::new(store.clone(), kept),
                    scrape.map(|(listener, metrics)| (listener, metrics::router(metrics, store))),
                )
            }};
        }
        let (router, retention, metrics) = match open_store(&database).await? {
            OpenStore::Sqlite(store) => serve!(store),
            OpenStore::Postgres(store) => serve!(store),
        };
        Ok(Self {
            listener,
            router,
            address,
            database,
            retention,
            metrics,
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

    /// The address `GET /metrics` is served on, if `--metrics-bind` asked for it.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Writes the start-up line on stderr: version, address and database.
    pub fn announce(&self) {
        eprintln!(
            "prepoznaj-server {} listening on http://{} (data: {})",
            env!("CARGO_PKG_VERSION"),
            self.address,
            self.database
        );
    }

    /// Where the data is kept.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Serves until SIGINT or SIGTERM, then lets open requests finish. Each request knows its
    /// client's address (for rate limits). The retention job runs meanwhile.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let retention = tokio::spawn(self.retention.run());
        let metrics = self.metrics.map(|(listener, router)| {
            if let Ok(address) = listener.local_addr() {
                tracing::info!(%address, "metrics served at /metrics");
            }
            tokio::spawn(axum::serve(listener, router).into_future())
        });
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(StartupError::Serve);
        retention.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        served
    }
}

/// An opened store of either backend; callers match once and stay generic over [`Store`].
#[derive(Debug)]
pub enum OpenStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Opens (creating and migrating if needed) the store of `database`.
pub async fn open_store(database: &Database) -> Result<OpenStore, StartupError> {
    match database {
        Database::Sqlite { data_dir } => SqliteStore::open(data_dir)
            .await
            .map(OpenStore::Sqlite)
            .map_err(|source| match source {
                StoreError::Location { .. } => StartupError::DataDir {
                    path: data_dir.clone(),
                    source,
                },
                other => StartupError::Store(other),
            }),
        Database::Postgres(url) => PostgresStore::connect(url)
            .await
            .map(OpenStore::Postgres)
            .map_err(|source| match source {
                StoreError::Connect { .. } => StartupError::DatabaseUnreachable {
                    url: url.to_string(),
                    source,
                },
                other => StartupError::Store(other),
            }),
    }
}

/// The whole server around any store: `/api` to [`routes::api`], everything else to the app's
/// files, security headers (with HSTS over [`Transport::Https`]) and the request log on every
/// response.
pub fn router<S: Store>(
    store: S,
    static_files: StaticFiles,
    options: ApiOptions,
    transport: Transport,
    metrics: Option<Arc<Metrics>>,
) -> Router {
    let router = Router::new()
        .merge(routes::api(store, options))
        .fallback_service(static_files.router())
        .layer(MapResponseLayer::new(security::add_security_headers));
    let router = match transport {
        Transport::Https => router.layer(MapResponseLayer::new(
            security::add_strict_transport_security,
        )),
        Transport::PlainOrUnknown => router,
    };
    let router = match metrics {
        Some(metrics) => router.layer(middleware::from_fn_with_state(
            metrics,
            metrics::count_request,
        )),
        None => router,
    };
    router.layer(middleware::from_fn(telemetry::log_request))
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
