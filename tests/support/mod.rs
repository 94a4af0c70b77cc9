//! What the app's pages get from `public/boot.js` before the wasm starts, for the wasm test
//! page, which does not load it: the plain IndexedDB of `storage::preferences`.

use wasm_bindgen::JsValue;

/// Runs `public/boot.js` in the test page once (without its tags it starts nothing).
pub fn load_boot_js() {
    let global = js_sys::global();
    if js_sys::Reflect::has(&global, &JsValue::from_str("prepoznajPreferences")).unwrap_or(false) {
        return;
    }
    js_sys::Function::new_no_args(include_str!("../../public/boot.js"))
        .call0(&JsValue::NULL)
        .expect("public/boot.js runs");
}
