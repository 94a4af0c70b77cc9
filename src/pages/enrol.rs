//! `/enrol#<code>.<pin>`: a staff member enrols their phone with the link their school's
//! protection team gave them. The link carries, besides the code, the hash of the team key
//! chain's version the team member's device verified (the pin); a link without a valid pin
//! (made before key chains, or cut short) is refused before anything is sent. The link is then
//! checked with the server (`components::checked_link`): an expired, withdrawn or unknown link
//! is refused before the phone is asked to enrol.
//!
//! Enrolling sends the label the phone gives itself (its system and browser, "Android ·
//! Chrome", `prepoznaj_domain::device_label`), which its team sees in the list of devices, and
//! gets a device token and the team's key chain. The phone enrols only if the chain
//! verifies from version 1 and one of its versions has the link's hash
//! (`prepoznaj_envelope::chain::verify_chain_from_hash`): then it pins the chain's last
//! version, shows the school and that version's keys, and seals every observation finished
//! while it was not enrolled to those keys, never to anything else the server listed. If the
//! chain does not verify, nothing is stored or sealed (the server has registered a device all
//! the same; it is never used) and the person is told to tell their team.
//!
//! A phone enrolled with another school asks first ("This phone sends to … Switch to …?"),
//! with both key fingerprints and what becomes of the observations still waiting: the new
//! school's answer is kept in memory only, and nothing is stored or sealed for it before the
//! person confirms.

use leptos::prelude::*;
use prepoznaj_domain::device_label::device_label;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    DeviceEnrolment, DeviceEnrolmentRequest, ENROL_PATH, LinkKind, Secret, Sha256Digest,
    parse_enrolment_fragment,
};
use prepoznaj_envelope::chain::verify_chain_from_hash;
use prepoznaj_envelope::digest::key_set_fingerprint;

use crate::address::{clear_fragment, current_fragment};
use crate::clock::now;
use crate::components::api_error::{api_error_message, is_worth_retrying};
use crate::components::checked_link::CheckedLink;
use crate::components::key_set_view::KeySetView;
use crate::components::storage_error::storage_error_message;
use crate::i18n::{use_i18n, use_title};
use crate::pwa::user_agent;
use crate::sealing::{
    SealingError, reseal_every_queued, reseal_queued, seal_waiting, waiting_for_unlock,
};
use crate::storage::enrolment::{self, Enrolment};
use crate::storage::{Database, StorageError, app_database, outbox};
use crate::sync::api::ApiCallError;
use crate::sync::client;
use crate::sync::sender::{Trigger, use_sender};

#[derive(Debug, Clone, PartialEq)]
enum State {
    Loading,
    NoCode,
    /// The link has no valid pin: nothing is sent.
    OldLink,
    Ready,
    Enrolling,
    /// Enrolled with another school: the new school's verified answer waits for a choice.
    Switch(Box<Switch>),
    /// Enrolled just now (`sealed`: what happened to the observations that were waiting), or
    /// before (`None`).
    Enrolled {
        enrolment: Box<Enrolment>,
        sealed: Option<Sealed>,
    },
    /// The person kept the school the phone already sends to.
    Kept(Box<Enrolment>),
    Failed(Failure),
}

/// The question before a phone changes school.
#[derive(Debug, Clone, PartialEq)]
struct Switch {
    current: Enrolment,
    /// Verified, not stored: dropped on "Keep".
    new: Enrolment,
    /// Sealed observations not yet sent to the current school.
    waiting: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Api(ApiCallError),
    Storage(StorageError),
    Sealing,
    /// The server's keys do not verify from the link's pin: not enrolled.
    KeysMismatch,
}

impl From<StorageError> for Failure {
    fn from(error: StorageError) -> Self {
        Failure::Storage(error)
    }
}

impl From<SealingError> for Failure {
    fn from(error: SealingError) -> Self {
        match error {
            SealingError::Storage(error) => Failure::Storage(error),
            SealingError::Seal(message) => {
                leptos::logging::error!("cannot seal waiting observations: {message}");
                Failure::Sealing
            }
        }
    }
}

