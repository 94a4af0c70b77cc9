//! Browser tests: the app mounted in real headless Chromium (wasm-bindgen-test).
//!
//! Run with `cargo test -p prepoznaj --target wasm32-unknown-unknown` (see scripts/test.sh).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use std::time::Duration;

use prepoznaj::i18n::{install, messages_for};
use prepoznaj::preferences::{
    INBOX_LOCK_MINUTES_KEY, LOCALE_KEY, RECEIPT_DAYS_KEY, inbox_lock_minutes, load_locale,
    receipt_retention, remember, restore,
};
use prepoznaj::storage::{DATABASE_NAME, delete_database, preferences as stored};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::receipts::ReceiptRetention;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod support;

wasm_bindgen_test_configure!(run_in_browser);

/// The shell's message tables in every locale, as the build writes them (build.rs also
/// writes them into `OUT_DIR`); the page's boot script would fetch them.
fn install_shell_tables() {
    for (locale, table) in [
        (
            Locale::SrCyrl,
            include_str!(concat!(
                env!("OUT_DIR"),
                "/message-tables/prepoznaj.sr-Cyrl.txt"
            )),
        ),
        (
            Locale::SrLatn,
            include_str!(concat!(
                env!("OUT_DIR"),
                "/message-tables/prepoznaj.sr-Latn.txt"
            )),
        ),
        (
            Locale::Hu,
            include_str!(concat!(env!("OUT_DIR"), "/message-tables/prepoznaj.hu.txt")),
        ),
        (
            Locale::En,
            include_str!(concat!(env!("OUT_DIR"), "/message-tables/prepoznaj.en.txt")),
        ),
    ] {
        install(locale, table.to_owned(), prepoznaj::app::SHELL_MESSAGES).unwrap();
    }
}

/// Yields to the browser's event loop once (a zero-delay timer), so effects can run.
async fn next_turn() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `condition` holds, failing after a deadline (never a fixed sleep).
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + Duration::from_secs(5).as_millis() as f64;
    while !condition() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for {what}"
        );
        next_turn().await;
    }
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn heading_text(root: &web_sys::Element) -> Option<String> {
    root.query_selector("h1")
        .unwrap()
        .and_then(|h1| h1.text_content())
}

#[wasm_bindgen_test]
async fn choices_are_recorded_in_indexeddb_and_the_record_wins_over_a_stale_cache() {
    support::load_boot_js();
    let name = "prepoznaj-test-preferences";
    delete_database(name).await.unwrap();
    for key in [LOCALE_KEY, RECEIPT_DAYS_KEY, INBOX_LOCK_MINUTES_KEY] {
        local_storage().remove_item(key).unwrap();
    }
    // An older version kept the language only in localStorage: that choice still counts.
    local_storage().set_item(LOCALE_KEY, "\"sr-Latn\"").unwrap();
    assert_eq!(restore(name).await.unwrap(), None);
    assert_eq!(load_locale(), Some(Locale::SrLatn));

    // Later choices are recorded; then the browser is killed before localStorage reached the
    // disk: the cache has an older choice, or none. On start the record wins.
    remember(name, LOCALE_KEY, "\"en\"").await.unwrap();
    remember(name, RECEIPT_DAYS_KEY, "365").await.unwrap();
    remember(name, INBOX_LOCK_MINUTES_KEY, "30").await.unwrap();
    local_storage().set_item(LOCALE_KEY, "\"sr-Latn\"").unwrap();
    local_storage().remove_item(RECEIPT_DAYS_KEY).unwrap();
    local_storage().remove_item(INBOX_LOCK_MINUTES_KEY).unwrap();
    assert_eq!(receipt_retention(), ReceiptRetention::default());
    assert_eq!(restore(name).await.unwrap(), Some(Locale::En));
    assert_eq!(load_locale(), Some(Locale::En));
    assert_eq!(receipt_retention(), ReceiptRetention::Days365);
    assert_eq!(inbox_lock_minutes(), 30);

    // A value the app does not know is ignored, not trusted.
    local_storage().set_item(LOCALE_KEY, "\"fr\"").unwrap();
    assert_eq!(load_locale(), None);
    for key in [LOCALE_KEY, RECEIPT_DAYS_KEY, INBOX_LOCK_MINUTES_KEY] {
        local_storage().remove_item(key).unwrap();
    }
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn app_renders_home_in_cyrillic_and_switches_language_for_good() {
    support::load_boot_js();
    install_shell_tables();
    local_storage().remove_item(LOCALE_KEY).unwrap();
    delete_database(DATABASE_NAME).await.unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), prepoznaj::app::App);

    wait_until("the Cyrillic home heading", || {
        heading_text(&root).as_deref() == Some(messages_for(Locale::SrCyrl).home_title())
    })
    .await;
    // The page's language follows in the same turn of effects.
    wait_until("<html lang> in Cyrillic", || {
        document
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref()
            == Some("sr-Cyrl")
    })
    .await;
    assert!(root.query_selector("a[href='tel:192']").unwrap().is_some());

    let select: web_sys::HtmlSelectElement = root
        .query_selector("#header-language")
        .unwrap()
        .expect("the header has a language switch")
        .unchecked_into();
    for locale in [Locale::SrLatn, Locale::Hu, Locale::En] {
        let messages = messages_for(locale);
        select.set_value(locale.tag());
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
        wait_until("the heading in the chosen locale", || {
            heading_text(&root).as_deref() == Some(messages.home_title())
        })
        .await;
        wait_until("<html lang> in the chosen locale", || {
            document
                .document_element()
                .unwrap()
                .get_attribute("lang")
                .as_deref()
                == Some(locale.tag())
        })
        .await;
        wait_until("the choice to be stored", || load_locale() == Some(locale)).await;
        wait_until_recorded(LOCALE_KEY, &format!("\"{}\"", locale.tag())).await;
    }
    assert_eq!(
        messages_for(Locale::SrLatn).home_title(),
        "Šta želite da uradite?"
    );
    assert_eq!(messages_for(Locale::Hu).language_label(), "Nyelv");
    drop(handle);
    root.remove();
    local_storage().remove_item(LOCALE_KEY).unwrap();
    delete_database(DATABASE_NAME).await.unwrap();
}

/// Waits until choice `key` is recorded in the app's database as `json` (its write committed).
async fn wait_until_recorded(key: &str, json: &str) {
    let deadline = js_sys::Date::now() + Duration::from_secs(5).as_millis() as f64;
    while recorded(DATABASE_NAME, key).await.as_deref() != Some(json) {
        assert!(
            js_sys::Date::now() < deadline,
            "{key} was never recorded as {json}"
        );
        next_turn().await;
    }
}

/// Choice `key` as recorded in database `name`.
async fn recorded(name: &str, key: &str) -> Option<String> {
    stored::read_all(name)
        .await
        .unwrap()
        .into_iter()
        .find(|(recorded, _)| recorded == key)
        .map(|(_, json)| json)
}
