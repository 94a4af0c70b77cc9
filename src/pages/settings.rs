//! `/settings`: language and script, the school's own contacts, storage on this phone, the
//! app's version.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;

use crate::components::delete_all_data::DeleteAllData;
use crate::components::install_prompt::InstallPrompt;
use crate::components::language_select::LanguageSelect;
use crate::i18n::{format_bytes, use_i18n, use_page_title};
use crate::page_link::PageLink;
use crate::pages::local_contacts::LOCAL_CONTACTS_PATH;

/// The app lock's settings: on the Observe screen, behind the lock (set up there on first use).
const LOCK_SETTING_PATH: &str = "/observe#lock-setting";
use crate::pwa::{StorageReport, request_persistent_storage, storage_report};

/// What the storage section knows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum StorageState {
    Checking,
    Unsupported,
    Known(StorageReport),
}

/// Settings screen.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.settings_title());
    let storage = RwSignal::new(StorageState::Checking);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            storage.set(match storage_report().await {
                Ok(Some(report)) => StorageState::Known(report),
                Ok(None) => StorageState::Unsupported,
                Err(error) => {
                    leptos::logging::warn!("storage report failed: {error:?}");
                    StorageState::Unsupported
                }
            });
        });
    };
    refresh();
    let build = running_build();
    let request_persistence = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(error) = request_persistent_storage().await {
                leptos::logging::warn!("persistent storage request failed: {error:?}");
            }
            refresh();
        });
    };
    let storage_view = move || {
        let messages = i18n.messages();
        match storage.get() {
            StorageState::Checking => {
                view! { <p>{messages.settings_storage_checking()}</p> }.into_any()
            }
            StorageState::Unsupported => {
                view! { <p>{messages.settings_storage_unsupported()}</p> }.into_any()
            }
            StorageState::Known(report) => {
                let usage = match (report.usage, report.quota) {
                    (Some(used), Some(quota)) => Some(fill(
                        messages.settings_storage_usage(),
                        &[
                            ("used", &format_bytes(used, i18n.locale())),
                            ("quota", &format_bytes(quota, i18n.locale())),
                        ],
                    )),
                    _ => None,
                };
                view! {
                    <p data-testid="storage-persistence" data-persistent=report.persistent.to_string()>
                        {if report.persistent {
                            messages.settings_storage_persistent()
                        } else {
                            messages.settings_storage_not_persistent()
                        }}
                    </p>
                    {usage.map(|usage| view! { <p data-testid="storage-usage">{usage}</p> })}
                    {(!report.persistent)
                        .then(|| {
                            view! {
                                <button type="button" class="button" on:click=request_persistence>
                                    {messages.settings_storage_request()}
                                </button>
                            }
                        })}
                }
                    .into_any()
            }
        }
    };
    view! {
        <h1>{move || i18n.messages().settings_title()}</h1>
        <section class="card" aria-labelledby="settings-language-heading">
            <h2 id="settings-language-heading" class="card__title">
                {move || i18n.messages().settings_language_heading()}
            </h2>
            <LanguageSelect id="settings-language" />
            <p class="hint">{move || i18n.messages().settings_language_hint()}</p>
        </section>
        <PageLink href=LOCAL_CONTACTS_PATH class="task">
            <span class="task__title">{move || i18n.messages().settings_local_contacts()}</span>
        </PageLink>
        // Another bundle's page: a plain link, loaded as a new page.
        <a href=LOCK_SETTING_PATH class="task" rel="external" data-testid="settings-app-lock">
            <span class="task__title">{move || i18n.messages().settings_app_lock()}</span>
        </a>
        <section class="card" aria-labelledby="settings-storage-heading">
            <h2 id="settings-storage-heading" class="card__title">
                {move || i18n.messages().settings_storage_heading()}
            </h2>
            {storage_view}
        </section>
        <InstallPrompt />
        <DeleteAllData />
        <section class="card" aria-labelledby="settings-about-heading">
            <h2 id="settings-about-heading" class="card__title">
                {move || i18n.messages().settings_about_heading()}
            </h2>
            <p data-testid="app-version">
                {move || {
                    let messages = i18n.messages();
                    let mut text = fill(messages.settings_version(), &[("version", env!("CARGO_PKG_VERSION"))]);
                    if let Some(build) = &build {
                        text.push_str(" · ");
                        text.push_str(&fill(messages.settings_build(), &[("build", build)]));
                    }
                    text
                }}
            </p>
        </section>
    }
}

/// The build this page runs: a hash of every file of the build (`xtask post-build` writes it
/// into the page's `prepoznaj-build` meta element, computed with the element's placeholder,
/// and prints it; the operator publishes it), in groups of four. `None` in a development build.
fn running_build() -> Option<String> {
    let version = document()
        .query_selector("meta[name=prepoznaj-build]")
        .ok()??
        .get_attribute("content")?;
    let hex = version.len() == 16 && version.bytes().all(|byte| byte.is_ascii_hexdigit());
    // All ASCII, so every index is a character boundary.
    hex.then(|| {
        format!(
            "{} {} {} {}",
            &version[..4],
            &version[4..8],
            &version[8..12],
            &version[12..]
        )
    })
}
