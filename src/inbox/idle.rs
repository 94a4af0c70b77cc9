//! The inbox's idle lock: the unlocked identity is forgotten once the app has not been used for
//! the member's chosen minutes (`preferences::inbox_lock_minutes`), on screen or in the
//! background, and whenever the page is left. What counts as use: a pointer, a key, scrolling,
//! a touch, and the app going to or coming back from the background. The decision is
//! `prepoznaj_domain::idle_lock`'s, from both of the browser's clocks, so a clock set back
//! does not keep the inbox open. It only reads clocks and listens; it never stores anything.

use std::time::Duration;

use leptos::prelude::*;
use prepoznaj_domain::idle_lock::{IdleDecision, IdleLock, Moment};
use prepoznaj_domain::observation::UnixMillis;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::InboxSession;
use crate::preferences;
use crate::timing::now_ms;

/// Events that count as use, listened for in the capture phase (a scroll inside any element
/// reaches the document only there).
const USE_EVENTS: [&str; 6] = [
    "pointerdown",
    "pointermove",
    "keydown",
    "wheel",
    "scroll",
    "touchstart",
];

/// The longest wait between two checks: a change of the chosen minutes takes effect within it,
/// and a timer the browser delayed in the background is caught up with soon after.
const LONGEST_WAIT_MS: u64 = 60 * 1000;

/// Both clocks now: the wall clock and the page's monotonic clock.
pub(super) fn moment_now() -> Moment {
    Moment {
        // Date.now() and performance.now() are whole or fractional, non-negative milliseconds.
        wall: UnixMillis(js_sys::Date::now().max(0.0) as u64),
        monotonic_ms: now_ms().max(0.0) as u64,
    }
}

impl InboxSession {
    /// Records a use of the app now.
    pub(super) fn used(&self) {
        self.last_use.set_value(moment_now());
    }

    /// Locks if the app has been idle for the chosen minutes; otherwise checks again later.
    pub(super) fn check_idle(&self) {
        if !self.is_unlocked_now() {
            return;
        }
        let rule = IdleLock::after_minutes(preferences::inbox_lock_minutes());
        match rule.decide(self.last_use.get_value(), moment_now()) {
            IdleDecision::Lock => self.lock(),
            IdleDecision::CheckAgainIn(wait_ms) => {
                self.stop_idle_check();
                let session = *self;
                let wait = Duration::from_millis(wait_ms.min(LONGEST_WAIT_MS));
                match set_timeout_with_handle(move || session.check_idle(), wait) {
                    Ok(timer) => self.lock_timer.set_value(Some(timer)),
                    Err(error) => leptos::logging::warn!("no idle lock timer: {error:?}"),
                }
            }
        }
    }

    /// Cancels the pending check (on lock).
    pub(super) fn stop_idle_check(&self) {
        if let Some(timer) = self.lock_timer.try_update_value(Option::take).flatten() {
            timer.clear();
        }
    }

    /// Listens for use, for the app going to or coming from the background (checked first:
    /// the limit may have passed while it was hidden and its timer delayed), and for the page
    /// being left, which locks.
    pub(super) fn watch_use(&self) {
        let session = *self;
        let on_use = Closure::<dyn Fn()>::new(move || session.used());
        let on_visibility = Closure::<dyn Fn()>::new(move || {
            session.check_idle();
            session.used();
        });
        let on_leave = Closure::<dyn Fn()>::new(move || session.lock());
        let document = document();
        let mut listening = USE_EVENTS.iter().try_for_each(|name| {
            document.add_event_listener_with_callback_and_bool(
                name,
                on_use.as_ref().unchecked_ref(),
                true,
            )
        });
        listening = listening.and_then(|()| {
            document.add_event_listener_with_callback(
                "visibilitychange",
                on_visibility.as_ref().unchecked_ref(),
            )
        });
        listening = listening.and_then(|()| {
            window().add_event_listener_with_callback("pagehide", on_leave.as_ref().unchecked_ref())
        });
        if let Err(error) = listening {
            leptos::logging::warn!("cannot watch the use of the app: {error:?}");
        }
        // The session lives as long as the page.
        on_use.forget();
        on_visibility.forget();
        on_leave.forget();
    }
}
