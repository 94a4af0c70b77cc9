//! `GET /metrics` in Prometheus' text format, served on a listener of its own
//! (`--metrics-bind`, off by default) so that it is never reachable where the app is.
//!
//! What it counts: requests by method, route and status, and their durations by method and
//! route; responses that failed because the database did not answer; and, read at each
//! scrape, the reports whose envelopes the server stores, the tombstones retention left, and
//! the writes waiting for the database. Labels hold only the route's template (`/api/v1/
//! reports/{id}/status`, never an id), a method and a status: never a school, a device, a
//! member or anything a request carried.

use std::{sync::Arc, time::Instant};

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use prepoznaj_domain::{endpoints::Endpoint, protocol::ErrorCode};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::store::Store;

/// A request's labels: how it was asked, where, and how it was answered.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: &'static str,
    status: u16,
}

/// A duration's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: &'static str,
}

/// The server's metrics, shared by the request middleware and the scrape handler.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    database_errors: Counter,
    reports_stored: Gauge,
    reports_forgotten: Gauge,
    writes_waiting: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("prepoznaj");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by method, route and status",
            requests.clone(),
        );
        // 1 ms to about 16 s.
        let durations = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response, by method and route",
            durations.clone(),
        );
        let database_errors = Counter::default();
        registry.register(
            "database_errors",
            "Responses that failed because the database did not answer",
            database_errors.clone(),
        );
        let reports_stored = Gauge::default();
        registry.register(
            "reports_stored",
            "Reports whose envelopes the server stores",
            reports_stored.clone(),
        );
        let reports_forgotten = Gauge::default();
        registry.register(
            "reports_forgotten",
            "Reports whose envelopes retention deleted (their tombstones)",
            reports_forgotten.clone(),
        );
        let writes_waiting = Gauge::default();
        registry.register(
            "database_writes_waiting",
            "Writes queued for the database (SQLite: the writer's queue; PostgreSQL: requests \
             waiting for a connection)",
            writes_waiting.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            database_errors,
            reports_stored,
            reports_forgotten,
            writes_waiting,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    fn record(&self, method: &str, route: &'static str, status: StatusCode, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route,
                status: status.as_u16(),
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route,
            })
            .observe(seconds);
    }

    /// The text format, with the store's figures read now.
    async fn scrape<S: Store>(&self, store: &S) -> Result<String, std::fmt::Error> {
        match store.report_totals().await {
            Ok(totals) => {
                self.reports_stored
                    .set(i64::try_from(totals.stored).unwrap_or(i64::MAX));
                self.reports_forgotten
                    .set(i64::try_from(totals.forgotten).unwrap_or(i64::MAX));
            }
            Err(error) => {
                self.database_errors.inc();
                tracing::warn!(error = %crate::error::one_line(&error), "metrics: cannot count reports");
            }
        }
        self.writes_waiting
            .set(i64::try_from(store.writes_waiting()).unwrap_or(i64::MAX));
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The route a request's path is served by, as its template: an API endpoint's path, `/api`
/// for anything else under it, and `app` for the app's files. Never the path itself, so that
/// ids stay out of the labels and their number stays small.
#[must_use]
pub fn route_of(path: &str) -> &'static str {
    if path != "/api" && !path.starts_with("/api/") {
        return "app";
    }
    Endpoint::ALL
        .into_iter()
        .map(|endpoint| endpoint.path())
        .find(|template| matches_template(template, path))
        .unwrap_or("/api")
}

/// Whether `path` fills `template`, where a `{…}` segment stands for any one segment.
fn matches_template(template: &str, path: &str) -> bool {
    let (mut template, mut path) = (template.split('/'), path.split('/'));
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(expected), Some(found)) => {
                let wildcard = expected.starts_with('{') && expected.ends_with('}');
                if !(found == expected || wildcard && !found.is_empty()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Middleware for the app's router: counts every request once its response is ready, and a
/// response the database failed.
pub async fn count_request(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let route = route_of(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.record(
        &method,
        route,
        response.status(),
        started.elapsed().as_secs_f64(),
    );
    if response.extensions().get::<ErrorCode>() == Some(&ErrorCode::StoreUnavailable) {
        metrics.database_errors.inc();
    }
    response
}

/// The metrics listener's router: `GET /metrics`, nothing else.
pub fn router<S: Store>(metrics: Arc<Metrics>, store: S) -> Router {
    Router::new()
        .route("/metrics", get(scrape::<S>))
        .with_state((metrics, store))
}

async fn scrape<S: Store>(State((metrics, store)): State<(Arc<Metrics>, S)>) -> Response {
    match metrics.scrape(&store).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "metrics: cannot encode");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_routes_template_never_an_id() {
        let id = "0192f3a4-0004-7000-8000-00000000000e";
        for (path, route) in [
            ("/api/v1/reports".to_owned(), "/api/v1/reports"),
            (
                format!("/api/v1/reports/{id}/status"),
                "/api/v1/reports/{id}/status",
            ),
            (format!("/api/v1/devices/{id}"), "/api/v1/devices/{id}"),
            ("/api/v1/reports//status".to_owned(), "/api"),
            ("/api/v1/nothing/here".to_owned(), "/api"),
            ("/api".to_owned(), "/api"),
            ("/".to_owned(), "app"),
            ("/observe/123".to_owned(), "app"),
            ("/apis".to_owned(), "app"),
        ] {
            assert_eq!(route_of(&path), route, "{path}");
        }
    }
}
