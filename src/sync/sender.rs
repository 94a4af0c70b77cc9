//! The sender: drives the domain's [`Outbox`] from the app, so a finished observation reaches
//! the school's protection team as soon as any connection exists, exactly once.
//!
//! A run is started on app start, on the `online` event, when the app becomes visible, right
//! after an observation is finished, by "Send now", and by a timer set to the outbox's next
//! wake-up (exponential backoff with jitter, capped at five minutes; there is no retry cap).
//! Each run holds the Web Lock [`LOCK_NAME`] (the service worker takes the same lock), so two
//! tabs never send at once; a tab that finds the lock taken skips its run and follows the other
//! tab's progress through the summary (see [`super::summary`]). Where the browser has no Web
//! Locks, runs may overlap across tabs and the server's idempotency makes that harmless.
//!
//! A run: reads the enrolment, the state and the envelopes; treats a request that was in flight
//! when the app stopped as lost; sends every due report, persisting the state before and after
//! each request; on delivery forgets the plaintext and the envelope in the transaction that
//! records it ([`sync_state::deliver`]); then refreshes the status of delivered reports (to
//! show "acted upon") and the team's key set.
//!
//! The team's keys come as a signed chain: the phone takes a new version only if the chain
//! verifies from the version it pinned ([`super::pinning::decide`]), and then seals what waits
//! again to it; any other chain is refused, recorded with the enrolment and shown on every
//! screen through the summary, while reports go on being sealed to the pinned keys.
//!
//! **Invariant**: the state is written before a request leaves and after its answer; the
//! envelope is deleted only with the delivery that a receipt for it proved. Reports are sealed
//! only to a key set verified on this phone.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::observation::Status;
use prepoznaj_domain::outbox::{Outbox, OutboxCounts, ReportState, Step, Transition};
use prepoznaj_domain::protocol::ReportStatus;
use prepoznaj_domain::sync::Attempt;
use prepoznaj_envelope::digest::key_set_fingerprint;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::api::{self, NoAnswer, RawAnswer};
use super::client;
use super::pinning::{KeysDecision, RefusalReason, decide};
use super::summary::{SyncSummary, SyncSummaryContext, provide_sync_summary};
use crate::clock::now;
use crate::html::escape_into;
use crate::i18n::team_messages_for;
use crate::pwa::use_pwa;
use crate::sealing::{SealingError, reseal_queued};
use crate::storage::enrolment::{self, Enrolment, KeysRefusal};
use crate::storage::outbox::{self, OutboxEntry};
use crate::storage::sync_state::{self, SyncState};
use crate::storage::{Database, StorageError, app_database, observations};

/// Name of the Web Lock held while sending (also in `public/sw.js`).
pub const LOCK_NAME: &str = "prepoznaj-outbox";
/// Tag of the Background Sync registration (also in `public/sw.js`).
pub const BACKGROUND_SYNC_TAG: &str = "prepoznaj-outbox";
/// The longest the timer waits, whatever the outbox says (it says at most this anyway).
const MAX_TIMER_MS: u64 = 5 * 60 * 1_000;

/// Why a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The app started, came online or became visible, or the person tapped "Send now": also
    /// ask whether the team acted on delivered reports.
    Look,
    /// An observation was just finished, or the retry timer fired: send what is due.
    Send,
    /// The person tapped "Send now": like [`Trigger::Look`], and reports waiting out a backoff
    /// are tried at once.
    SendNow,
}

impl Trigger {
    /// The stronger of two requests, when one comes while a run is under way.
    fn merge(self, other: Trigger) -> Trigger {
        match (self, other) {
            (Trigger::SendNow, _) | (_, Trigger::SendNow) => Trigger::SendNow,
            (Trigger::Look, _) | (_, Trigger::Look) => Trigger::Look,
            (Trigger::Send, Trigger::Send) => Trigger::Send,
        }
    }
}

