//! The locale context: which language and script the UI is shown in, and its messages.
//!
//! Messages are generated at build time from `locales/` (see `build.rs`), in Cyrillic and
//! English; each Serbian Latin table is derived from its Cyrillic one with the domain's
//! transliteration the first time it is asked for, and kept for the page's life. Either way
//! views only ever pick a [`Messages`] table.

use std::sync::OnceLock;

use leptos::prelude::*;
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::plural::PluralMessage;
use prepoznaj_domain::transliteration::to_latin;

use crate::preferences;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// Picks one message out of a locale's table (views keep these to stay reactive).
pub type MessageFn = fn(&'static Messages) -> &'static str;

/// Picks one message out of a locale's contacts table.
pub type ContactsMessageFn = fn(&'static ContactsMessages) -> &'static str;

/// Picks one message out of a locale's inbox table.
pub type InboxMessageFn = fn(&'static InboxMessages) -> &'static str;

/// Picks one message out of a locale's team table.
pub type TeamMessageFn = fn(&'static TeamMessages) -> &'static str;

/// Cyrillic `text` in Serbian Latin, in place, kept for the page's life (a table is
/// transliterated once, when it is first shown in Latin). Never inlined: a table calls it once
/// per message.
#[inline(never)]
fn latin_text(text: &mut &'static str) {
    *text = Box::leak(to_latin(text).into_boxed_str());
}

/// A Cyrillic message with a count in Serbian Latin, form by form, in place (kept like
/// [`latin_text`]).
#[inline(never)]
fn latin_plural(message: &mut PluralMessage) {
    let forms: Vec<&'static str> = message
        .forms()
        .iter()
        .map(|form| Box::leak(to_latin(form).into_boxed_str()) as &'static str)
        .collect();
    *message = PluralMessage::new(message.rule(), Box::leak(forms.into_boxed_slice()));
}

/// The messages of one locale.
#[must_use]
pub fn messages_for(locale: Locale) -> &'static Messages {
    match locale {
        Locale::SrCyrl => &SR_CYRL,
        Locale::SrLatn => {
            static LATIN: OnceLock<Messages> = OnceLock::new();
            LATIN.get_or_init(|| SR_CYRL.transliterated())
        }
        Locale::En => &EN,
    }
}

/// The guidance screen's messages in one locale (only the reference bundle links them).
#[must_use]
pub fn guidance_messages_for(locale: Locale) -> &'static GuidanceMessages {
    match locale {
        Locale::SrCyrl => &GUIDANCE_SR_CYRL,
        Locale::SrLatn => {
            static LATIN: OnceLock<GuidanceMessages> = OnceLock::new();
            LATIN.get_or_init(|| GUIDANCE_SR_CYRL.transliterated())
        }
        Locale::En => &GUIDANCE_EN,
    }
}

/// The contacts' messages in one locale (the reference bundle and the checklist summary).
#[must_use]
pub fn contacts_messages_for(locale: Locale) -> &'static ContactsMessages {
    match locale {
        Locale::SrCyrl => &CONTACTS_SR_CYRL,
        Locale::SrLatn => {
            static LATIN: OnceLock<ContactsMessages> = OnceLock::new();
            LATIN.get_or_init(|| CONTACTS_SR_CYRL.transliterated())
        }
        Locale::En => &CONTACTS_EN,
    }
}

/// The protection team's and enrolment messages in one locale (the team bundle, and the
/// observation bundle for what Finish says about sending).
#[must_use]
pub fn team_messages_for(locale: Locale) -> &'static TeamMessages {
    match locale {
        Locale::SrCyrl => &TEAM_SR_CYRL,
        Locale::SrLatn => {
            static LATIN: OnceLock<TeamMessages> = OnceLock::new();
            LATIN.get_or_init(|| TEAM_SR_CYRL.transliterated())
        }
        Locale::En => &TEAM_EN,
    }
}

/// The team inbox's messages in one locale (only the team bundle links them).
#[must_use]
pub fn inbox_messages_for(locale: Locale) -> &'static InboxMessages {
    match locale {
        Locale::SrCyrl => &INBOX_SR_CYRL,
        Locale::SrLatn => {
            static LATIN: OnceLock<InboxMessages> = OnceLock::new();
            LATIN.get_or_init(|| INBOX_SR_CYRL.transliterated())
        }
        Locale::En => &INBOX_EN,
    }
}

/// The app lock's messages in one locale (only the observation bundle links them).
#[must_use]
pub fn lock_messages_for(locale: Locale) -> &'static LockMessages {
    match locale {
        Locale::SrCyrl => &LOCK_SR_CYRL,
        Locale::SrLatn => {
            static LATIN: OnceLock<LockMessages> = OnceLock::new();
            LATIN.get_or_init(|| LOCK_SR_CYRL.transliterated())
        }
        Locale::En => &LOCK_EN,
    }
}

