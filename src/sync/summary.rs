//! The sync summary every screen shows: how many reports wait to be sent, whether one has
//! waited more than a day, and when the phone last heard from the server.
//!
//! The sender ([`super::sender`], in the bundles that send) writes it to `localStorage` after
//! every change; every bundle reads it from there, and hears other tabs' changes through the
//! `storage` event. It holds counts, a time and whether the phone refused the team's keys,
//! never anything about a report, so it costs the shell's first load a few hundred bytes and
//! no IndexedDB code.
//!
//! The keys warning (headline, why, the keys still in use) is written by the sender under
//! [`keys_warning_key`] as escaped HTML, one key per locale (the sender's bundles hold the team
//! messages; the shell's first load would pay for every word of them and for the code that
//! lays them out), and the status line shows the current locale's part.

use leptos::prelude::*;
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::observation::UnixMillis;
use wasm_bindgen::JsCast;

use wasm_bindgen::closure::Closure;

/// `localStorage` key of the summary.
pub const SUMMARY_KEY: &str = "prepoznaj.sync";
/// `localStorage` key of the keys warning in `locale` (`prepoznaj.keys-warning.<tag>`): its
/// HTML, every text escaped (written only by the sender).
#[must_use]
pub fn keys_warning_key(locale: Locale) -> String {
    ["prepoznaj.keys-warning.", locale.tag()].concat()
}

/// What the status line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncSummary {
    /// Reports not yet with the team.
    pub waiting: usize,
    /// Of those, queued more than a day ago.
    pub stale: usize,
    /// Reports the server refused for good (shown with their reason in the list).
    pub rejected: usize,
    /// Sending stopped until the phone enrols again (its token was revoked).
    pub needs_enrolment: bool,
    /// Finished observations kept until the phone is enrolled.
    pub not_enrolled: usize,
    /// The phone's clock the last time the server answered a whole sync.
    pub last_sync_at: Option<UnixMillis>,
    /// The team's keys changed in a way this phone could not verify; it seals to its pinned
    /// version instead (what to say is under [`keys_warning_key`]).
    pub keys_refused: bool,
}

impl SyncSummary {
    /// The stored form: numbers separated by commas (`waiting,stale,rejected,
    /// needs_enrolment,not_enrolled,last_sync_at,keys_refused`, `last_sync_at` empty when
    /// unknown; a form without `keys_refused`, written before it existed, reads as `0`). Not
    /// JSON: a serde struct decoder would cost the shell's first load more than this whole
    /// feature.
    #[must_use]
    pub fn encode(&self) -> String {
        let last = self
            .last_sync_at
            .map(|at| at.0.to_string())
            .unwrap_or_default();
        format!(
            "{},{},{},{},{},{last},{}",
            self.waiting,
            self.stale,
            self.rejected,
            u8::from(self.needs_enrolment),
            self.not_enrolled,
            u8::from(self.keys_refused)
        )
    }

    /// Reads [`SyncSummary::encode`]'s form; `None` for anything else.
    #[must_use]
    pub fn decode(text: &str) -> Option<SyncSummary> {
        let mut fields = text.split(',');
        let mut count = || fields.next()?.parse::<usize>().ok();
        let (waiting, stale, rejected, needs_enrolment, not_enrolled) =
            (count()?, count()?, count()?, count()?, count()?);
        let last_sync_at = match fields.next()? {
            "" => None,
            millis => Some(UnixMillis(millis.parse().ok()?)),
        };
        let keys_refused = match fields.next() {
            None => false,
            Some(flag) => flag.parse::<usize>().ok()? == 1,
        };
        fields.next().is_none().then_some(SyncSummary {
            waiting,
            stale,
            rejected,
            needs_enrolment: needs_enrolment == 1,
            not_enrolled,
            last_sync_at,
            keys_refused,
        })
    }

    /// Whether there is anything to say at all (a phone that never finished an observation
    /// shows no status line).
    #[must_use]
    pub fn is_worth_showing(&self) -> bool {
        self.waiting > 0
            || self.rejected > 0
            || self.needs_enrolment
            || self.not_enrolled > 0
            || self.last_sync_at.is_some()
            || self.keys_refused
    }
}

/// The summary as a context: read at start, kept current from other tabs. In a bundle that
/// sends, the sender also says here whether it is sending and offers "Send now" (as a
/// callback, so that views showing the summary never link the sender's code).
#[derive(Debug, Clone, Copy)]
pub struct SyncSummaryContext {
    summary: RwSignal<SyncSummary>,
    running: RwSignal<bool>,
    storage_failed: RwSignal<bool>,
    send_now: StoredValue<Option<Callback<()>>>,
}

impl SyncSummaryContext {
    /// The current summary (reactive).
    #[must_use]
    pub fn get(&self) -> SyncSummary {
        self.summary.get()
    }

    /// Whether this tab is sending right now (reactive).
    #[must_use]
    pub fn running(&self) -> bool {
        self.running.get()
    }

    /// Whether the last run could not use the phone's storage (reactive).
    #[must_use]
    pub fn storage_failed(&self) -> bool {
        self.storage_failed.get()
    }

