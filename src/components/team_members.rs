//! The team's members as a member sees them on their team page: the key set's version and
//! fingerprint, each member's name, key fingerprint (computed here from the key, never taken
//! from the server's answer) and the date they were added; for every other member "Remove"
//! (after a confirmation saying what it changes; never for the last member) and a new set-up
//! link for a member who lost their device.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    ErrorCode, KeySet, Secret, TEAM_SETUP_PATH, TeamMember, TeamMemberId, TeamMemberRemoved,
    TeamMemberSetupCode, link,
};
use prepoznaj_envelope::digest::{key_fingerprint, key_set_fingerprint};

use crate::clock::format_time;
use crate::components::api_error::api_error_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::share_link::{ShareLink, app_origin};
use crate::i18n::{I18n, use_i18n};
use crate::sync::api::ApiCallError;
use crate::sync::client;

/// What the last action on a member gave.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Removed(String),
    NewSetupLink(TeamMemberSetupCode),
    Failed(ApiCallError),
}

/// The members list. `you` is this device's member; `on_changed` gets the key set after a
/// removal.
#[component]
pub fn TeamMembers(
    key_set: Signal<KeySet>,
    you: TeamMemberId,
    token: Secret,
    #[prop(into)] on_changed: Callback<KeySet>,
) -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(token);
    let you = StoredValue::new(you);
    let confirming = RwSignal::new(None::<TeamMember>);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let remove = move |member: TeamMember| {
        confirming.set(None);
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let answer: Result<TeamMemberRemoved, _> =
                client::remove_member(&token.get_value(), &member.id).await;
            outcome.set(Some(match answer {
                Ok(removed) => {
                    on_changed.run(removed.key_set);
                    Outcome::Removed(member.display_name.to_string())
                }
                Err(error) => Outcome::Failed(error),
            }));
            busy.set(false);
        });
    };
    let renew = move |member: TeamMember| {
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let answer = client::renew_setup_code(&token.get_value(), &member.id).await;
            outcome.set(Some(match answer {
                Ok(renewed) => Outcome::NewSetupLink(renewed),
                Err(error) => Outcome::Failed(error),
            }));
            busy.set(false);
        });
    };
    let members = move || {
        key_set.with(|key_set| {
            let removable = key_set.keys.len() > 1;
            key_set
                .keys
                .iter()
                .map(|member| {
                    let is_you = you.with_value(|you| you == &member.id);
                    view! { <MemberItem member=member.clone() is_you removable busy renew confirming /> }
                })
                .collect_view()
        })
    };
    let version = move || key_set.with(|key_set| key_set.version.to_string());
    let fingerprint = move || key_set.with(|key_set| key_set_fingerprint(key_set).to_string());
    view! {
        <section class="card key-set" aria-labelledby="members-heading">
            <h2 id="members-heading">{move || i18n.team().members_heading}</h2>
            <p data-testid="key-set-version">{move || fill(i18n.team().members_version, &[("version", &version())])}</p>
            <p>{move || i18n.team().key_set_fingerprint} ":"</p>
            <p>
                <code class="fingerprint fingerprint--large" data-testid="key-set-fingerprint">{fingerprint}</code>
            </p>
            <p class="hint">{move || i18n.team().key_set_hint}</p>
            <ul class="key-set__members" data-testid="members">{members}</ul>
            {move || confirming.get().map(|member| {
                let name = member.display_name.to_string();
                let question = fill(i18n.team().member_remove_question, &[("name", &name)]);
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().member_remove_label
                        question
                        confirm=move || i18n.team().member_remove_confirm
                        danger=true
                        on_confirm=move |()| remove(member.clone())
                        on_cancel=move |()| confirming.set(None)
                    />
                }
            })}
            {move || outcome.get().map(|outcome| outcome_view(i18n, outcome))}
        </section>
    }
}

/// One member with their fingerprint, date and (for others) actions.
#[component]
fn MemberItem(
    member: TeamMember,
    is_you: bool,
    removable: bool,
    busy: RwSignal<bool>,
    renew: impl Fn(TeamMember) + Copy + Send + Sync + 'static,
    confirming: RwSignal<Option<TeamMember>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = member.display_name.to_string();
    let fingerprint = key_fingerprint(&member.public_key).to_string();
    let added = member.added_at;
    let actions = (!is_you).then(|| {
        let for_renew = member.clone();
        let for_remove = member.clone();
        let name_renew = name.clone();
        let name_remove = name.clone();
        view! {
            <div class="actions">
                <button type="button" class="button" disabled=move || busy.get() on:click=move |_| renew(for_renew.clone())>
                    {move || fill(i18n.team().member_renew, &[("name", &name_renew)])}
                </button>
                {removable.then(|| view! {
                    <button
                        type="button"
                        class="button button--danger"
                        disabled=move || busy.get()
                        on:click=move |_| confirming.set(Some(for_remove.clone()))
                    >
                        {move || fill(i18n.team().member_remove, &[("name", &name_remove)])}
                    </button>
                })}
            </div>
        }
    });
    view! {
        <li data-testid="member">
            <span data-testid="member-name">{name}</span>
            {is_you.then(|| view! { " (" {move || i18n.team().team_you} ")" })}
            <br />
            <code class="fingerprint" data-testid="member-fingerprint">{fingerprint}</code>
            <br />
            <span class="hint">
                {move || fill(i18n.team().member_added_on, &[("date", &format_time(added, i18n.locale().is_serbian()))])}
            </span>
            {actions}
        </li>
    }
}

fn outcome_view(i18n: I18n, outcome: Outcome) -> AnyView {
    match outcome {
        Outcome::Removed(name) => view! {
            <p class="notice" role="status" data-testid="member-removed">
                {move || fill(i18n.team().member_removed, &[("name", &name)])}
            </p>
        }
        .into_any(),
        Outcome::Failed(error) => {
            let message = move || match &error {
                ApiCallError::Refused {
                    code: ErrorCode::LastTeamMember,
                    ..
                } => i18n.team().member_last,
                error => api_error_message(i18n.team(), error),
            };
            view! { <p class="notice notice--warning" role="alert" data-testid="member-error">{message}</p> }
                .into_any()
        }
        Outcome::NewSetupLink(renewed) => {
            let name = renewed.member.display_name.to_string();
            let heading_name = name.clone();
            let href = link(&app_origin(), TEAM_SETUP_PATH, &renewed.setup_code);
            let expires = renewed.setup_expires_at;
            view! {
                <div class="card" role="group" aria-labelledby="renewed-heading">
                    <h3 id="renewed-heading">{move || fill(i18n.team().member_renew_heading, &[("name", &heading_name)])}</h3>
                    <p>
                        {move || fill(
                            i18n.team().member_renew_created,
                            &[("name", &name), ("date", &format_time(expires, i18n.locale().is_serbian()))],
                        )}
                    </p>
                    <ShareLink
                        text=href
                        label=|m| m.member_setup_link_label
                        qr_label=|m| m.member_setup_link_qr
                        copy=|m| m.link_copy
                        testid="renewed-setup-link"
                    />
                </div>
            }
            .into_any()
        }
    }
}