/// The current locale, shared by every view.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The current locale (reactive).
    #[must_use]
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The current locale's messages (reactive).
    #[must_use]
    pub fn messages(&self) -> &'static Messages {
        messages_for(self.locale.get())
    }

    /// The current locale's guidance messages (reactive).
    #[must_use]
    pub fn guidance(&self) -> &'static GuidanceMessages {
        guidance_messages_for(self.locale.get())
    }

    /// The current locale's contacts messages (reactive).
    #[must_use]
    pub fn contacts(&self) -> &'static ContactsMessages {
        contacts_messages_for(self.locale.get())
    }

    /// The current locale's team and enrolment messages (reactive).
    #[must_use]
    pub fn team(&self) -> &'static TeamMessages {
        team_messages_for(self.locale.get())
    }

    /// The current locale's team inbox messages (reactive).
    #[must_use]
    pub fn inbox(&self) -> &'static InboxMessages {
        inbox_messages_for(self.locale.get())
    }

    /// The current locale's app lock messages (reactive).
    #[must_use]
    pub fn lock(&self) -> &'static LockMessages {
        lock_messages_for(self.locale.get())
    }

    /// Switches the UI to `locale` and remembers the choice.
    pub fn set_locale(&self, locale: Locale) {
        self.locale.set(locale);
    }
}

/// Provides the locale context, starting from the remembered choice (Cyrillic by default),
/// and keeps `<html lang>` and the stored preference in step with it.
///
/// The first paint uses the choice as `localStorage` has it; the choice recorded in IndexedDB
/// (which a killed browser cannot have lost) follows a moment later and wins if they differ
/// (see `preferences`), unless the person chose again in the meantime.
pub fn provide_i18n() -> I18n {
    let cached = preferences::load_locale().unwrap_or_default();
    let i18n = I18n {
        locale: RwSignal::new(cached),
    };
    leptos::task::spawn_local(async move {
        match preferences::restore(crate::storage::DATABASE_NAME).await {
            Ok(Some(recorded)) if i18n.locale.get_untracked() == cached => {
                i18n.locale.set(recorded)
            }
            Ok(_) => {}
            Err(error) => leptos::logging::warn!("the language choice cannot be read: {error}"),
        }
    });
    Effect::new(move |previous: Option<Locale>| {
        let locale = i18n.locale.get();
        if let Some(root) = document().document_element()
            && let Err(error) = root.set_attribute("lang", locale.tag())
        {
            leptos::logging::warn!("cannot set the page language: {error:?}");
        }
        if previous.is_some_and(|previous| previous != locale) {
            leptos::task::spawn_local(async move {
                if let Err(error) = preferences::save_locale(locale).await {
                    leptos::logging::warn!("the language choice cannot be remembered: {error}");
                }
            });
        }
        locale
    });
    provide_context(i18n);
    i18n
}

/// The locale context provided by [`provide_i18n`].
#[must_use]
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Sets the document title to "`page` — Prepoznaj" in the current locale while the calling
/// page is shown.
pub fn use_page_title(page: fn(&'static Messages) -> &'static str) {
    use_title(move |i18n| page(i18n.messages()));
}

/// Sets the document title to "`page` — Prepoznaj", `page` from any of the message tables.
pub fn use_title(page: impl Fn(I18n) -> &'static str + 'static) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        document().set_title(&format!("{} — {}", page(i18n), i18n.messages().app_name));
    });
}

/// A byte count for people: "12,3 MB" in Serbian, "12.3 MB" in English.
///
/// Integer arithmetic only: formatting an `f64` would link Rust's float formatting (about
/// 11 KB) into the shell's first load for this one line of the settings page.
#[must_use]
pub fn format_bytes(bytes: f64, locale: Locale) -> String {
    let messages = messages_for(locale);
    // Browsers report whole, non-negative byte counts; anything else shows as 0.
    let bytes = if bytes.is_finite() && bytes > 0.0 {
        bytes.round() as u64
    } else {
        0
    };
    let units = [
        (1_u64 << 30, messages.unit_gigabytes),
        (1 << 20, messages.unit_megabytes),
        (1 << 10, messages.unit_kilobytes),
    ];
    match units.into_iter().find(|(size, _)| bytes >= *size) {
        None => format!("{bytes} {}", messages.unit_bytes),
        Some((size, unit)) => {
            // Rounded to the nearest tenth.
            let tenths = (bytes.saturating_mul(10) + size / 2) / size;
            let separator = if locale.is_serbian() { ',' } else { '.' };
            format!("{}{separator}{} {unit}", tenths / 10, tenths % 10)
        }
    }
}

#[cfg(test)]
mod count_messages;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_messages_are_derived_from_cyrillic() {
        assert_eq!(SR_CYRL.nav_guidance, "Смернице");
        let latin = messages_for(Locale::SrLatn);
        assert_eq!(latin.nav_guidance, "Smernice");
        assert_eq!(latin.observe_title, "Novo zapažanje");
        assert_eq!(
            latin.note_too_long.format(2),
            "Beleška je predugačka: najviše 2 znaka."
        );
        assert_eq!(inbox_messages_for(Locale::SrLatn).inbox_lock, "Zaključajte");
        assert_eq!(EN.nav_guidance, "Guidance");
    }

    #[test]
    fn bytes_are_formatted_per_locale() {
        assert_eq!(format_bytes(512.0, Locale::En), "512 B");
        assert_eq!(format_bytes(0.0, Locale::En), "0 B");
        assert_eq!(format_bytes(1023.0, Locale::En), "1023 B");
        assert_eq!(format_bytes(1024.0 * 9.96, Locale::En), "10.0 KB");
        assert_eq!(format_bytes(1536.0, Locale::En), "1.5 KB");
        assert_eq!(
            format_bytes(12.5 * 1024.0 * 1024.0, Locale::SrCyrl),
            "12,5 MB"
        );
        assert_eq!(
            format_bytes(3.0 * 1024.0 * 1024.0 * 1024.0, Locale::SrLatn),
            "3,0 GB"
        );
    }
}
