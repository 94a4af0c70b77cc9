//! Progressive-web-app plumbing: service worker registration and updates, installation,
//! online status and persistent storage.
//!
//! Updates never take over by themselves: a new service worker waits until the person taps
//! "Update available — reload" ([`Pwa::apply_update`]). This module only talks to browser
//! APIs; it never touches observations.

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

/// URL of the service worker (generated at build time; see `xtask`).
pub const SERVICE_WORKER_URL: &str = "/sw.js";
/// Message that tells a waiting service worker to activate (see `public/sw.js`).
pub const SKIP_WAITING_MESSAGE: &str = "skip-waiting";
/// Global where `public/boot.js` keeps a `beforeinstallprompt` event that fired early.
const EARLY_INSTALL_PROMPT: &str = "prepoznajInstallPrompt";
/// Event `public/boot.js` dispatches on `window` when the browser offers installation.
const INSTALLABLE_EVENT: &str = "prepoznaj-installable";
/// How often an open app asks the server whether a new version exists.
const UPDATE_CHECK_INTERVAL_MS: i32 = 30 * 60 * 1000;

/// Shared PWA state: connection, update, installation.
#[derive(Debug, Clone, Copy)]
pub struct Pwa {
    online: RwSignal<bool>,
    update_ready: RwSignal<bool>,
    can_install: RwSignal<bool>,
    waiting_worker: StoredValue<Option<ServiceWorker>, LocalStorage>,
    install_prompt: StoredValue<Option<JsValue>, LocalStorage>,
    reload_requested: StoredValue<bool>,
}

impl Pwa {
    /// Whether the browser reports a network connection (reactive).
    #[must_use]
    pub fn online(&self) -> bool {
        self.online.get()
    }

    /// Whether a new version is installed and waiting for the person's go-ahead (reactive).
    #[must_use]
    pub fn update_ready(&self) -> bool {
        self.update_ready.get()
    }

    /// Whether the browser offered to install the app (reactive).
    #[must_use]
    pub fn can_install(&self) -> bool {
        self.can_install.get()
    }

    /// Activates the waiting version; the page reloads once it has taken control.
    pub fn apply_update(&self) {
        self.reload_requested.set_value(true);
        let posted = self.waiting_worker.with_value(|worker| {
            worker
                .as_ref()
                .map(|worker| worker.post_message(&JsValue::from_str(SKIP_WAITING_MESSAGE)))
        });
        match posted {
            Some(Ok(())) => {}
            // No worker to hand over to (or it refused the message): a plain reload still
            // brings the new version once the old tabs are gone.
            Some(Err(_)) | None => reload_page(),
        }
    }

    /// Shows the browser's install dialog, offered earlier through `beforeinstallprompt`.
    pub fn install(&self) {
        let Some(event) = self.install_prompt.with_value(Clone::clone) else {
            return;
        };
        // The prompt can be shown once per event.
        self.install_prompt.set_value(None);
        self.can_install.set(false);
        let prompt = Reflect::get(&event, &JsValue::from_str("prompt"))
            .ok()
            .and_then(|prompt| prompt.dyn_into::<Function>().ok());
        match prompt.map(|prompt| prompt.call0(&event)) {
            Some(Ok(_)) => {}
            Some(Err(error)) => leptos::logging::warn!("install prompt failed: {error:?}"),
            None => leptos::logging::warn!("install prompt is not callable"),
        }
    }
}

/// Provides the PWA context: registers the service worker and starts listening to the
/// browser for connection, update and installation events.
pub fn provide_pwa() -> Pwa {
    let pwa = Pwa {
        online: RwSignal::new(window().navigator().on_line()),
        update_ready: RwSignal::new(false),
        can_install: RwSignal::new(false),
        waiting_worker: StoredValue::new_local(None),
        install_prompt: StoredValue::new_local(None),
        reload_requested: StoredValue::new(false),
    };
    provide_context(pwa);
    listen_to_connection(pwa);
    listen_for_install_prompt(pwa);
    if let Some(container) = service_worker_container() {
        leptos::task::spawn_local(register_service_worker(pwa, container));
    }
    leptos::task::spawn_local(async {
        if let Err(error) = request_persistent_storage().await {
            leptos::logging::warn!("persistent storage request failed: {error:?}");
        }
    });
    pwa
}