    /// "Send now", where this bundle sends.
    #[must_use]
    pub fn send_now(&self) -> Option<Callback<()>> {
        self.send_now.get_value()
    }

    /// Called by the sender: its "Send now", and its progress.
    pub fn attach_sender(&self, send_now: Callback<()>) {
        self.send_now.set_value(Some(send_now));
    }

    pub fn set_running(&self, running: bool) {
        if self.running.get_untracked() != running {
            self.running.set(running);
        }
    }

    pub fn set_storage_failed(&self, failed: bool) {
        if self.storage_failed.get_untracked() != failed {
            self.storage_failed.set(failed);
        }
    }

    /// Stores the keys warning in every locale (see [`keys_warning_key`]), or removes it;
    /// before the summary that says there is one, so that whoever reads the summary finds it.
    pub fn publish_keys_warning(&self, warning: Option<&[(Locale, String)]>) {
        let stored = local_storage().map(|storage| {
            Locale::ALL.into_iter().try_for_each(|locale| {
                let key = keys_warning_key(locale);
                match warning.and_then(|warning| warning.iter().find(|(each, _)| *each == locale)) {
                    Some((_, html)) => storage.set_item(&key, html),
                    None => storage.remove_item(&key),
                }
            })
        });
        if !matches!(stored, Some(Ok(()))) {
            leptos::logging::warn!("the keys warning cannot be stored");
        }
    }

    /// Publishes a new summary: shown here at once, stored for the other bundles and tabs.
    pub fn publish(&self, summary: SyncSummary) {
        if self.summary.get_untracked() != summary {
            self.summary.set(summary);
        }
        let stored =
            local_storage().map(|storage| storage.set_item(SUMMARY_KEY, &summary.encode()));
        if !matches!(stored, Some(Ok(()))) {
            leptos::logging::warn!("the sync summary cannot be stored");
        }
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The keys warning's HTML in `locale`, as the sender stored it, with the locale it is in:
/// the sender writes it in the locales whose messages its page had loaded, so a page in
/// another locale shows it in one of those rather than not at all.
#[must_use]
pub fn keys_warning_html(locale: Locale) -> Option<(Locale, String)> {
    let storage = local_storage()?;
    std::iter::once(locale).chain(Locale::ALL).find_map(|each| {
        storage
            .get_item(&keys_warning_key(each))
            .ok()
            .flatten()
            .map(|html| (each, html))
    })
}

fn stored() -> SyncSummary {
    local_storage()
        .and_then(|storage| storage.get_item(SUMMARY_KEY).ok().flatten())
        .and_then(|text| SyncSummary::decode(&text))
        .unwrap_or_default()
}

/// Provides the summary context and follows changes other tabs make to it; `on_change` runs
/// after each (the sender reloads its state then).
pub fn provide_sync_summary(on_change: impl Fn() + 'static) -> SyncSummaryContext {
    let summary = SyncSummaryContext {
        summary: RwSignal::new(stored()),
        running: RwSignal::new(false),
        storage_failed: RwSignal::new(false),
        send_now: StoredValue::new(None),
    };
    provide_context(summary);
    let listener =
        Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
            // `key` is null when another tab cleared all of localStorage (deleting all data).
            let key = event.key();
            if key.as_deref().is_none_or(|key| key == SUMMARY_KEY) {
                summary.summary.set(stored());
                on_change();
            }
        });
    if let Err(error) =
        window().add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("cannot follow other tabs' sync: {error:?}");
    }
    // The app listens for its whole life.
    listener.forget();
    summary
}

/// The summary context, if this bundle provided it.
#[must_use]
pub fn use_sync_summary() -> Option<SyncSummaryContext> {
    use_context::<SyncSummaryContext>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_round_trips_and_refuses_anything_else() {
        let full = SyncSummary {
            waiting: 3,
            stale: 1,
            rejected: 2,
            needs_enrolment: true,
            not_enrolled: 4,
            last_sync_at: Some(UnixMillis(1_764_230_400_000)),
            keys_refused: true,
        };
        assert_eq!(full.encode(), "3,1,2,1,4,1764230400000,1");
        assert_eq!(SyncSummary::decode(&full.encode()), Some(full));
        let empty = SyncSummary::default();
        assert_eq!(empty.encode(), "0,0,0,0,0,,0");
        assert_eq!(SyncSummary::decode(&empty.encode()), Some(empty));
        assert!(!empty.is_worth_showing());
        let only_the_warning = SyncSummary {
            keys_refused: true,
            ..SyncSummary::default()
        };
        assert!(only_the_warning.is_worth_showing());
        // Written before the keys warning existed.
        assert_eq!(
            SyncSummary::decode("3,1,2,1,4,1764230400000"),
            Some(SyncSummary {
                keys_refused: false,
                ..full
            })
        );
        for bad in [
            "",
            "1,2,3",
            "1,2,3,0,0,x",
            "a,0,0,0,0,",
            "{\"waiting\":1}",
            "1,2,3,0,0,,",
            "1,2,3,0,0,,x",
            "1,2,3,0,0,,1,",
        ] {
            assert_eq!(SyncSummary::decode(bad), None, "{bad:?}");
        }
    }
}
