//! In-page telemetry: User Timing measures in the page's own performance timeline
//! (`performance.getEntriesByName`). Nothing is ever sent anywhere; the benchmarks in
//! `tests/bench/` read them.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(catch, js_namespace = performance, js_name = measure)]
    fn performance_measure(name: &str, options: &js_sys::Object) -> Result<JsValue, JsValue>;
}

/// The page's high-resolution clock, in milliseconds (the time base of `Event.timeStamp`).
#[must_use]
pub fn now_ms() -> f64 {
    performance_now()
}

/// Records the measure `name` from `start` (a [`now_ms`] or an `Event.timeStamp`) until now.
/// A failure is logged: telemetry never stops what it measures.
pub fn measure_since(name: &str, start: f64) {
    let end = performance_now();
    let options = js_sys::Object::new();
    let recorded = js_sys::Reflect::set(&options, &"start".into(), &start.into())
        .and_then(|_| js_sys::Reflect::set(&options, &"end".into(), &end.into()))
        .and_then(|_| performance_measure(name, &options));
    if let Err(error) = recorded {
        leptos::logging::warn!("could not record {name}: {error:?}");
    }
}
