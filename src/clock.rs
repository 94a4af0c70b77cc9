//! The browser's clock and randomness, for the few values the domain takes from outside.

use prepoznaj_domain::observation::{ReportId, UnixMillis};

/// Now, in milliseconds since the Unix epoch.
#[must_use]
pub fn now() -> UnixMillis {
    // Date.now() is a whole, positive number of milliseconds.
    UnixMillis(js_sys::Date::now().max(0.0) as u64)
}

/// `N` bytes from the browser's cryptographic source (all zero, with a warning, where there is
/// none: only for values that need not be secret, such as an id's tail or which groups of a
/// code to ask back).
#[must_use]
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut random = [0_u8; N];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.get_random_values_with_u8_array(&mut random));
    if !matches!(filled, Some(Ok(_))) {
        // Every browser that runs this app has crypto.getRandomValues.
        leptos::logging::warn!("crypto.getRandomValues is unavailable");
    }
    random
}

/// A new UUIDv7 report id, with its random part from the browser's cryptographic source
/// (without one the id is still unique per millisecond on this phone).
#[must_use]
pub fn new_report_id() -> ReportId {
    ReportId::new_v7(now(), random_bytes())
}

/// A short local date and time for lists ("27. 11. 2026. 14:05" / "27/11/2026 14:05").
#[must_use]
pub fn format_time(at: UnixMillis, serbian: bool) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64));
    let (day, month, year) = (date.get_date(), date.get_month() + 1, date.get_full_year());
    let (hours, minutes) = (date.get_hours(), date.get_minutes());
    if serbian {
        format!("{day}. {month}. {year}. {hours:02}:{minutes:02}")
    } else {
        format!("{day:02}/{month:02}/{year} {hours:02}:{minutes:02}")
    }
}