/// What the sync screens show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncView {
    pub state: SyncState,
    /// Finished observations kept until the phone is enrolled.
    pub not_enrolled: usize,
    /// The last run could not read or write the phone's storage.
    pub storage_error: Option<StorageError>,
    /// The team's keys were refused: the warning in every locale (see
    /// [`super::summary::keys_warning_key`]).
    pub keys_refused: Option<Vec<(Locale, String)>>,
}

impl SyncView {
    #[must_use]
    pub fn counts(&self) -> OutboxCounts {
        self.state.outbox.counts(now())
    }

    fn summary(&self) -> SyncSummary {
        let counts = self.counts();
        SyncSummary {
            waiting: counts.waiting,
            stale: counts.stale,
            rejected: counts.rejected,
            needs_enrolment: self.state.outbox.needs_enrolment(),
            not_enrolled: self.not_enrolled,
            last_sync_at: self.state.last_sync_at,
            keys_refused: self.keys_refused.is_some(),
        }
    }
}

/// What the warning says of `enrolment`'s refused keys, if it refused any, as the status line
/// shows it (see [`super::summary::keys_warning_key`]): in every locale this page has loaded
/// the messages of, its headline, why in plain words, and the pinned version with its
/// fingerprint, each escaped.
fn keys_warning(enrolment: &Enrolment) -> Option<Vec<(Locale, String)>> {
    let refusal = enrolment.keys_refused?;
    let version = enrolment.key_set.version.to_string();
    let fingerprint = key_set_fingerprint(&enrolment.key_set).to_string();
    let locales = crate::i18n::loaded_locales()
        .into_iter()
        .map(|locale| {
            let messages = team_messages_for(locale);
            let reason = match refusal.reason {
                RefusalReason::Rollback => messages.sync_keys_rollback(),
                RefusalReason::Rewritten => messages.sync_keys_rewritten(),
                RefusalReason::Unsigned => messages.sync_keys_unsigned(),
                RefusalReason::Unreadable => messages.sync_keys_unreadable(),
            };
            let pinned = fill(
                messages.sync_keys_pinned(),
                &[("version", &version), ("fingerprint", &fingerprint)],
            );
            let mut html = String::from(
                r#"<div class="notice notice--warning" data-testid="sync-keys-refused"><p><strong>"#,
            );
            escape_into(&mut html, messages.sync_keys_refused());
            html.push_str(r#"</strong></p><p data-testid="sync-keys-reason">"#);
            escape_into(&mut html, reason);
            html.push_str(r#"</p><p data-testid="sync-keys-pinned">"#);
            escape_into(&mut html, &pinned);
            html.push_str("</p></div>");
            (locale, html)
        })
        .collect();
    Some(locales)
}

/// The sender, as a context of the bundles that send (observations, team).
#[derive(Debug, Clone, Copy)]
pub struct Sender {
    view: RwSignal<SyncView>,
    summary: SyncSummaryContext,
    /// A run of this tab is under way; another request sets `again`.
    busy: StoredValue<bool>,
    again: StoredValue<Option<Trigger>>,
    timer: StoredValue<Option<i32>>,
}

impl Sender {
    /// What the screens show (reactive).
    #[must_use]
    pub fn view(&self) -> SyncView {
        self.view.get()
    }

    /// Starts a run now, or right after the one under way.
    pub fn request(&self, trigger: Trigger) {
        if self.busy.get_value() {
            let merged = self
                .again
                .get_value()
                .map_or(trigger, |queued| queued.merge(trigger));
            self.again.set_value(Some(merged));
            return;
        }
        self.busy.set_value(true);
        let sender = *self;
        leptos::task::spawn_local(async move {
            let mut trigger = trigger;
            loop {
                sender.set_running(true);
                with_lock(sender, trigger).await;
                sender.set_running(false);
                match sender.again.get_value() {
                    Some(next) => {
                        sender.again.set_value(None);
                        trigger = next;
                    }
                    None => break,
                }
            }
            sender.busy.set_value(false);
            sender.set_timer();
        });
    }

    /// Sends a report the server refused again, from the start (after an update, say).
    pub fn retry_rejected(&self, report_id: prepoznaj_domain::protocol::ReportUuid) {
        let sender = *self;
        leptos::task::spawn_local(async move {
            let result = async {
                let database = app_database().await?;
                let mut state = sync_state::load(&database).await?;
                if state.outbox.requeue(&report_id, now()).is_ok() {
                    sync_state::save(&database, &state).await?;
                }
                Ok::<(), StorageError>(())
            }
            .await;
            if let Err(error) = result {
                sender.storage_failed(error);
            }
            sender.request(Trigger::Send);
        });
    }

    /// Reads the state again (another tab changed it) without sending.
    fn reload(&self) {
        let sender = *self;
        leptos::task::spawn_local(async move {
            match load_view().await {
                Ok(view) => sender.publish(view),
                Err(error) => sender.storage_failed(error),
            }
        });
    }

    fn publish(&self, view: SyncView) {
        self.summary
            .publish_keys_warning(view.keys_refused.as_deref());
        self.summary.publish(view.summary());
        self.summary
            .set_storage_failed(view.storage_error.is_some());
        self.view.set(view);
    }

    fn set_running(&self, running: bool) {
        self.summary.set_running(running);
    }

    fn storage_failed(&self, error: StorageError) {
        leptos::logging::warn!("sync stopped: {error}");
        self.view.update(|view| view.storage_error = Some(error));
        self.summary.set_storage_failed(true);
    }

    /// Sets the retry timer to the outbox's next wake-up. Offline there is none: the `online`
    /// event starts the next run (a report due now would otherwise be "tried" in a loop).
    fn set_timer(&self) {
        if let Some(handle) = self.timer.get_value() {
            window().clear_timeout_with_handle(handle);
            self.timer.set_value(None);
        }
        if !window().navigator().on_line() {
            return;
        }
        let at = now();
        let Some(wake) = self
            .view
            .with_untracked(|view| view.state.outbox.next_wake_at(at))
        else {
            return;
        };
        let delay = wake.0.saturating_sub(at.0).min(MAX_TIMER_MS);
        let sender = *self;
        let fire = Closure::once_into_js(move || {
            sender.timer.set_value(None);
            sender.request(Trigger::Send);
        });
        match window().set_timeout_with_callback_and_timeout_and_arguments_0(
            fire.unchecked_ref(),
            i32::try_from(delay).unwrap_or(i32::MAX),
        ) {
            Ok(handle) => self.timer.set_value(Some(handle)),
            Err(error) => leptos::logging::warn!("cannot set the retry timer: {error:?}"),
        }
    }
}

/// Provides the sender and starts it: a first run now, then on `online`, on becoming visible
/// and on its timer.
pub fn provide_sender() -> Sender {
    let view = RwSignal::new(SyncView::default());
    let reload_requested = Rc::new(Cell::new(None::<Sender>));
    let summary = provide_sync_summary({
        let reload_requested = reload_requested.clone();
        move || {
            if let Some(sender) = reload_requested.get() {
                sender.reload();
            }
        }
    });
    let sender = Sender {
        view,
        summary,
        busy: StoredValue::new(false),
        again: StoredValue::new(None),
        timer: StoredValue::new(None),
    };
    reload_requested.set(Some(sender));
    provide_context(sender);
    summary.attach_sender(Callback::new(move |()| sender.request(Trigger::SendNow)));
    let pwa = use_pwa();
    Effect::new(move |was_online: Option<bool>| {
        let online = pwa.online();
        // Coming online (the first run covers the start).
        if online && was_online == Some(false) {
            sender.request(Trigger::Look);
        }
        online
    });
    let on_visible = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            sender.request(Trigger::Look);
        }
    });
    if let Err(error) = document()
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("cannot follow the app's visibility: {error:?}");
    }
    // The app listens for its whole life.
    on_visible.forget();
    sender.request(Trigger::Look);
    sender
}

