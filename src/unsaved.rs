//! What a person types is saved while they type, not only when they leave the field: after a
//! short pause ([`SAVE_AFTER_TYPING`]), and at once when the page may be about to die without
//! another event: hidden (`visibilitychange`: the screen locks, another app or tab comes to the
//! front), unloaded (`pagehide`), or left for another screen of the app.
//!
//! Leaving the field (`change`) is not enough: a finger's answer on the checklist does not move
//! focus, and a phone kills a hidden browser without warning.

use std::time::Duration;

use leptos::prelude::*;

/// How long after the last keystroke typed text is saved.
pub const SAVE_AFTER_TYPING: Duration = Duration::from_millis(400);

/// Calls `save` when the page is hidden or unloaded, and when the calling view goes away.
pub fn save_when_leaving(save: impl Fn() + Clone + Send + Sync + 'static) {
    let on_hidden = {
        let save = save.clone();
        move |_| {
            if document().hidden() {
                save();
            }
        }
    };
    let visibility = window_event_listener(leptos::ev::visibilitychange, on_hidden);
    let on_pagehide = {
        let save = save.clone();
        move |_| save()
    };
    let pagehide = window_event_listener(leptos::ev::pagehide, on_pagehide);
    on_cleanup(move || {
        visibility.remove();
        pagehide.remove();
        save();
    });
}
