//! What stands before the observation screens on a staff phone: the app lock
//! (`crate::app_lock`). No lock yet: the person chooses a PIN or passphrase ([`SetUpLock`]);
//! locked: they enter it ([`UnlockScreen`], with the wait after too many wrong tries and
//! "Forgot PIN?" → [`ResetLock`], which says exactly what a new lock deletes); unlocked: the
//! screens. Quick mode's first screen (`/quick`: signs and contacts only) opens without it
//! and asks for it only when something is to be saved ([`LockForms`]).
//!
//! Every field has its label, errors are announced (`role="alert"`), and the first field takes
//! the focus when a form appears.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use prepoznaj_domain::app_lock::{AutoLock, LockSecret, LockSecretError};
use prepoznaj_domain::locale::fill;
use wasm_bindgen::JsCast;

use crate::app_lock::{
    AppLock, LockState, ScreenLockFailure, SetUpError, UnlockFailure, use_app_lock,
};
use crate::clock::now;
use crate::components::guidance_link::reveal;
use crate::components::storage_error::storage_error_message;
use crate::i18n::{I18n, LockMessages, use_i18n};
use crate::sealing::waiting_for_unlock;
use crate::storage::app_database;
use crate::storage::app_lock::{ResetLoss, reset_loss};
use crate::webauthn::{self, ScreenLockError};

/// The path that opens without the lock (quick mode's signs and contacts).
const OPEN_WITHOUT_LOCK: &str = "/quick";

/// The observation screens behind the app lock.
#[component]
pub fn AppLockGate(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let children = StoredValue::new(children);
    let Some(lock) = use_app_lock() else {
        return children.with_value(|children| children()).into_any();
    };
    // A memo: moving between the screens behind the lock does not build them again.
    let open_without_lock = Memo::new(move |_| location.pathname.get() == OPEN_WITHOUT_LOCK);
    (move || {
        // Quick mode's signs and contacts open whatever the lock's state (even when it cannot
        // be read): what it saves asks for the lock.
        if open_without_lock.get() {
            return children.with_value(|children| children()).into_any();
        }
        match lock.state() {
            LockState::Unlocked => children.with_value(|children| children()).into_any(),
            LockState::NotSet | LockState::Locked => view! { <LockForms /> }.into_any(),
            LockState::Checking => view! {
                <p role="status">{move || i18n.lock().lock_checking()}</p>
            }
            .into_any(),
            LockState::Failed(error) => view! {
                <p class="notice notice--warning" role="alert">
                    {move || storage_error_message(i18n.messages(), &error)}
                </p>
            }
            .into_any(),
        }
    })
    .into_any()
}

/// The form the lock's state asks for: set up a lock, or unlock.
#[component]
pub fn LockForms() -> impl IntoView {
    let Some(lock) = use_app_lock() else {
        return ().into_any();
    };
    (move || match lock.state() {
        LockState::NotSet => view! { <SetUpLock lock /> }.into_any(),
        LockState::Locked => view! { <UnlockScreen lock /> }.into_any(),
        _ => ().into_any(),
    })
    .into_any()
}

/// Mounts [`LockButton`] at the end of the header's tools (`.app-header__tools`), with the
/// contexts it reads: the observation bundle adds it to the chrome every bundle shares, so the
/// chrome itself (and the shell's first load) carries nothing of the lock.
pub fn mount_lock_button(i18n: I18n, lock: AppLock) {
    let tools = document()
        .query_selector(".app-header__tools")
        .ok()
        .flatten()
        .and_then(|tools| tools.dyn_into::<web_sys::HtmlElement>().ok());
    let Some(tools) = tools else {
        leptos::logging::warn!("the header has no tools: no Lock button");
        return;
    };
    leptos::mount::mount_to(tools, move || {
        provide_context(i18n);
        provide_context(lock);
        view! { <LockButton /> }
    })
    .forget();
}