/// The sender, in the bundles that send.
#[must_use]
pub fn use_sender() -> Option<Sender> {
    use_context::<Sender>()
}

/// Runs [`run`] holding the Web Lock, or skips it when another tab (or the service worker)
/// holds it: that one sends, and its changes reach this tab through the summary.
async fn with_lock(sender: Sender, trigger: Trigger) {
    let locks = Reflect::get(&window().navigator(), &JsValue::from_str("locks"))
        .ok()
        .filter(|locks| !locks.is_undefined() && !locks.is_null());
    let request = locks.as_ref().and_then(|locks| {
        Reflect::get(locks, &JsValue::from_str("request"))
            .ok()?
            .dyn_into::<Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        run_and_publish(sender, trigger).await;
        return;
    };
    let options = Object::new();
    if Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE).is_err() {
        run_and_publish(sender, trigger).await;
        return;
    }
    let callback = Closure::once_into_js(move |lock: JsValue| -> Promise {
        if lock.is_null() {
            // Another tab or the service worker is sending; show what it did.
            sender.reload();
            return Promise::resolve(&JsValue::FALSE);
        }
        wasm_bindgen_futures::future_to_promise(async move {
            run_and_publish(sender, trigger).await;
            Ok(JsValue::TRUE)
        })
    });
    let held = request
        .call3(&locks, &JsValue::from_str(LOCK_NAME), &options, &callback)
        .map(|promise| JsFuture::from(Promise::from(promise)));
    match held {
        Ok(held) => {
            if let Err(error) = held.await {
                leptos::logging::warn!("the sync lock failed: {error:?}");
            }
        }
        Err(error) => {
            leptos::logging::warn!("cannot take the sync lock: {error:?}");
            run_and_publish(sender, trigger).await;
        }
    }
}

