//! What stands before the team inbox: this device's team key, unlocked with the member's
//! passphrase. Without a key (or before it is registered) it explains and links to `/team`;
//! locked, it asks for the passphrase; unlocked, it shows its children and a Lock button.
//! The team page asks for the passphrase with the same form ([`UnlockForm`]) when a change
//! needs the signing key.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_envelope::identity::UnlockError;

use crate::components::storage_error::storage_error_message;
use crate::i18n::{InboxMessages, use_i18n};
use crate::inbox::{SessionMember, use_inbox};
use crate::preferences;
use crate::storage::team_key::{self, TeamKey};
use crate::storage::{StorageError, app_database};
use crate::timing::now_ms;

/// The inbox's content once unlocked; before that, the reason it is not shown.
#[component]
pub fn InboxGate(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let loaded = RwSignal::new(None::<Result<Option<TeamKey>, StorageError>>);
    leptos::task::spawn_local(async move {
        loaded.set(Some(match app_database().await {
            Ok(database) => team_key::load(&database).await,
            Err(error) => Err(error),
        }));
    });
    let children = StoredValue::new(children);
    move || {
        match loaded.get() {
        None => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
        Some(Err(error)) => view! {
            <p class="notice notice--warning" role="alert">{move || storage_error_message(i18n.messages(), &error)}</p>
        }
        .into_any(),
        Some(Ok(None)) => view! { <NoKey message=|m| m.inbox_no_key() /> }.into_any(),
        Some(Ok(Some(TeamKey { registration: None, .. }))) => {
            view! { <NoKey message=|m| m.inbox_not_registered() /> }.into_any()
        }
        Some(Ok(Some(key))) => view! {
            <Show
                when=move || session.is_unlocked()
                fallback=move || {
                    if let Some(registration) = &key.registration {
                        session.prepare(registration.member_token.clone());
                    }
                    view! { <UnlockForm key=key.clone() /> }
                }
            >
                <div class="actions no-print">
                    <button type="button" class="button" data-testid="inbox-lock" on:click=move |_| session.lock()>
                        {move || i18n.inbox().inbox_lock()}
                    </button>
                </div>
                {children.with_value(|children| children())}
            </Show>
        }
        .into_any(),
    }
    }
}

#[component]
fn NoKey(message: crate::i18n::InboxMessageFn) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="notice notice--warning" role="status" data-testid="inbox-no-key">{move || message(i18n.inbox())}</p>
        <p>
            <a href="/team" class="button">{move || i18n.inbox().inbox_go_to_team()}</a>
        </p>
    }
}

/// Why the passphrase did not unlock the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnlockFailure {
    WrongPassphrase,
    Damaged,
}

/// "… until the app has not been used for 5 minutes": the unlock form's first line.
#[must_use]
pub fn unlock_intro(messages: &InboxMessages, minutes: u64) -> String {
    fill(
        messages.inbox_unlock_intro(),
        &[("duration", &messages.inbox_minutes().format(minutes))],
    )
}

/// The passphrase form that unlocks this device's key (and its signing key) into the session.
#[component]
pub fn UnlockForm(key: TeamKey) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let passphrase = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<UnlockFailure>);
    let key = StoredValue::new(key);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let started = now_ms();
        let Some(input) = passphrase.get_untracked() else {
            return;
        };
        busy.set(true);
        failure.set(None);
        // Let the "Unlocking…" state paint before the key derivation takes the thread.
        set_timeout(
            move || {
                let typed = input.value();
                let (locked, member) = key.with_value(|key| {
                    (
                        key.locked_identity.clone(),
                        key.registration.as_ref().map(|registration| SessionMember {
                            token: registration.member_token.clone(),
                            school: registration.school.id.clone(),
                            member: registration.member.id.clone(),
                        }),
                    )
                });
                let Some(member) = member else {
                    busy.set(false);
                    return;
                };
                match session.unlock(&locked, &typed, member, started) {
                    Ok(()) => {
                        input.set_value("");
                        // The form that had focus is gone.
                        crate::app::focus_main();
                    }
                    Err(UnlockError::WrongPassphrase) => {
                        failure.set(Some(UnlockFailure::WrongPassphrase));
                        if let Err(error) = input.focus() {
                            leptos::logging::warn!("cannot focus the passphrase: {error:?}");
                        }
                    }
                    Err(UnlockError::Damaged(detail)) => {
                        leptos::logging::error!("the locked key is damaged: {detail}");
                        failure.set(Some(UnlockFailure::Damaged));
                    }
                }
                busy.set(false);
            },
            std::time::Duration::ZERO,
        );
    };
    let error = Signal::derive(move || {
        failure.get().map(|failure| match failure {
            UnlockFailure::WrongPassphrase => i18n.inbox().inbox_wrong_passphrase(),
            UnlockFailure::Damaged => i18n.inbox().inbox_key_damaged(),
        })
    });
    let minutes = u64::from(preferences::inbox_lock_minutes());
    view! {
        <p>{move || unlock_intro(i18n.inbox(), minutes)}</p>
        <form class="form" data-testid="inbox-unlock" on:submit=submit>
            <CurrentPassphraseField prefix="inbox" input=passphrase error=error />
            <div class="actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.inbox().inbox_unlocking() } else { i18n.inbox().inbox_unlock() }}
                </button>
            </div>
        </form>
    }
}

/// The passphrase of the key on this device (ids `<prefix>-passphrase` and
/// `<prefix>-unlock-error`), and `error`: why it did not unlock the key.
#[component]
pub fn CurrentPassphraseField(
    prefix: &'static str,
    input: NodeRef<leptos::html::Input>,
    #[prop(into)] error: Signal<Option<&'static str>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{prefix}-passphrase");
    let error_id = format!("{prefix}-unlock-error");
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.inbox().inbox_passphrase()}</label>
            <input
                id=id
                type="password"
                autocomplete="current-password"
                required
                node_ref=input
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=error_id.clone()
            />
        </div>
        <p id=error_id class="notice notice--warning" role="alert" hidden=move || error.get().is_none()>
            {move || error.get().unwrap_or_default()}
        </p>
    }
}
