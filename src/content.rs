//! Versioned content files (the indicator catalogue, the national contacts) loaded on demand
//! and kept in memory.
//!
//! The catalogue is not part of the first-load bytes: it is fetched from the app's own origin
//! when the checklist opens (the service worker precaches it, so this works offline). A draft
//! keeps the catalogue version it started with; every shipped version stays in `public/content`,
//! and `content/catalogue/index.json` names the one new observations start with, so a new
//! catalogue ships as content, without new code. The national contacts directory
//! (`content/contacts/national.json`) is fetched the same way by the contacts screen and the
//! checklist summary.
//!
//! The guidance shown is the one written for that current catalogue
//! (`content/guidance/<catalogue version>.json`), loaded the same way and checked against it,
//! and so is the practice set (`content/practice/<catalogue version>.json`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use prepoznaj_domain::catalogue::{Catalogue, CatalogueIndex, CatalogueVersion};
use prepoznaj_domain::contacts::Directory;
use prepoznaj_domain::guidance::{Guidance, GuidanceLinks};
use prepoznaj_domain::practice::PracticeSet;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The file naming the catalogue new observations start with.
pub const CATALOGUE_INDEX_URL: &str = "/content/catalogue/index.json";

/// The national contacts directory.
pub const NATIONAL_CONTACTS_URL: &str = "/content/contacts/national.json";

/// Why a content file could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// Not reachable: offline before the app was ever cached, or the file is missing.
    #[error("content {0} could not be loaded")]
    Unavailable(String),
    /// The file is there but does not pass its checks (a build problem, not the user's).
    #[error("content {0} is damaged")]
    Damaged(String),
}

thread_local! {
    static LOADED: RefCell<HashMap<String, Arc<Catalogue>>> = RefCell::new(HashMap::new());
    static CURRENT: RefCell<Option<CatalogueVersion>> = const { RefCell::new(None) };
    static NATIONAL_CONTACTS: RefCell<Option<Arc<Directory>>> = const { RefCell::new(None) };
}

/// The catalogue new observations start with, as `index.json` names it (read once per page
/// load).
pub async fn current_catalogue() -> Result<Arc<Catalogue>, ContentError> {
    let known = CURRENT.with(|current| current.borrow().clone());
    let version = match known {
        Some(version) => version,
        None => {
            let text = fetch_text(CATALOGUE_INDEX_URL)
                .await
                .map_err(|_| ContentError::Unavailable("index".to_owned()))?;
            let index = CatalogueIndex::parse(&text).map_err(|error| {
                leptos::logging::error!("{error}");
                ContentError::Damaged("index".to_owned())
            })?;
            CURRENT.with(|current| *current.borrow_mut() = Some(index.current.clone()));
            index.current
        }
    };
    catalogue(&version).await
}

/// The URL of a catalogue version's file.
#[must_use]
pub fn catalogue_url(version: &str) -> String {
    format!("/content/catalogue/{version}.json")
}

/// The catalogue `version`, fetched once per page load.
pub async fn catalogue(version: &CatalogueVersion) -> Result<Arc<Catalogue>, ContentError> {
    let key = version.as_str().to_owned();
    if let Some(loaded) = LOADED.with(|loaded| loaded.borrow().get(&key).cloned()) {
        return Ok(loaded);
    }
    let text = fetch_text(&catalogue_url(&key))
        .await
        .map_err(|_| ContentError::Unavailable(key.clone()))?;
    let parsed = Catalogue::parse(&text).map_err(|error| {
        leptos::logging::error!("catalogue {key}: {error}");
        ContentError::Damaged(key.clone())
    })?;
    if parsed.version() != version {
        return Err(ContentError::Damaged(key));
    }
    let parsed = Arc::new(parsed);
    LOADED.with(|loaded| loaded.borrow_mut().insert(key, parsed.clone()));
    Ok(parsed)
}

/// The guidance for the current catalogue, with that catalogue (for the indicators' texts)
/// and which indicators each section explains.
#[derive(Debug)]
pub struct GuidanceContent {
    pub guidance: Guidance,
    pub catalogue: Arc<Catalogue>,
    pub links: GuidanceLinks,
}

