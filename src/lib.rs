//! Prepoznaj web app: Leptos, client-side rendered, offline-first.
//!
//! [`mount`] is the only entry point; `src/main.rs` calls it. Everything else is reachable
//! from here so that the browser tests in `tests/` can import it.

pub mod address;
pub mod app;
pub mod app_lock;
pub mod clock;
pub mod components;
pub mod content;
pub mod download;
pub mod html;
pub mod i18n;
pub mod inbox;
pub mod page_link;
pub mod pages;
pub mod preferences;
pub mod pwa;
pub mod sealing;
pub mod storage;
pub mod sync;
pub mod timing;
pub mod unsaved;
pub mod webauthn;

use wasm_bindgen::JsCast;

/// Id of the element in `index.html` the app renders into.
pub const ROOT_ELEMENT_ID: &str = "app";
/// Id of the static "loading" placeholder in `index.html`, removed once the app runs.
pub const LOADING_ELEMENT_ID: &str = "loading";

/// Loads the bundle's messages (its section `readers`, see `app`), then mounts `root` into
/// `#app` and removes the static loading placeholder. If not even the Serbian messages can be
/// loaded, the placeholder says in both languages that the app could not start.
pub fn mount<View: leptos::prelude::IntoView + 'static>(
    readers: &'static [i18n::SectionReader],
    root: fn() -> View,
) {
    // Leptos's own executor starts with the mount; until then, wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async move {
        match i18n::start(readers).await {
            Ok(_) => mount_now(root),
            Err(error) => {
                leptos::logging::error!("{error}");
                if let Some(status) = web_sys::window()
                    .and_then(|window| window.document())
                    .and_then(|document| document.query_selector("[data-boot-status]").ok())
                    .flatten()
                {
                    status.set_text_content(Some(
                        "Апликација није могла да се покрене. Освежите страницу. / The app could not start. Please reload.",
                    ));
                }
            }
        }
    });
}

fn mount_now<View: leptos::prelude::IntoView + 'static>(root: fn() -> View) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Some(root_element) = document
        .get_element_by_id(ROOT_ELEMENT_ID)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        leptos::logging::error!("index.html has no #{ROOT_ELEMENT_ID} element");
        return;
    };
    if let Some(loading) = document.get_element_by_id(LOADING_ELEMENT_ID) {
        loading.remove();
    }
    leptos::mount::mount_to(root_element, root).forget();
}
