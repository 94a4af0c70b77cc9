//! The sync summary every screen shows: how many reports wait to be sent, whether one has
//! waited more than a day, and when the phone last heard from the server.
//!
//! The sender ([`super::sender`], in the bundles that send) writes it to `localStorage` after
//! every change; every bundle reads it from there, and hears other tabs' changes through the
//! `storage` event. It holds counts, a time and the team-keys warning only (why the phone
//! refused the server's keys, and which version it seals to instead), never anything about a
//! report, so it costs the shell's first load a few hundred bytes and no IndexedDB code.

use leptos::prelude::*;
use prepoznaj_domain::observation::UnixMillis;
use wasm_bindgen::JsCast;

use super::pinning::RefusalReason;
use wasm_bindgen::closure::Closure;

/// `localStorage` key of the summary.
pub const SUMMARY_KEY: &str = "prepoznaj.sync";

/// What the status line says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// version instead.
    pub keys_refused: Option<KeysWarning>,
}

/// What the keys warning says under its headline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysWarning {
    pub reason: RefusalReason,
    /// The pinned version reports are still sealed to: its number and key set fingerprint.
    pub version: u64,
    pub fingerprint: String,
}

impl KeysWarning {
    /// `<reason>:<version>:<fingerprint>` (the fingerprint is hex digits in groups).
    fn encode(&self) -> String {
        format!(
            "{}:{}:{}",
            self.reason.code(),
            self.version,
            self.fingerprint
        )
    }

    fn decode(text: &str) -> Option<KeysWarning> {
        let mut parts = text.splitn(3, ':');
        let reason = RefusalReason::from_code(parts.next()?)?;
        let version = parts.next()?.parse().ok()?;
        let fingerprint = parts.next()?;
        fingerprint
            .bytes()
            .all(|byte| byte.is_ascii_hexdigit() || byte == b' ')
            .then(|| KeysWarning {
                reason,
                version,
                fingerprint: fingerprint.to_owned(),
            })
    }
}

impl SyncSummary {
    /// The stored form: six numbers separated by commas (`waiting,stale,rejected,
    /// needs_enrolment,not_enrolled,last_sync_at`, the last one empty when unknown), then the
    /// keys warning when there is one (`,<reason>:<version>:<fingerprint>`). Not JSON: a serde
    /// struct decoder would cost the shell's first load more than this whole feature.
    #[must_use]
    pub fn encode(&self) -> String {
        let last = self
            .last_sync_at
            .map(|at| at.0.to_string())
            .unwrap_or_default();
        let mut text = format!(
            "{},{},{},{},{},{last}",
            self.waiting,
            self.stale,
            self.rejected,
            u8::from(self.needs_enrolment),
            self.not_enrolled
        );
        if let Some(warning) = &self.keys_refused {
            text.push(',');
            text.push_str(&warning.encode());
        }
        text
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
            None => None,
            Some(warning) => Some(KeysWarning::decode(warning)?),
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
            || self.keys_refused.is_some()
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

    /// Publishes a new summary: shown here at once, stored for the other bundles and tabs.
    pub fn publish(&self, summary: SyncSummary) {
        let encoded = summary.encode();
        if self.summary.with_untracked(|current| *current != summary) {
            self.summary.set(summary);
        }
        let stored = local_storage().map(|storage| storage.set_item(SUMMARY_KEY, &encoded));
        if !matches!(stored, Some(Ok(()))) {
            leptos::logging::warn!("the sync summary cannot be stored");
        }
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
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
            keys_refused: None,
        };
        assert_eq!(full.encode(), "3,1,2,1,4,1764230400000");
        assert_eq!(SyncSummary::decode(&full.encode()), Some(full.clone()));
        let warned = SyncSummary {
            keys_refused: Some(KeysWarning {
                reason: RefusalReason::Unsigned,
                version: 2,
                fingerprint: "0011 2233 4455 6677 8899".to_owned(),
            }),
            ..full
        };
        assert_eq!(
            warned.encode(),
            "3,1,2,1,4,1764230400000,3:2:0011 2233 4455 6677 8899"
        );
        assert_eq!(SyncSummary::decode(&warned.encode()), Some(warned));
        let only_the_warning = SyncSummary {
            keys_refused: Some(KeysWarning {
                reason: RefusalReason::Rollback,
                version: 1,
                fingerprint: "aaaa bbbb cccc dddd eeee".to_owned(),
            }),
            ..SyncSummary::default()
        };
        assert!(only_the_warning.is_worth_showing());
        assert_eq!(
            SyncSummary::decode(&only_the_warning.encode()),
            Some(only_the_warning)
        );
        let empty = SyncSummary::default();
        assert_eq!(SyncSummary::decode(&empty.encode()), Some(empty.clone()));
        assert!(!empty.is_worth_showing());
        for bad in [
            "",
            "1,2,3",
            "1,2,3,0,0,,",
            "1,2,3,0,0,x",
            "a,0,0,0,0,",
            "{\"waiting\":1}",
            "1,2,3,0,0,,9:2:0011",
            "1,2,3,0,0,,3:x:0011",
            "1,2,3,0,0,,3:2:<b>",
            "1,2,3,0,0,,3:2",
            "1,2,3,0,0,,3:2:0011,",
        ] {
            assert_eq!(SyncSummary::decode(bad), None, "{bad:?}");
        }
    }
}