/// What enrolling came to.
/// What enrolling did with the observations that waited on this phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sealed {
    /// Sealed to the team now (written before the app lock, so this page could read them).
    now: usize,
    /// Sealed with the app lock's key: they are sealed to the team at the next unlock.
    at_unlock: usize,
}

enum Enrolled {
    Done(Box<Enrolment>, Sealed),
    AskFirst(Box<Switch>),
}

/// The enrolment screen.
#[component]
pub fn EnrolPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().enrol_title());
    let state = RwSignal::new(State::Loading);
    let fragment = current_fragment();
    let link = parse_enrolment_fragment(&fragment);
    let has_fragment = !fragment.is_empty();
    let valid_link = link.is_some();
    leptos::task::spawn_local(async move {
        let existing = match app_database().await {
            Ok(database) => enrolment::load(&database).await,
            Err(error) => Err(error),
        };
        state.set(match existing {
            Err(error) => State::Failed(Failure::Storage(error)),
            _ if has_fragment && !valid_link => State::OldLink,
            // A new link on an enrolled phone enrols it again (after the team revoked it, say):
            // the new token replaces the old one and what waits is sent with it.
            Ok(Some(enrolment)) if !has_fragment => State::Enrolled {
                enrolment: Box::new(enrolment),
                sealed: None,
            },
            Ok(None) if !has_fragment => State::NoCode,
            Ok(_) => State::Ready,
        });
    });
    let link = StoredValue::new(link);
    let sender = use_sender();
    let enrolled = move |enrolment: Enrolment, sealed: Sealed| {
        clear_fragment(ENROL_PATH);
        // What was waiting for the enrolment goes now.
        if let Some(sender) = sender {
            sender.request(Trigger::Look);
        }
        State::Enrolled {
            enrolment: Box::new(enrolment),
            sealed: Some(sealed),
        }
    };
    let enrol = move |_| {
        let Some((code, pin)) = link.get_value() else {
            state.set(State::OldLink);
            return;
        };
        state.set(State::Enrolling);
        leptos::task::spawn_local(async move {
            state.set(match enrol_this_phone(code, pin).await {
                Ok(Enrolled::Done(enrolment, sealed)) => enrolled(*enrolment, sealed),
                Ok(Enrolled::AskFirst(switch)) => State::Switch(switch),
                Err(failure) => State::Failed(failure),
            });
        });
    };
    let confirm_switch = Callback::new(move |new: Enrolment| {
        state.set(State::Enrolling);
        leptos::task::spawn_local(async move {
            let adopted = async {
                let database = app_database().await?;
                adopt(&database, &new, true).await
            };
            state.set(match adopted.await {
                Ok(sealed) => enrolled(new, sealed),
                Err(failure) => State::Failed(failure),
            });
        });
    });
    let keep = Callback::new(move |current: Enrolment| {
        clear_fragment(ENROL_PATH);
        state.set(State::Kept(Box::new(current)));
    });
    let code = link
        .get_value()
        .map(|(code, _)| code.expose().to_owned())
        .unwrap_or_default();
    view! {
        <h1>{move || i18n.team().enrol_title()}</h1>
        {move || match state.get() {
            State::Loading => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            State::NoCode => view! { <p class="notice" role="status">{move || i18n.team().enrol_no_code()}</p> }.into_any(),
            State::OldLink => view! {
                <p class="notice notice--warning" role="alert" data-testid="enrol-error">
                    {move || i18n.team().enrol_old_link()}
                </p>
            }.into_any(),
            State::Ready => view! {
                <CheckedLink kind=LinkKind::Enrolment code=code.clone()>
                    <p>{move || i18n.team().enrol_intro()}</p>
                    <div class="actions">
                        <button type="button" class="button button--primary" on:click=enrol>
                            {move || i18n.team().enrol_button()}
                        </button>
                    </div>
                </CheckedLink>
            }.into_any(),
            State::Enrolling => view! { <p class="notice" role="status">{move || i18n.team().enrol_working()}</p> }.into_any(),
            State::Switch(switch) => view! {
                <SwitchQuestion switch=*switch on_switch=confirm_switch on_keep=keep />
            }.into_any(),
            State::Enrolled { enrolment, sealed } => {
                let school = enrolment.school.name.to_string();
                view! {
                    <p class="notice" role="status" data-testid="enrolled">
                        {move || {
                            let message = if sealed.is_some() { i18n.team().enrol_done() } else { i18n.team().enrol_already() };
                            fill(message, &[("school", &school)])
                        }}
                    </p>
                    {sealed.map(|sealed| sealed.now).filter(|count| *count > 0).map(|count| view! {
                        <p data-testid="sealed-waiting">
                            {move || fill(i18n.team().enrol_sealed_waiting(), &[("count", &count.to_string())])}
                        </p>
                    })}
                    {sealed.map(|sealed| sealed.at_unlock).filter(|count| *count > 0).map(|count| view! {
                        <p class="notice" role="status" data-testid="waiting-unlock">
                            {move || fill(i18n.team().enrol_waiting_unlock(), &[("count", &count.to_string())])}
                        </p>
                    })}
                    <KeySetView key_set=enrolment.key_set.clone() />
                }.into_any()
            }
            State::Kept(current) => {
                let school = current.school.name.to_string();
                view! {
                    <p class="notice" role="status" data-testid="enrol-kept">
                        {move || fill(i18n.team().enrol_kept(), &[("school", &school)])}
                    </p>
                    <KeySetView key_set=current.key_set.clone() />
                }.into_any()
            }
            State::Failed(failure) => {
                let retry = matches!(&failure, Failure::Api(error) if is_worth_retrying(error));
                let message = move || match &failure {
                    Failure::Api(error) => api_error_message(i18n.team(), error),
                    Failure::Storage(error) => storage_error_message(i18n.messages(), error),
                    Failure::Sealing => i18n.team().finish_seal_failed(),
                    Failure::KeysMismatch => i18n.team().enrol_keys_mismatch(),
                };
                view! {
                    <p class="notice notice--warning" role="alert" data-testid="enrol-error">{message}</p>
                    <Show when=move || retry>
                        <button type="button" class="button button--primary" on:click=enrol>
                            {move || i18n.team().enrol_button()}
                        </button>
                    </Show>
                }.into_any()
            }
        }}
    }
}

