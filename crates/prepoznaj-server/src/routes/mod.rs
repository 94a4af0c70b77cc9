//! The JSON API under `/api`, one module per resource. Handlers talk to a [`Store`], never SQL.
//!
//! Every response from here, errors included, is `Cache-Control: no-store`: the app's service
//! worker and any proxy must always ask the server. Unknown paths and methods answer with an
//! [`ApiError`] body, never with the app's HTML. Bodies larger than
//! [`MAX_REQUEST_BODY_BYTES`] are refused with `413 body_too_large`.
//!
//! [`routes`] is what is served: one handler for each entry of the domain's endpoint table
//! ([`Endpoint`], whose paths and methods the app's client uses too); the router is built from
//! it, the API tests check it against [`Endpoint::ALL`] and the OpenAPI test compares it with
//! `openapi.json`, so a route cannot be added without listing and documenting it.

pub mod devices;
pub mod enrolment_links;
pub mod extract;
pub mod health;
pub mod keys;
pub mod link_checks;
pub mod openapi;
pub mod reports;
pub mod team;
pub mod team_reports;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    http::{HeaderValue, Method, header},
    response::Response,
    routing::{MethodRouter, any},
};
use prepoznaj_domain::endpoints::{self, Endpoint};
use prepoznaj_domain::protocol::MAX_REQUEST_BODY_BYTES;
use tower::util::MapResponseLayer;

use crate::{
    ApiError,
    client_address::TrustedProxies,
    config::Quotas,
    rate_limit::RateLimiter,
    store::{Store, rules::Retention},
};

/// What the operator's configuration tells the API.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// The proxies whose headers name the client.
    pub trusted_proxies: TrustedProxies,
    /// What a phone, a report and a school may use.
    pub quotas: Quotas,
    /// How long reports are kept, for the team's listing to say when each will be deleted.
    pub retention: Retention,
}

/// What every handler can reach: the store, the limiter for code redemption and the
/// operator's options.
#[derive(Debug, Clone)]
pub struct ApiState<S> {
    pub store: S,
    pub limiter: Arc<RateLimiter>,
    pub options: Arc<ApiOptions>,
}

impl<S: Store> ApiState<S> {
    pub fn new(store: S, options: ApiOptions) -> Self {
        Self {
            store,
            limiter: Arc::new(RateLimiter::default()),
            options: Arc::new(options),
        }
    }
}

/// One endpoint of the API table ([`Endpoint`]) and the handler that serves it. Its path and
/// method come from the table, so the router cannot serve what the table does not list.
#[derive(Debug)]
pub struct ApiRoute<S> {
    pub endpoint: Endpoint,
    pub path: &'static str,
    pub methods: Vec<Method>,
    router: MethodRouter<ApiState<S>>,
}

impl<S: Store> ApiRoute<S> {
    fn new<H: Handler<T, ApiState<S>>, T: 'static>(endpoint: Endpoint, handler: H) -> Self {
        let (method, router) = match endpoint.method() {
            endpoints::Method::Get => (Method::GET, MethodRouter::new().get(handler)),
            endpoints::Method::Post => (Method::POST, MethodRouter::new().post(handler)),
            endpoints::Method::Delete => (Method::DELETE, MethodRouter::new().delete(handler)),
        };
        Self {
            endpoint,
            path: endpoint.path(),
            methods: vec![method],
            router,
        }
    }
}

/// Every API route, in the order of `openapi.json` (and of [`Endpoint::ALL`]).
pub fn routes<S: Store>() -> Vec<ApiRoute<S>> {
    vec![
        ApiRoute::new(Endpoint::Health, health::health::<S>),
        ApiRoute::new(Endpoint::OpenApi, openapi::document),
        ApiRoute::new(Endpoint::SubmitReport, reports::submit::<S>),
        ApiRoute::new(Endpoint::ReportStatus, reports::status::<S>),
        ApiRoute::new(Endpoint::TeamSetup, team::set_up::<S>),
        ApiRoute::new(Endpoint::LinkCheck, link_checks::check::<S>),
        ApiRoute::new(Endpoint::AppendChain, team::append_chain::<S>),
        ApiRoute::new(Endpoint::RenewSetupCode, team::renew_setup_code::<S>),
        ApiRoute::new(Endpoint::TeamKeys, keys::for_team::<S>),
        ApiRoute::new(Endpoint::TeamReports, team_reports::list::<S>),
        ApiRoute::new(
            Endpoint::RecordStatusChange,
            team_reports::record_status_change::<S>,
        ),
        ApiRoute::new(Endpoint::CreateEnrolmentLink, enrolment_links::create::<S>),
        ApiRoute::new(Endpoint::RevokeEnrolmentLink, enrolment_links::revoke::<S>),
        ApiRoute::new(Endpoint::EnrolDevice, devices::enrol::<S>),
        ApiRoute::new(Endpoint::RevokeDevice, devices::revoke::<S>),
        ApiRoute::new(Endpoint::SchoolKeys, keys::current::<S>),
        ApiRoute::new(Endpoint::TeamDevices, devices::list::<S>),
        ApiRoute::new(Endpoint::TeamEnrolmentLinks, enrolment_links::list::<S>),
    ]
}

/// The API router: owns `/api`, `/api/` and every path below, so none of them ever reaches the
/// app's files. Merge it into the top-level router.
pub fn api<S: Store>(store: S, options: ApiOptions) -> Router {
    // Endpoints on the same path share one method router (and its 405 for other methods).
    let mut by_path: BTreeMap<&'static str, MethodRouter<ApiState<S>>> = BTreeMap::new();
    for route in routes::<S>() {
        let router = match by_path.remove(route.path) {
            Some(served) => served.merge(route.router),
            None => route.router,
        };
        by_path.insert(route.path, router);
    }
    let mut router = Router::new();
    for (path, served) in by_path {
        router = router.route(path, served.fallback(method_not_allowed));
    }
    router
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*unknown}", any(not_found))
        .with_state(ApiState::new(store, options))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .layer(MapResponseLayer::new(no_store))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Applied with `tower::util::MapResponseLayer`: no clone of the router and no boxed future per
/// request, as an axum `from_fn` middleware would cost.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
