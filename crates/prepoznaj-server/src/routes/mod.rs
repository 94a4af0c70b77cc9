//! The JSON API under `/api`, one module per resource. Handlers talk to a [`Store`], never SQL.
//!
//! Every response from here, errors included, is `Cache-Control: no-store`: the app's service
//! worker and any proxy must always ask the server. Unknown paths and methods answer with an
//! [`ApiError`] body, never with the app's HTML. Bodies larger than
//! [`MAX_REQUEST_BODY_BYTES`] are refused with `413 body_too_large`.
//!
//! [`routes`] is the one table of what is served: the router is built from it and the OpenAPI
//! test compares it with `openapi.json`, so a route cannot be added without documenting it.

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

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    http::{HeaderValue, Method, header},
    response::Response,
    routing::{MethodRouter, any},
};
use prepoznaj_domain::protocol::MAX_REQUEST_BODY_BYTES;
use tower::util::MapResponseLayer;

use crate::{ApiError, rate_limit::RateLimiter, store::Store};

/// What every handler can reach: the store and the limiter for code redemption.
#[derive(Debug, Clone)]
pub struct ApiState<S> {
    pub store: S,
    pub limiter: Arc<RateLimiter>,
}

impl<S: Store> ApiState<S> {
    pub fn new(store: S) -> Self {
        Self {
            store,
            limiter: Arc::new(RateLimiter::default()),
        }
    }
}

/// One path of the API and the methods it serves.
#[derive(Debug)]
pub struct ApiRoute<S> {
    pub path: &'static str,
    pub methods: Vec<Method>,
    router: MethodRouter<ApiState<S>>,
}

impl<S: Store> ApiRoute<S> {
    fn new(path: &'static str) -> Self {
        Self {
            path,
            methods: Vec::new(),
            router: MethodRouter::new(),
        }
    }

    fn get<H: Handler<T, ApiState<S>>, T: 'static>(mut self, handler: H) -> Self {
        self.methods.push(Method::GET);
        self.router = self.router.get(handler);
        self
    }

    fn post<H: Handler<T, ApiState<S>>, T: 'static>(mut self, handler: H) -> Self {
        self.methods.push(Method::POST);
        self.router = self.router.post(handler);
        self
    }

    fn delete<H: Handler<T, ApiState<S>>, T: 'static>(mut self, handler: H) -> Self {
        self.methods.push(Method::DELETE);
        self.router = self.router.delete(handler);
        self
    }
}

/// Every API route, in the order of `openapi.json`.
pub fn routes<S: Store>() -> Vec<ApiRoute<S>> {
    vec![
        ApiRoute::new("/api/health").get(health::health::<S>),
        ApiRoute::new("/api/openapi.json").get(openapi::document),
        ApiRoute::new("/api/v1/reports").post(reports::submit::<S>),
        ApiRoute::new("/api/v1/reports/{id}/status").get(reports::status::<S>),
        ApiRoute::new("/api/v1/team/setup").post(team::set_up::<S>),
        ApiRoute::new("/api/v1/link-checks").post(link_checks::check::<S>),
        ApiRoute::new("/api/v1/team/members").post(team::approve_member::<S>),
        ApiRoute::new("/api/v1/team/members/{id}").delete(team::remove_member::<S>),
        ApiRoute::new("/api/v1/team/members/{id}/setup-code").post(team::renew_setup_code::<S>),
        ApiRoute::new("/api/v1/team/keys").get(keys::for_team::<S>),
        ApiRoute::new("/api/v1/team/reports").get(team_reports::list::<S>),
        ApiRoute::new("/api/v1/team/reports/{id}/status-changes")
            .post(team_reports::record_status_change::<S>),
        ApiRoute::new("/api/v1/enrolment-links").post(enrolment_links::create::<S>),
        ApiRoute::new("/api/v1/enrolment-links/{id}").delete(enrolment_links::revoke::<S>),
        ApiRoute::new("/api/v1/devices").post(devices::enrol::<S>),
        ApiRoute::new("/api/v1/devices/{id}").delete(devices::revoke::<S>),
        ApiRoute::new("/api/v1/keys").get(keys::current::<S>),
    ]
}

/// The API router: owns `/api`, `/api/` and every path below, so none of them ever reaches the
/// app's files. Merge it into the top-level router.
pub fn api<S: Store>(store: S) -> Router {
    let mut router = Router::new();
    for route in routes::<S>() {
        router = router.route(route.path, route.router.fallback(method_not_allowed));
    }
    router
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*unknown}", any(not_found))
        .with_state(ApiState::new(store))
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