/// "This phone sends to … Switch to …?", with both schools' key fingerprints (computed here
/// from the verified keys) and what becomes of the observations still waiting.
#[component]
fn SwitchQuestion(
    switch: Switch,
    on_switch: Callback<Enrolment>,
    on_keep: Callback<Enrolment>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Switch {
        current,
        new,
        waiting,
    } = switch;
    let current_school = current.school.name.to_string();
    let new_school = new.school.name.to_string();
    let current_fingerprint = key_set_fingerprint(&current.key_set).to_string();
    let new_fingerprint = key_set_fingerprint(&new.key_set).to_string();
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move || {
        if let Some(heading) = heading.get()
            && let Err(error) = heading.focus()
        {
            leptos::logging::warn!("cannot move the focus to the question: {error:?}");
        }
    });
    let question = {
        let (current_school, new_school) = (current_school.clone(), new_school.clone());
        move || {
            fill(
                i18n.team().enrol_switch_question(),
                &[("current", &current_school), ("new", &new_school)],
            )
        }
    };
    let keys_of = |school: String, fingerprint: String, test_id: &'static str| {
        view! {
            <p>
                {move || fill(i18n.team().enrol_switch_keys(), &[("school", &school)])}
                <br />
                <code class="fingerprint fingerprint--large" data-testid=test_id>{fingerprint}</code>
            </p>
        }
    };
    let waiting_note = (waiting > 0).then(|| {
        let (current_school, new_school) = (current_school.clone(), new_school.clone());
        view! {
            <p data-testid="enrol-switch-waiting">
                {move || fill(
                    i18n.team().enrol_switch_waiting(),
                    &[("count", &waiting.to_string()), ("current", &current_school), ("new", &new_school)],
                )}
            </p>
        }
    });
    let switch_label = {
        let new_school = new_school.clone();
        move || {
            fill(
                i18n.team().enrol_switch_button(),
                &[("school", &new_school)],
            )
        }
    };
    let keep_label = {
        let current_school = current_school.clone();
        move || {
            fill(
                i18n.team().enrol_keep_button(),
                &[("school", &current_school)],
            )
        }
    };
    let current = StoredValue::new(current);
    let new = StoredValue::new(new);
    view! {
        <section class="card" aria-labelledby="enrol-switch-heading" data-testid="enrol-switch">
            <h2 id="enrol-switch-heading" tabindex="-1" node_ref=heading>{question}</h2>
            {keys_of(current_school, current_fingerprint, "enrol-switch-current-fingerprint")}
            {keys_of(new_school, new_fingerprint, "enrol-switch-new-fingerprint")}
            {waiting_note}
            <div class="actions">
                <button type="button" class="button button--primary"
                    on:click=move |_| on_switch.run(new.get_value())>
                    {switch_label}
                </button>
                <button type="button" class="button"
                    on:click=move |_| on_keep.run(current.get_value())>
                    {keep_label}
                </button>
            </div>
        </section>
    }
}