/// The Lock button of the observation bundle's header, while unlocked.
#[component]
pub fn LockButton() -> impl IntoView {
    let i18n = use_i18n();
    let lock = use_app_lock();
    move || {
        lock.filter(|lock| lock.state() == LockState::Unlocked)
            .map(|lock| {
                view! {
                    <button type="button" class="button app-header__lock" data-testid="app-lock"
                        on:click=move |_| lock.lock()>
                        {move || i18n.lock().lock_button()}
                    </button>
                }
            })
    }
}

/// The message for a refused new secret.
fn secret_error(messages: &'static LockMessages, error: LockSecretError) -> &'static str {
    match error {
        LockSecretError::PinTooShort(_) => messages.lock_error_pin_short(),
        LockSecretError::PinTooSimple => messages.lock_error_pin_simple(),
        LockSecretError::PassphraseTooShort(_) => messages.lock_error_passphrase_short(),
        LockSecretError::PassphraseTooSimple => messages.lock_error_passphrase_simple(),
        LockSecretError::Mismatch => messages.lock_error_mismatch(),
    }
}

/// Why setting a lock failed, as the form says it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SetUpProblem {
    Secret(LockSecretError),
    Failed(SetUpError),
}

/// Moves the focus to `input` once it is on the page.
fn focus_when_shown(input: NodeRef<leptos::html::Input>) {
    Effect::new(move |_| {
        if let Some(input) = input.get()
            && let Err(error) = input.focus()
        {
            leptos::logging::warn!("cannot focus the lock's field: {error:?}");
        }
    });
}

/// A new PIN or passphrase, typed twice, with the rules and the auto-lock choice; `submit`
/// gets them once the rules pass.
#[component]
fn NewSecretForm(
    submit_label: fn(&'static LockMessages) -> &'static str,
    on_secret: Callback<(LockSecret, AutoLock)>,
    busy: RwSignal<bool>,
    problem: RwSignal<Option<SetUpProblem>>,
    initial_auto_lock: AutoLock,
) -> impl IntoView {
    let i18n = use_i18n();
    let secret = NodeRef::<leptos::html::Input>::new();
    let repeated = NodeRef::<leptos::html::Input>::new();
    let auto_lock = RwSignal::new(initial_auto_lock);
    focus_when_shown(secret);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (Some(secret), Some(repeated)) = (secret.get_untracked(), repeated.get_untracked())
        else {
            return;
        };
        match LockSecret::new(&secret.value(), &repeated.value()) {
            Ok(chosen) => {
                problem.set(None);
                secret.set_value("");
                repeated.set_value("");
                on_secret.run((chosen, auto_lock.get_untracked()));
            }
            Err(error) => {
                problem.set(Some(SetUpProblem::Secret(error)));
                let field = if error == LockSecretError::Mismatch {
                    &repeated
                } else {
                    &secret
                };
                if let Err(error) = field.focus() {
                    leptos::logging::warn!("cannot focus the lock's field: {error:?}");
                }
            }
        }
    };
    let error = move || {
        problem.get().map(|problem| match problem {
            SetUpProblem::Secret(error) => secret_error(i18n.lock(), error),
            SetUpProblem::Failed(SetUpError::Storage(error)) => {
                storage_error_message(i18n.messages(), &error)
            }
            SetUpProblem::Failed(SetUpError::Random) => i18n.messages().storage_failed(),
        })
    };
    let invalid = move || problem.with(Option::is_some).then_some("true");
    view! {
        <form class="form" data-testid="lock-set-up" on:submit=submit>
            <p id="lock-rules">{move || i18n.lock().lock_set_up_rules()}</p>
            <div class="field">
                <label for="lock-secret">{move || i18n.lock().lock_secret_label()}</label>
                <input id="lock-secret" type="password" autocomplete="new-password" required
                    node_ref=secret aria-invalid=invalid aria-describedby="lock-rules lock-error" />
            </div>
            <div class="field">
                <label for="lock-secret-repeat">{move || i18n.lock().lock_secret_repeat_label()}</label>
                <input id="lock-secret-repeat" type="password" autocomplete="new-password" required
                    node_ref=repeated aria-invalid=invalid aria-describedby="lock-error" />
            </div>
            <AutoLockSelect chosen=auto_lock />
            <p id="lock-error" class="notice notice--warning" role="alert" hidden=move || problem.with(Option::is_none)>
                {error}
            </p>
            <div class="actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.lock().lock_setting_up() } else { submit_label(i18n.lock()) }}
                </button>
            </div>
        </form>
    }
}