/// The PWA context provided by [`provide_pwa`].
#[must_use]
pub fn use_pwa() -> Pwa {
    expect_context::<Pwa>()
}

fn listen_to_connection(pwa: Pwa) {
    for (event, online) in [("online", true), ("offline", false)] {
        add_window_listener(event, move || pwa.online.set(online));
    }
}

fn listen_for_install_prompt(pwa: Pwa) {
    let take_early_prompt = move || {
        let early = Reflect::get(&window(), &JsValue::from_str(EARLY_INSTALL_PROMPT))
            .ok()
            .filter(|event| !event.is_undefined() && !event.is_null());
        if let Some(event) = early {
            pwa.install_prompt.set_value(Some(event));
            pwa.can_install.set(true);
        }
    };
    take_early_prompt();
    add_window_listener(INSTALLABLE_EVENT, take_early_prompt);
    add_window_listener("appinstalled", move || {
        pwa.install_prompt.set_value(None);
        pwa.can_install.set(false);
    });
}

fn add_window_listener(event: &str, handler: impl FnMut() + 'static) {
    let callback = Closure::<dyn FnMut()>::new(handler);
    if let Err(error) =
        window().add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("cannot listen to {event}: {error:?}");
    }
    // The app listens for its whole life.
    callback.forget();
}

fn service_worker_container() -> Option<ServiceWorkerContainer> {
    let navigator = window().navigator();
    let supported = Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    supported.then(|| navigator.service_worker())
}

async fn register_service_worker(pwa: Pwa, container: ServiceWorkerContainer) {
    let registration = match JsFuture::from(container.register(SERVICE_WORKER_URL)).await {
        Ok(registration) => registration.unchecked_into::<ServiceWorkerRegistration>(),
        Err(error) => {
            leptos::logging::warn!("service worker registration failed: {error:?}");
            return;
        }
    };
    // A version that finished installing while no tab had agreed to it yet.
    if let Some(waiting) = registration.waiting()
        && container.controller().is_some()
    {
        offer_update(pwa, waiting);
    }
    watch_for_new_versions(pwa, &container, &registration);

    let on_controller_change = Closure::<dyn FnMut()>::new(move || {
        if pwa.reload_requested.get_value() {
            reload_page();
        }
    });
    container.set_oncontrollerchange(Some(on_controller_change.as_ref().unchecked_ref()));
    on_controller_change.forget();

    let check_for_update = {
        let registration = registration.clone();
        move || {
            if let Err(error) = registration.update() {
                leptos::logging::warn!("update check failed: {error:?}");
            }
        }
    };
    let periodic = Closure::<dyn FnMut()>::new(check_for_update.clone());
    if let Err(error) = window().set_interval_with_callback_and_timeout_and_arguments_0(
        periodic.as_ref().unchecked_ref(),
        UPDATE_CHECK_INTERVAL_MS,
    ) {
        leptos::logging::warn!("cannot schedule update checks: {error:?}");
    }
    periodic.forget();
    add_window_listener("focus", check_for_update);
}

fn watch_for_new_versions(
    pwa: Pwa,
    container: &ServiceWorkerContainer,
    registration: &ServiceWorkerRegistration,
) {
    let container = container.clone();
    let registration_for_handler = registration.clone();
    let on_update_found = Closure::<dyn FnMut()>::new(move || {
        let Some(installing) = registration_for_handler.installing() else {
            return;
        };
        let container = container.clone();
        let worker = installing.clone();
        let on_state_change = Closure::<dyn FnMut()>::new(move || {
            // Without a controller this is the first install, not an update.
            if worker.state() == ServiceWorkerState::Installed && container.controller().is_some() {
                offer_update(pwa, worker.clone());
            }
        });
        installing.set_onstatechange(Some(on_state_change.as_ref().unchecked_ref()));
        on_state_change.forget();
    });
    registration.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
    on_update_found.forget();
}