/// Enrols with `code` and verifies the answer's chain from `pin`. On this phone's first
/// enrolment, or again with the same school, stores it and seals what waits; with another
/// school, returns the question to ask first (nothing stored).
async fn enrol_this_phone(code: Secret, pin: Sha256Digest) -> Result<Enrolled, Failure> {
    let database = app_database().await?;
    let answer: DeviceEnrolment = client::enrol_device(&DeviceEnrolmentRequest {
        enrolment_code: code,
        // "Android · Chrome": how the team tells its phones apart, nothing about the person.
        name: device_label(&user_agent()),
    })
    .await
    .map_err(|error| match error {
        // An answer that cannot be read carries no keys this phone could verify.
        ApiCallError::Server { status } if (200..300).contains(&status) => Failure::KeysMismatch,
        error => Failure::Api(error),
    })?;
    let head = verify_chain_from_hash(&pin, &answer.chain).map_err(|error| {
        leptos::logging::warn!("the enrolment's keys do not verify from the link: {error}");
        Failure::KeysMismatch
    })?;
    if head.school() != &answer.school.id {
        leptos::logging::warn!("the enrolment's keys are another school's");
        return Err(Failure::KeysMismatch);
    }
    let new = Enrolment::pinned_to(
        answer.device_id,
        answer.device_token,
        answer.school,
        &head,
        now(),
    );
    if let Some(current) = enrolment::load(&database).await?
        && current.school.id != new.school.id
    {
        let waiting = outbox::list(&database).await?.len();
        return Ok(Enrolled::AskFirst(Box::new(Switch {
            current,
            new,
            waiting,
        })));
    }
    let sealed = adopt(&database, &new, false).await?;
    Ok(Enrolled::Done(Box::new(new), sealed))
}

/// Stores `enrolment` (replacing any other), seals what was queued for other keys again to its
/// keys (every queued report when it is `another_school`'s) and seals what waited for an
/// enrolment. This page never holds the app lock's key: what is sealed with it waits for the
/// next unlock on the observation screens, and the answer says how many.
async fn adopt(
    database: &Database,
    enrolment: &Enrolment,
    another_school: bool,
) -> Result<Sealed, Failure> {
    if another_school {
        // Held first: a sender that reads the new enrolment finds nothing it may send until
        // each envelope is sealed for the new school.
        outbox::hold_all(database).await?;
    }
    enrolment::save(database, enrolment).await?;
    if another_school {
        reseal_every_queued(database, None, enrolment).await?;
    } else {
        reseal_queued(database, None, enrolment).await?;
    }
    let now = seal_waiting(database, None, enrolment).await?;
    let at_unlock = waiting_for_unlock(database).await?;
    Ok(Sealed { now, at_unlock })
}