async fn run_and_publish(sender: Sender, trigger: Trigger) {
    let online = window().navigator().on_line();
    if let Err(error) = run(sender, trigger, online).await {
        sender.storage_failed(error);
    }
}

/// The view as stored: the state, how many observations wait for enrolment, and whether the
/// team's keys were refused.
async fn load_view() -> Result<SyncView, StorageError> {
    let database = app_database().await?;
    let state = sync_state::load(&database).await?;
    let not_enrolled = count_not_enrolled(&database).await?;
    let keys_refused = enrolment::load(&database)
        .await?
        .as_ref()
        .and_then(keys_warning);
    Ok(SyncView {
        state,
        not_enrolled,
        storage_error: None,
        keys_refused,
    })
}

async fn count_not_enrolled(database: &Database) -> Result<usize, StorageError> {
    Ok(observations::summaries(database)
        .await?
        .iter()
        .filter(|summary| summary.status == Status::Complete)
        .count())
}

async fn run(sender: Sender, trigger: Trigger, online: bool) -> Result<(), StorageError> {
    let database = app_database().await?;
    let mut view = load_view().await?;
    // Receipts kept for the whole period the person chose go first (enrolled or not).
    let retention = crate::preferences::recorded_receipt_retention().await;
    sync_state::forget_expired_receipts(&database, &mut view.state, retention, now()).await?;
    let Some(mut enrolment) = enrolment::load(&database).await? else {
        sender.publish(view);
        return Ok(());
    };
    let started = now();
    let state = &mut view.state;
    state.outbox.after_restart(started);
    if trigger == Trigger::SendNow {
        state.outbox.send_now(started);
    }
    if state.device_id.as_ref() != Some(&enrolment.device_id) {
        state.outbox.enrolled(started);
        state.device_id = Some(enrolment.device_id.clone());
    }
    let mut every_answer_came = true;
    let mut any_answer = false;
    // Nothing is sent before the phone has asked for the team's current keys in the same run,
    // whatever started it (a retry timer or an unlock as much as a connection coming back).
    let sending = state.outbox.next_due(started).is_some();
    if online && (trigger != Trigger::Send || sending) {
        // First the team's current keys: what waits is sealed again if they changed.
        match refresh_key_set(&database, &mut enrolment).await {
            Ok(()) => any_answer = true,
            Err(KeysError::NoAnswer) => every_answer_came = false,
            Err(KeysError::Storage(error)) => return Err(error),
        }
        view.keys_refused = keys_warning(&enrolment);
    }
    let entries = sendable_to_current_keys(&database, &enrolment).await?;
    state.outbox.reconcile(entries.iter().map(|entry| {
        (
            &entry.submission.report_id,
            entry.submission.envelope_sha256,
            entry.queued_at,
        )
    }));
    sync_state::save(&database, state).await?;
    sender.publish(view.clone());
    if view.state.outbox.counts(started).waiting > 0 {
        // Should the app be closed before the connection returns, the service worker sends.
        register_background_sync();
    }
    if !online {
        return Ok(());
    }

    while let Some(due) = view.state.outbox.next_due(now()) {
        let request = match view.state.outbox.begin(&due.report_id, now()) {
            Ok(request) => request,
            Err(error) => {
                leptos::logging::warn!("outbox: {error}");
                break;
            }
        };
        sync_state::save(&database, &view.state).await?;
        sender.publish(view.clone());
        let answer = send(&request.step, &request.report_id, &entries, &enrolment).await;
        let attempt = match &answer {
            Ok(raw) => Attempt::Answer {
                status: raw.status,
                body: &raw.body,
                retry_after_ms: raw.retry_after_ms,
            },
            Err(NoAnswer) => Attempt::NetworkError,
        };
        match &answer {
            Ok(raw) if raw.status < 500 => any_answer = true,
            _ => every_answer_came = false,
        }
        let at = now();
        let transition =
            view.state
                .outbox
                .record(&request.report_id, attempt, at, js_sys::Math::random());
        if let Transition::Delivered(_) = transition {
            sync_state::deliver(&database, &view.state, &request.report_id, at).await?;
        } else {
            sync_state::save(&database, &view.state).await?;
        }
        sender.publish(view.clone());
        if answer.is_err() {
            // No connection after all: the rest waits for its own time, or for `online`.
            every_answer_came = false;
            break;
        }
    }

    if every_answer_came && trigger != Trigger::Send {
        let (refreshed, answered) = refresh_receipts(&mut view.state.outbox, &enrolment).await;
        any_answer |= answered;
        every_answer_came &= refreshed;
        if refreshed {
            sync_state::save(&database, &view.state).await?;
        }
    }
    if every_answer_came && any_answer {
        view.state.last_sync_at = Some(now());
        sync_state::save(&database, &view.state).await?;
    }
    sender.publish(view);
    Ok(())
}