fn offer_update(pwa: Pwa, waiting: ServiceWorker) {
    pwa.waiting_worker.set_value(Some(waiting));
    pwa.update_ready.set(true);
}

fn reload_page() {
    if let Err(error) = window().location().reload() {
        leptos::logging::warn!("reload failed: {error:?}");
    }
}

/// What the browser says about this app's storage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageReport {
    /// Whether the browser promised not to evict the app's data.
    pub persistent: bool,
    /// Bytes used by this origin, if reported.
    pub usage: Option<f64>,
    /// Bytes this origin may use, if reported.
    pub quota: Option<f64>,
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    let navigator = window().navigator();
    let supported = Reflect::has(&navigator, &JsValue::from_str("storage")).unwrap_or(false);
    supported.then(|| navigator.storage())
}

async fn call_storage(
    method: fn(&web_sys::StorageManager) -> Result<Promise, JsValue>,
) -> Result<JsValue, JsValue> {
    let manager = storage_manager().ok_or_else(|| JsValue::from_str("no StorageManager"))?;
    JsFuture::from(method(&manager)?).await
}

/// Asks the browser to keep this app's data even when space runs low. Returns whether
/// storage is persistent afterwards (`None` where the browser has no storage API).
pub async fn request_persistent_storage() -> Result<Option<bool>, JsValue> {
    if storage_manager().is_none() {
        return Ok(None);
    }
    if call_storage(web_sys::StorageManager::persisted)
        .await?
        .is_truthy()
    {
        return Ok(Some(true));
    }
    Ok(Some(
        call_storage(web_sys::StorageManager::persist)
            .await?
            .is_truthy(),
    ))
}

/// Reads persistence, usage and quota (`None` where the browser has no storage API).
pub async fn storage_report() -> Result<Option<StorageReport>, JsValue> {
    if storage_manager().is_none() {
        return Ok(None);
    }
    let persistent = call_storage(web_sys::StorageManager::persisted)
        .await?
        .is_truthy();
    let estimate = call_storage(web_sys::StorageManager::estimate).await?;
    let number = |field: &str| {
        Reflect::get(&estimate, &JsValue::from_str(field))
            .ok()
            .and_then(|value| value.as_f64())
    };
    Ok(Some(StorageReport {
        persistent,
        usage: number("usage"),
        quota: number("quota"),
    }))
}

/// The browser's user agent string (empty if it cannot be read), for the label a staff phone
/// gives itself when it enrols (`prepoznaj_domain::device_label`).
#[must_use]
pub fn user_agent() -> String {
    window().navigator().user_agent().unwrap_or_default()
}

/// Whether this is iOS/iPadOS Safari outside the installed app, where the person has to
/// add the app to the home screen by hand and tab data may be deleted by the browser.
#[must_use]
pub fn needs_ios_install_hint() -> bool {
    let navigator = window().navigator();
    let user_agent = navigator.user_agent().unwrap_or_default();
    let ipad_as_mac = user_agent.contains("Macintosh") && navigator.max_touch_points() > 1;
    let ios = ["iPhone", "iPad", "iPod"]
        .iter()
        .any(|device| user_agent.contains(device))
        || ipad_as_mac;
    let standalone_flag = Reflect::get(&navigator, &JsValue::from_str("standalone"))
        .ok()
        .is_some_and(|value| value.is_truthy());
    let standalone_display = window()
        .match_media("(display-mode: standalone)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches());
    ios && !standalone_flag && !standalone_display
}
