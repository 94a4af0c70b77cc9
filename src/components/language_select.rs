//! The language and script switch.

use leptos::prelude::*;
use prepoznaj_domain::locale::Locale;

use crate::i18n::use_i18n;

/// A labelled `<select>` of the locales, each named in its own language. The page changes
/// language once the chosen one's messages are loaded; if they cannot be, it says so and the
/// switch shows the language still in use.
#[component]
pub fn LanguageSelect(
    /// Element id, so that several switches on one screen keep their labels apart.
    id: &'static str,
    /// Compact form for the header: short option names and a label only screen readers see.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |event| {
        if let Some(locale) = Locale::from_tag(&event_target_value(&event)) {
            i18n.set_locale(locale);
        }
    };
    view! {
        <div class="language-select">
            <label
                for=id
                class="language-select__label"
                class:visually-hidden=compact
            >
                {move || i18n.messages().language_label()}
            </label>
            <select
                id=id
                class="language-select__control"
                on:change=on_change
                prop:value=move || {
                    // Read too after a failed switch, to show the language in use again.
                    let _failed = i18n.switch_failed();
                    i18n.locale().tag()
                }
            >
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        view! {
                            <option
                                value=locale.tag()
                                lang=locale.tag()
                                selected=move || i18n.locale() == locale
                            >
                                {if compact { locale.short_name() } else { locale.native_name() }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <Show when=move || i18n.switch_failed()>
                <p class="language-select__error" role="alert">
                    {move || i18n.messages().language_unavailable()}
                </p>
            </Show>
        </div>
    }
}