/// The auto-lock choice (1–30 minutes).
#[component]
fn AutoLockSelect(chosen: RwSignal<AutoLock>) -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |event: leptos::ev::Event| {
        if let Some(choice) = event_target_value(&event)
            .parse()
            .ok()
            .and_then(AutoLock::from_minutes)
        {
            chosen.set(choice);
        }
    };
    view! {
        <div class="field">
            <label for="lock-auto">{move || i18n.lock().lock_auto_label()}</label>
            <select id="lock-auto" on:change=on_change>
                {AutoLock::ALL
                    .into_iter()
                    .map(|choice| {
                        let minutes = choice.minutes();
                        view! {
                            <option value=minutes.to_string() selected=move || chosen.get() == choice>
                                {move || i18n.lock().lock_auto_minutes().format(u64::from(minutes))}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The first lock: what it protects, the rules, the secret twice.
#[component]
fn SetUpLock(lock: AppLock) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<SetUpProblem>);
    let on_secret = Callback::new(move |(secret, auto_lock): (LockSecret, AutoLock)| {
        busy.set(true);
        // Let "Encrypting…" paint before the key derivation takes the thread.
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    if let Err(error) = lock.set_up(&secret, auto_lock).await {
                        problem.set(Some(SetUpProblem::Failed(error)));
                    }
                    busy.set(false);
                });
            },
            std::time::Duration::ZERO,
        );
    });
    view! {
        <section class="app-lock" aria-labelledby="lock-heading">
            <h1 id="lock-heading">{move || i18n.lock().lock_set_up_heading()}</h1>
            <p>{move || i18n.lock().lock_set_up_intro()}</p>
            <NewSecretForm submit_label=|m| m.lock_set_up_submit() on_secret busy problem
                initial_auto_lock=lock.auto_lock() />
        </section>
    }
}