/// The reports that may be sent now, each sealed to the key set the phone has pinned where
/// the app lock allows: a report sealed to an older version (the team changed while it was
/// being sealed elsewhere, after an unlock, say) is sealed again first. Locked, it goes as it
/// is, still sealed to a set the phone once verified.
async fn sendable_to_current_keys(
    database: &Database,
    enrolment: &Enrolment,
) -> Result<Vec<OutboxEntry>, StorageError> {
    let entries = outbox::sendable(database).await?;
    let key = crate::app_lock::current_key();
    if key.is_none()
        || entries
            .iter()
            .all(|entry| entry.key_set_version == enrolment.key_set.version)
    {
        return Ok(entries);
    }
    match reseal_queued(database, key.as_deref(), enrolment).await {
        Ok(_) => outbox::sendable(database).await,
        Err(SealingError::Storage(error)) => Err(error),
        Err(SealingError::Seal(message)) => {
            leptos::logging::error!("cannot seal waiting reports again: {message}");
            Ok(entries)
        }
    }
}

async fn send(
    step: &Step,
    report_id: &prepoznaj_domain::protocol::ReportUuid,
    entries: &[OutboxEntry],
    enrolment: &Enrolment,
) -> Result<RawAnswer, NoAnswer> {
    let token = &enrolment.device_token;
    match step {
        Step::Submit => {
            let Some(entry) = entries
                .iter()
                .find(|entry| entry.submission.report_id == *report_id)
            else {
                // Reconciled away this very run: cannot happen; treated as a lost answer.
                return Err(NoAnswer);
            };
            client::submit_report(token, &entry.submission).await
        }
        Step::CheckStatus => client::report_status(token, report_id).await,
    }
}

