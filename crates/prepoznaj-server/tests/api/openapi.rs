//! `GET /api/openapi.json` is kept true: the routes and methods it lists are exactly the ones
//! served, each error code it names exists with the status it is listed under, and its schemas
//! have the fields of the protocol's golden JSON.

use std::collections::{BTreeMap, BTreeSet};

use prepoznaj_domain::protocol::{ErrorCode, PROTOCOL_VERSION};
use prepoznaj_server::{error::status_of, routes::routes, store::sqlite::SqliteStore};
use serde_json::Value;

use crate::test_app::{TestApp, header};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/json")
    );
    response.json().await.unwrap()
}

fn documented_routes(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| method.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_and_methods_served() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["version"], PROTOCOL_VERSION.to_string());

    let mut served: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for route in routes::<SqliteStore>() {
        served
            .entry(route.path.to_owned())
            .or_default()
            .extend(route.methods.iter().map(ToString::to_string));
    }

    assert_eq!(documented_routes(&document), served);
}

#[tokio::test]
async fn documented_methods_are_answered_and_other_methods_are_405() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;

    for (path, methods) in documented_routes(&document) {
        let path = path.replace("{id}", "0192f3a4-0004-7000-8000-00000000000e");
        for method in METHODS {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), format!("{}{path}", app.base_url))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            if methods.contains(method.as_str()) {
                // Unauthenticated and bodiless: 200, 401 or 415, never "no such route".
                assert!(![404, 405].contains(&status), "{method} {path}: {status}");
            } else {
                assert_eq!(status, 405, "{method} {path}");
            }
        }
    }
}

#[tokio::test]
async fn each_documented_error_code_exists_with_the_status_it_is_listed_under() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;

    let enumerated: BTreeSet<&str> = document["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    let all: BTreeSet<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(
        enumerated, all,
        "the ErrorCode schema lists every code, and only those"
    );

    let mut listed = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                let Some(codes) = response.get("x-error-codes") else {
                    assert!(
                        status.starts_with('2'),
                        "{method} {path} {status} lists no codes"
                    );
                    continue;
                };
                for code in codes.as_array().unwrap() {
                    let code: ErrorCode = serde_json::from_value(code.clone()).unwrap();
                    assert_ne!(code, ErrorCode::Unrecognised, "{method} {path} {status}");
                    assert_eq!(
                        status_of(code).as_str(),
                        status,
                        "{method} {path}: {code} is sent with another status"
                    );
                    listed += 1;
                }
            }
        }
    }
    assert!(listed > 50, "{listed}");
}

/// Checks `value` against the schema named `name`, following `$ref`s into nested objects and
/// arrays: the value has every required property and no property the schema lacks.
fn check_fields(schemas: &Value, name: &str, value: &Value, at: &str) {
    let schema = &schemas[name];
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{at} is not an object"));
    for key in object.keys() {
        assert!(
            properties.contains_key(key),
            "{at}.{key} is not in schema {name}"
        );
    }
    for required in schema["required"].as_array().unwrap() {
        let required = required.as_str().unwrap();
        assert!(
            object.contains_key(required),
            "{at} lacks {required} (schema {name})"
        );
    }
    for (key, field) in object {
        let property = &properties[key];
        let reference = property["$ref"]
            .as_str()
            .or_else(|| property["items"]["$ref"].as_str());
        let Some(reference) = reference else {
            continue;
        };
        let target = reference.trim_start_matches("#/components/schemas/");
        match field {
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    check_fields(schemas, target, item, &format!("{at}.{key}[{index}]"));
                }
            }
            other => check_fields(schemas, target, other, &format!("{at}.{key}")),
        }
    }
}

#[tokio::test]
async fn the_schemas_have_the_fields_of_the_protocol_golden_files() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../prepoznaj-domain/tests/golden/protocol");

    let mut checked = 0;
    for entry in std::fs::read_dir(&golden).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let schema: String = stem
            .split('_')
            .map(|word| word[..1].to_uppercase() + &word[1..])
            .collect();
        assert!(
            schemas.get(&schema).is_some(),
            "no schema {schema} for {stem}.json"
        );
        let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        check_fields(schemas, &schema, &value, stem);
        checked += 1;
    }
    assert!(checked >= 16, "{checked}");
}