/// `ms` as minutes and seconds ("1:05").
fn minutes_and_seconds(ms: u64) -> String {
    let seconds = ms.div_ceil(1_000);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The unlock screen: the secret, the wait after too many wrong tries, "Forgot PIN?".
#[component]
fn UnlockScreen(lock: AppLock) -> impl IntoView {
    let i18n = use_i18n();
    let resetting = RwSignal::new(false);
    let resealing = RwSignal::new(0_usize);
    leptos::task::spawn_local(async move {
        let waiting = async { waiting_for_unlock(&app_database().await?).await }.await;
        match waiting {
            Ok(count) => resealing.set(count),
            Err(error) => leptos::logging::warn!("cannot count what waits to be sealed: {error}"),
        }
    });
    view! {
        <Show
            when=move || resetting.get()
            fallback=move || view! {
                <section class="app-lock" aria-labelledby="lock-heading">
                    <h1 id="lock-heading">{move || i18n.lock().lock_unlock_heading()}</h1>
                    <p>{move || i18n.lock().lock_unlock_intro()}</p>
                    <Show when=move || { resealing.get() > 0 }>
                        <p class="notice" role="status" data-testid="lock-resealing">
                            {move || i18n.lock().lock_resealing().format(resealing.get() as u64)}
                        </p>
                    </Show>
                    <Show when=move || lock.screen_lock_on()>
                        <ScreenLockUnlock lock />
                    </Show>
                    <UnlockForm lock />
                    <p>
                        <button type="button" class="button button--link" data-testid="lock-forgot"
                            on:click=move |_| resetting.set(true)>
                            {move || i18n.lock().lock_forgot()}
                        </button>
                    </p>
                </section>
            }
        >
            <ResetLock lock on_cancel=Callback::new(move |()| resetting.set(false)) />
        </Show>
    }
}

/// The secret that unlocks, and why it did not.
#[component]
fn UnlockForm(lock: AppLock) -> impl IntoView {
    let i18n = use_i18n();
    let secret = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<UnlockFailure>);
    // The wait left, counted down every second while there is one.
    let wait_left = RwSignal::new(lock.wrong_tries().wait_ms(now()));
    let ticking = StoredValue::new(None::<IntervalHandle>);
    let count_down = move || {
        if ticking.get_value().is_some() {
            return;
        }
        match set_interval_with_handle(
            move || {
                let left = lock.wrong_tries().wait_ms(now());
                wait_left.set(left);
                if left == 0
                    && let Some(handle) = ticking.get_value()
                {
                    handle.clear();
                    ticking.set_value(None);
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            Ok(handle) => ticking.set_value(Some(handle)),
            Err(error) => leptos::logging::warn!("cannot count the wait down: {error:?}"),
        }
    };
    if wait_left.get_untracked() > 0 {
        count_down();
    }
    on_cleanup(move || {
        if let Some(handle) = ticking.try_get_value().flatten() {
            handle.clear();
        }
    });
    focus_when_shown(secret);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(input) = secret.get_untracked() else {
            return;
        };
        busy.set(true);
        failure.set(None);
        // Let "Unlocking…" paint before the key derivation takes the thread.
        set_timeout(
            move || {
                let typed = input.value();
                leptos::task::spawn_local(async move {
                    match lock.unlock(&typed).await {
                        Ok(()) => {
                            input.set_value("");
                            crate::app::focus_main();
                        }
                        Err(error) => {
                            if let UnlockFailure::Wrong { wait_ms, .. }
                            | UnlockFailure::Wait { wait_ms } = error
                            {
                                wait_left.set(wait_ms);
                                if wait_ms > 0 {
                                    count_down();
                                }
                            }
                            input.set_value("");
                            failure.set(Some(error));
                            if let Err(error) = input.focus() {
                                leptos::logging::warn!("cannot focus the lock's field: {error:?}");
                            }
                        }
                    }
                    busy.set(false);
                });
            },
            std::time::Duration::ZERO,
        );
    };
    let error = move || {
        let messages = i18n.lock();
        let left = wait_left.get();
        let waiting = (left > 0).then(|| {
            fill(
                messages.lock_wait(),
                &[("time", &minutes_and_seconds(left))],
            )
        });
        match failure.get() {
            None => waiting,
            Some(UnlockFailure::Wrong { .. }) => Some(match waiting {
                Some(waiting) => format!("{} {waiting}", messages.lock_wrong()),
                None => messages.lock_wrong().to_owned(),
            }),
            Some(UnlockFailure::Wait { .. }) => waiting,
            Some(UnlockFailure::Storage(error)) => {
                Some(storage_error_message(i18n.messages(), &error).to_owned())
            }
            Some(UnlockFailure::Damaged) => Some(messages.lock_damaged().to_owned()),
        }
    };
    let has_error = move || failure.with(Option::is_some) || wait_left.get() > 0;
    view! {
        <form class="form" data-testid="lock-unlock" on:submit=submit>
            <div class="field">
                <label for="lock-unlock-secret">{move || i18n.lock().lock_secret_label()}</label>
                <input id="lock-unlock-secret" type="password" autocomplete="current-password" required
                    node_ref=secret aria-invalid=move || has_error().then_some("true")
                    aria-describedby="lock-unlock-error" />
            </div>
            <p id="lock-unlock-error" class="notice notice--warning" role="alert" data-testid="lock-unlock-error"
                hidden=move || !has_error()>
                {error}
            </p>
            <div class="actions">
                <button type="submit" class="button button--primary"
                    disabled=move || { busy.get() || wait_left.get() > 0 }>
                    {move || if busy.get() { i18n.lock().lock_unlocking() } else { i18n.lock().lock_unlock_submit() }}
                </button>
            </div>
        </form>
    }
}

/// "Forgot PIN?": what a new lock deletes, counted now, then the new secret.
#[component]
fn ResetLock(lock: AppLock, on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let loss = RwSignal::new(None::<ResetLoss>);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<SetUpProblem>);
    leptos::task::spawn_local(async move {
        let counted = match app_database().await {
            Ok(database) => reset_loss(&database).await,
            Err(error) => Err(error),
        };
        match counted {
            Ok(counted) => loss.set(Some(counted)),
            Err(error) => problem.set(Some(SetUpProblem::Failed(SetUpError::Storage(error)))),
        }
    });
    let on_secret = Callback::new(move |(secret, auto_lock): (LockSecret, AutoLock)| {
        busy.set(true);
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    if let Err(error) = lock.reset(&secret, auto_lock).await {
                        problem.set(Some(SetUpProblem::Failed(error)));
                    }
                    busy.set(false);
                });
            },
            std::time::Duration::ZERO,
        );
    });
    let items = move || {
        let messages = i18n.lock();
        loss.get().map(|loss| {
            let mut lines: Vec<String> = Vec::new();
            for (count, message) in [
                (loss.drafts, &messages.lock_reset_drafts()),
                (loss.unsealed, &messages.lock_reset_unsealed()),
                (loss.queued_copies, &messages.lock_reset_queued()),
                (loss.receipts, &messages.lock_reset_receipts()),
            ] {
                if count > 0 {
                    lines.push(message.format(count as u64));
                }
            }
            if loss.start_form {
                lines.push(messages.lock_reset_start_form().to_owned());
            }
            if lines.is_empty() {
                view! { <p data-testid="lock-reset-nothing">{messages.lock_reset_nothing()}</p> }
                    .into_any()
            } else {
                view! {
                    <p>{messages.lock_reset_intro()}</p>
                    <ul data-testid="lock-reset-loss">
                        {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="app-lock" aria-labelledby="lock-heading">
            <h1 id="lock-heading">{move || i18n.lock().lock_reset_heading()}</h1>
            {items}
            <p>{move || i18n.lock().lock_reset_kept()}</p>
            <Show when=move || loss.with(Option::is_some)>
                <NewSecretForm submit_label=|m| m.lock_reset_confirm() on_secret busy problem
                    initial_auto_lock=lock.auto_lock() />
            </Show>
            <p>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {move || i18n.lock().lock_cancel()}
                </button>
            </p>
        </section>
    }
}

/// The auto-lock choice on the Observe page, kept as soon as it changes.
#[component]
pub fn AutoLockSetting() -> impl IntoView {
    let i18n = use_i18n();
    let Some(lock) = use_app_lock() else {
        return ().into_any();
    };
    let chosen = RwSignal::new(lock.auto_lock());
    let saved = RwSignal::new(None::<Result<(), crate::storage::StorageError>>);
    Effect::new(move |previous: Option<AutoLock>| {
        let choice = chosen.get();
        if previous.is_some_and(|previous| previous != choice) {
            leptos::task::spawn_local(async move {
                saved.set(Some(lock.choose_auto_lock(choice).await));
            });
        }
        choice
    });
    // Opened from Settings (`#lock-setting`): shown and focused once it is on the page.
    request_animation_frame(|| {
        if window().location().hash().ok().as_deref() == Some("#lock-setting") {
            reveal("lock-setting", "lock-setting-heading");
        }
    });
    view! {
        <section id="lock-setting" class="app-lock-setting" aria-labelledby="lock-setting-heading">
            <h2 id="lock-setting-heading" tabindex="-1">{move || i18n.lock().lock_set_up_heading()}</h2>
            <AutoLockSelect chosen />
            <ScreenLockSetting lock />
            <p role="status">
                {move || match saved.get() {
                    Some(Ok(())) => i18n.lock().lock_auto_saved(),
                    Some(Err(error)) => storage_error_message(i18n.messages(), &error),
                    None => "",
                }}
            </p>
        </section>
    }
    .into_any()
}

/// What the screen lock's failure means for the person.
fn screen_lock_message(i18n: I18n, failure: &ScreenLockFailure) -> &'static str {
    let messages = i18n.lock();
    match failure {
        ScreenLockFailure::Authenticator(
            ScreenLockError::NotAllowed | ScreenLockError::Other(_),
        ) => messages.lock_screen_not_allowed(),
        ScreenLockFailure::Authenticator(ScreenLockError::Unsupported) => {
            messages.lock_screen_unsupported()
        }
        ScreenLockFailure::Storage(error) => storage_error_message(i18n.messages(), error),
        ScreenLockFailure::Damaged => messages.lock_screen_damaged(),
    }
}

/// Keeps `result`'s failure for the screen, written to the log once.
fn failed(result: Result<(), ScreenLockFailure>) -> Option<ScreenLockFailure> {
    let failure = result.err()?;
    leptos::logging::warn!("the screen lock did not work: {failure:?}");
    Some(failure)
}

/// Why the screen lock did not work, announced; hidden while there is nothing to say.
#[component]
fn ScreenLockProblem(failure: RwSignal<Option<ScreenLockFailure>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="notice notice--warning" role="alert" data-testid="screen-lock-error"
            hidden=move || failure.with(Option::is_none)>
            {move || failure.with(|failure| failure.as_ref().map(|failure| screen_lock_message(i18n, failure)))}
        </p>
    }
}

/// On the unlock screen, when the screen lock is on: unlock with it (the phone asks), the PIN
/// form below stays the fallback.
#[component]
fn ScreenLockUnlock(lock: AppLock) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ScreenLockFailure>);
    let unlock = move |_| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = lock.unlock_with_screen_lock().await;
            busy.set(false);
            if result.is_ok() {
                crate::app::focus_main();
            }
            failure.set(failed(result));
        });
    };
    view! {
        <div class="actions">
            <button type="button" class="button button--primary" data-testid="screen-lock-unlock"
                on:click=unlock disabled=move || busy.get()>
                {move || if busy.get() { i18n.lock().lock_screen_working() } else { i18n.lock().lock_screen_unlock() }}
            </button>
        </div>
        <ScreenLockProblem failure />
        <p>{move || i18n.lock().lock_screen_or()}</p>
    }
}

