//! The router serves exactly the domain's endpoint table (`prepoznaj_domain::endpoints`), the
//! one the app's client builds its requests from: every entry answers its method (never 404 or
//! 405), another method on its path is 405, and nothing is served that the table lacks.

use std::collections::BTreeSet;

use prepoznaj_domain::endpoints::{Endpoint, Method};
use prepoznaj_server::{routes::routes, store::sqlite::SqliteStore};

use crate::test_app::TestApp;

const AN_ID: &str = "0192f3a4-0004-7000-8000-00000000000e";

fn http_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
    }
}

#[test]
fn the_router_serves_exactly_the_endpoint_table() {
    let served: BTreeSet<(String, String)> = routes::<SqliteStore>()
        .into_iter()
        .flat_map(|route| {
            route
                .methods
                .into_iter()
                .map(move |method| (method.to_string(), route.path.to_owned()))
        })
        .collect();
    let table: BTreeSet<(String, String)> = Endpoint::ALL
        .into_iter()
        .map(|endpoint| {
            (
                endpoint.method().as_str().to_owned(),
                endpoint.path().to_owned(),
            )
        })
        .collect();
    assert_eq!(served, table);
    assert_eq!(routes::<SqliteStore>().len(), Endpoint::ALL.len());
}

#[tokio::test]
async fn every_endpoint_in_the_table_answers_its_method_and_only_it() {
    let app = TestApp::spawn().await;
    let all = [Method::Get, Method::Post, Method::Delete];
    for endpoint in Endpoint::ALL {
        let path = endpoint.path_with_id(&AN_ID);
        let on_path: BTreeSet<Method> = Endpoint::ALL
            .into_iter()
            .filter(|other| other.path() == endpoint.path())
            .map(Endpoint::method)
            .collect();
        for method in all {
            let response = app
                .client
                .request(http_method(method), format!("{}{path}", app.base_url))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            if on_path.contains(&method) {
                // Unauthenticated and bodiless: 200, 401 or 415, never "no such route".
                assert!(![404, 405].contains(&status), "{method} {path}: {status}");
            } else {
                assert_eq!(status, 405, "{method} {path}");
            }
        }
    }
}