/// Asks the server about every delivered report not yet acted upon. Returns whether every
/// request was answered, and whether any was.
async fn refresh_receipts(outbox: &mut Outbox, enrolment: &Enrolment) -> (bool, bool) {
    let waiting_for_action: Vec<_> = outbox
        .reports()
        .filter(|report| {
            matches!(
                &report.state,
                ReportState::Delivered { receipt } if receipt.status == ReportStatus::Received
            )
        })
        .map(|report| report.report_id.clone())
        .collect();
    let (mut all, mut any) = (true, false);
    for report_id in waiting_for_action {
        match client::report_status(&enrolment.device_token, &report_id).await {
            Ok(raw) => {
                any = true;
                outbox.refresh_status(
                    &report_id,
                    Attempt::Answer {
                        status: raw.status,
                        body: &raw.body,
                        retry_after_ms: raw.retry_after_ms,
                    },
                );
            }
            Err(NoAnswer) => {
                all = false;
                break;
            }
        }
    }
    (all, any)
}

enum KeysError {
    NoAnswer,
    Storage(StorageError),
}

/// Keeps the team's key set current, from verified versions only: a chain that verifies from
/// the pinned version to a newer one is pinned and what waits is sealed again to its keys (a
/// member who left cannot read what had not gone yet); any other chain is refused and the
/// refusal stored, and reports stay sealed to the pinned keys.
async fn refresh_key_set(database: &Database, enrolment: &mut Enrolment) -> Result<(), KeysError> {
    let decision = match client::school_keys(&enrolment.device_token).await {
        Ok(keys) => decide(enrolment.pinned.as_ref(), &enrolment.key_set, &keys.chain),
        // A 2xx this build cannot read: keys nobody can verify.
        Err(api::ApiCallError::Server { status }) if (200..300).contains(&status) => {
            KeysDecision::Refuse(RefusalReason::Unreadable)
        }
        Err(api::ApiCallError::Offline | api::ApiCallError::Server { .. }) => {
            return Err(KeysError::NoAnswer);
        }
        // A refusal (a revoked token) is answered; the reports themselves say what to do.
        Err(api::ApiCallError::Refused { .. }) => return Ok(()),
    };
    match decision {
        KeysDecision::Unchanged => {
            if enrolment.keys_refused.take().is_some() {
                enrolment::save(database, enrolment)
                    .await
                    .map_err(KeysError::Storage)?;
            }
            Ok(())
        }
        KeysDecision::Advance(head) => {
            enrolment.pin(&head);
            enrolment::save(database, enrolment)
                .await
                .map_err(KeysError::Storage)?;
            match reseal_queued(
                database,
                crate::app_lock::current_key().as_deref(),
                enrolment,
            )
            .await
            {
                Ok(_) => Ok(()),
                Err(SealingError::Storage(error)) => Err(KeysError::Storage(error)),
                // The old envelope stays and is sent as it is: nothing is lost.
                Err(SealingError::Seal(message)) => {
                    leptos::logging::error!("cannot seal waiting reports again: {message}");
                    Ok(())
                }
            }
        }
        // Refused again for the same reason: the first refusal's time stays.
        KeysDecision::Refuse(reason)
            if enrolment
                .keys_refused
                .is_some_and(|refused| refused.reason == reason) =>
        {
            Ok(())
        }
        KeysDecision::Refuse(reason) => {
            leptos::logging::warn!("the team's keys were refused: {reason:?}");
            enrolment.keys_refused = Some(KeysRefusal { reason, at: now() });
            enrolment::save(database, enrolment)
                .await
                .map_err(KeysError::Storage)
        }
    }
}