/// In the lock's setting: the phone's screen lock as a faster unlock, offered where the phone
/// has a platform authenticator that verifies its user; on (the phone asks for it once) or off.
#[component]
fn ScreenLockSetting(lock: AppLock) -> impl IntoView {
    let i18n = use_i18n();
    let available = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ScreenLockFailure>);
    leptos::task::spawn_local(async move { available.set(webauthn::available().await) });
    let turn_on = move |_| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = lock.turn_on_screen_lock(i18n.messages().app_name()).await;
            busy.set(false);
            failure.set(failed(result));
        });
    };
    let turn_off = move |_| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = lock
                .turn_off_screen_lock()
                .await
                .map_err(ScreenLockFailure::Storage);
            busy.set(false);
            failure.set(failed(result));
        });
    };
    view! {
        <Show when=move || available.get() || lock.screen_lock_on()>
            <div class="field" data-testid="screen-lock-setting">
                <h3>{move || i18n.lock().lock_screen_heading()}</h3>
                <p class="hint">{move || i18n.lock().lock_screen_hint()}</p>
                <p role="status" data-testid="screen-lock-state">
                    {move || if lock.screen_lock_on() { i18n.lock().lock_screen_on() } else { i18n.lock().lock_screen_off() }}
                </p>
                <Show
                    when=move || lock.screen_lock_on()
                    fallback=move || view! {
                        <button type="button" class="button" data-testid="screen-lock-turn-on"
                            on:click=turn_on disabled=move || busy.get()>
                            {move || if busy.get() { i18n.lock().lock_screen_working() } else { i18n.lock().lock_screen_turn_on() }}
                        </button>
                    }
                >
                    <button type="button" class="button" data-testid="screen-lock-turn-off"
                        on:click=turn_off disabled=move || busy.get()>
                        {move || i18n.lock().lock_screen_turn_off()}
                    </button>
                </Show>
                <ScreenLockProblem failure />
            </div>
        </Show>
    }
}