thread_local! {
    static GUIDANCE: RefCell<Option<Arc<GuidanceContent>>> = const { RefCell::new(None) };
}

/// The URL of the guidance written for catalogue `version`.
#[must_use]
pub fn guidance_url(version: &str) -> String {
    format!("/content/guidance/{version}.json")
}

/// The guidance written for the current catalogue, linked with it; fetched once per page
/// load.
pub async fn current_guidance() -> Result<Arc<GuidanceContent>, ContentError> {
    if let Some(loaded) = GUIDANCE.with(|guidance| guidance.borrow().clone()) {
        return Ok(loaded);
    }
    let catalogue = current_catalogue().await?;
    let version = catalogue.version().as_str().to_owned();
    let what = format!("guidance {version}");
    let text = fetch_text(&guidance_url(&version))
        .await
        .map_err(|_| ContentError::Unavailable(what.clone()))?;
    let guidance = Guidance::parse(&text).map_err(|error| {
        leptos::logging::error!("{what}: {error}");
        ContentError::Damaged(what.clone())
    })?;
    let links = guidance.link(&catalogue).map_err(|error| {
        leptos::logging::error!("{what}: {error}");
        ContentError::Damaged(what.clone())
    })?;
    let loaded = Arc::new(GuidanceContent {
        guidance,
        catalogue,
        links,
    });
    GUIDANCE.with(|guidance| *guidance.borrow_mut() = Some(loaded.clone()));
    Ok(loaded)
}

/// The practice set written for the current catalogue, with that catalogue.
#[derive(Debug)]
pub struct PracticeContent {
    pub set: PracticeSet,
    pub catalogue: Arc<Catalogue>,
}

thread_local! {
    static PRACTICE: RefCell<Option<Arc<PracticeContent>>> = const { RefCell::new(None) };
}

/// The URL of the practice set written for catalogue `version`.
#[must_use]
pub fn practice_url(version: &str) -> String {
    format!("/content/practice/{version}.json")
}

/// The practice set for the current catalogue, checked against it; fetched once per page load.
pub async fn current_practice() -> Result<Arc<PracticeContent>, ContentError> {
    if let Some(loaded) = PRACTICE.with(|practice| practice.borrow().clone()) {
        return Ok(loaded);
    }
    let catalogue = current_catalogue().await?;
    let version = catalogue.version().as_str().to_owned();
    let what = format!("practice {version}");
    let text = fetch_text(&practice_url(&version))
        .await
        .map_err(|_| ContentError::Unavailable(what.clone()))?;
    let set = PracticeSet::parse(&text, &catalogue).map_err(|error| {
        leptos::logging::error!("{what}: {error}");
        ContentError::Damaged(what.clone())
    })?;
    let loaded = Arc::new(PracticeContent { set, catalogue });
    PRACTICE.with(|practice| *practice.borrow_mut() = Some(loaded.clone()));
    Ok(loaded)
}

/// The national contacts directory, fetched once per page load.
pub async fn national_contacts() -> Result<Arc<Directory>, ContentError> {
    if let Some(loaded) = NATIONAL_CONTACTS.with(|loaded| loaded.borrow().clone()) {
        return Ok(loaded);
    }
    let text = fetch_text(NATIONAL_CONTACTS_URL)
        .await
        .map_err(|_| ContentError::Unavailable(NATIONAL_CONTACTS_URL.to_owned()))?;
    let directory = Arc::new(Directory::parse(&text).map_err(|error| {
        leptos::logging::error!("national contacts: {error}");
        ContentError::Damaged(NATIONAL_CONTACTS_URL.to_owned())
    })?);
    NATIONAL_CONTACTS.with(|loaded| *loaded.borrow_mut() = Some(directory.clone()));
    Ok(directory)
}

async fn fetch_text(url: &str) -> Result<String, wasm_bindgen::JsValue> {
    let window = web_sys::window().ok_or_else(|| wasm_bindgen::JsValue::from_str("no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await?
        .dyn_into()?;
    if !response.ok() {
        return Err(wasm_bindgen::JsValue::from_f64(f64::from(
            response.status(),
        )));
    }
    let text = JsFuture::from(response.text()?).await?;
    text.as_string()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("not text"))
}