/// Asks the browser to wake the service worker when a connection returns, so it can send the
/// queued envelopes even if the app is closed by then (where Background Sync exists).
pub fn register_background_sync() {
    leptos::task::spawn_local(async {
        let navigator = window().navigator();
        if !Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
            return;
        }
        let Ok(ready) = navigator.service_worker().ready() else {
            return;
        };
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let sync = Reflect::get(&registration, &JsValue::from_str("sync"))
            .ok()
            .filter(|sync| !sync.is_undefined() && !sync.is_null());
        let Some(sync) = sync else {
            return;
        };
        let register = Reflect::get(&sync, &JsValue::from_str("register"))
            .ok()
            .and_then(|register| register.dyn_into::<Function>().ok());
        if let Some(register) = register {
            match register.call1(&sync, &JsValue::from_str(BACKGROUND_SYNC_TAG)) {
                Ok(promise) => {
                    if let Err(error) = JsFuture::from(Promise::from(promise)).await {
                        leptos::logging::warn!("background sync not registered: {error:?}");
                    }
                }
                Err(error) => leptos::logging::warn!("background sync not registered: {error:?}"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use prepoznaj_domain::observation::UnixMillis;
    use prepoznaj_domain::protocol::{DeviceId, KeySet, School, SchoolId, SchoolName, Secret};

    use super::*;

    #[test]
    fn the_keys_warning_says_why_and_which_keys_in_every_locale_escaped() {
        let key_set = KeySet {
            version: 3,
            keys: Vec::new(),
        };
        let fingerprint = key_set_fingerprint(&key_set).to_string();
        let mut enrolment = Enrolment {
            device_id: DeviceId::new_v7(UnixMillis(1), [1; 10]),
            device_token: Secret::new("token".to_owned()),
            school: School {
                id: SchoolId::new_v7(UnixMillis(1), [2; 10]),
                name: SchoolName::parse("ОШ „Вук Караџић“").unwrap(),
            },
            key_set,
            enrolled_at: UnixMillis(10),
            pinned: None,
            keys_refused: None,
        };
        assert_eq!(keys_warning(&enrolment), None);
        enrolment.keys_refused = Some(KeysRefusal {
            reason: RefusalReason::Unsigned,
            at: UnixMillis(20),
        });
        crate::i18n::tests::install_every_table();
        let stored = keys_warning(&enrolment).unwrap();
        assert_eq!(
            stored.iter().map(|(locale, _)| *locale).collect::<Vec<_>>(),
            Locale::ALL
        );
        for (locale, html) in &stored {
            let locale = *locale;
            let messages = team_messages_for(locale);
            let escaped = |text: &str| {
                let mut html = String::new();
                escape_into(&mut html, text);
                html
            };
            let pinned = fill(
                messages.sync_keys_pinned(),
                &[("version", "3"), ("fingerprint", &fingerprint)],
            );
            for text in [
                messages.sync_keys_refused(),
                messages.sync_keys_unsigned(),
                &pinned,
            ] {
                assert!(html.contains(&escaped(text)), "{locale:?}: {text}");
            }
            assert!(html.starts_with(
                r#"<div class="notice notice--warning" data-testid="sync-keys-refused">"#
            ));
        }
        // The English headline is the issue's, word for word; its apostrophe escaped.
        let english = stored.iter().find(|(locale, _)| *locale == Locale::En);
        assert!(english.unwrap().1.contains(
            "The team&#39;s keys changed in a way this phone cannot verify. Reports are still \
             protected. Tell your team."
        ));
    }
}
