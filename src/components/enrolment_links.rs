//! The school's staff enrolment links as a team member sees them on their team page
//! (`client::team_enrolment_links`): for each, when it was made, until when it works, whether
//! it still enrols phones (or expired, was withdrawn, or is full), and how many phones enrolled
//! with it out of how many it may enrol; "Withdraw link" after a confirmation (signed on this
//! device; `client::revoke_enrolment_link`). A link's code is never listed: the server
//! shows it only to the member who makes the link, once.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{EnrolmentLink, TeamEnrolmentLink};

use crate::clock::{format_time, now};
use crate::components::api_error::api_error_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::team_devices::{Listing, keep_loaded, listing_notice};
use crate::i18n::use_i18n;
use crate::pages::team::{signer_of, use_team};
use crate::sync::api::ApiCallError;
use crate::sync::client;

/// "Enrolment links": the school's links, newest first, reloaded whenever the team's lists
/// change (a link made or withdrawn here or by the maker above).
#[component]
pub fn EnrolmentLinks() -> impl IntoView {
    let i18n = use_i18n();
    let team = use_team();
    let listing = RwSignal::new(Listing::<TeamEnrolmentLink>::Loading);
    let confirming = RwSignal::new(None::<EnrolmentLink>);
    let failed = RwSignal::new(None::<ApiCallError>);
    let withdrawn = RwSignal::new(false);
    let busy = RwSignal::new(false);
    keep_loaded(listing, |token| async move {
        client::team_enrolment_links(&token)
            .await
            .map(|listed| listed.links)
    });
    let withdraw = move |link: EnrolmentLink| {
        confirming.set(None);
        team.with_signer(move |key, member| {
            let link = link.clone();
            busy.set(true);
            failed.set(None);
            withdrawn.set(false);
            leptos::task::spawn_local(async move {
                let answer = client::revoke_enrolment_link(
                    &member.token,
                    signer_of(&key, &member),
                    &link.id,
                )
                .await;
                match answer {
                    Ok(_) => withdrawn.set(true),
                    Err(error) => failed.set(Some(error)),
                }
                busy.set(false);
                team.lists_changed.update(|changes| *changes += 1);
            });
        });
    };
    let items = move || {
        listing.with(|listing| match listing {
            Listing::Loaded(links) if links.is_empty() => Some(
                view! { <p data-testid="links-empty">{move || i18n.team().links_empty}</p> }
                    .into_any(),
            ),
            Listing::Loaded(links) => Some(
                view! {
                    <ul class="team-list" data-testid="enrolment-links">
                        {links.iter().map(|listed| view! { <LinkItem listed=listed.clone() busy confirming /> }).collect_view()}
                    </ul>
                }
                .into_any(),
            ),
            _ => None,
        })
    };
    view! {
        <section class="card" aria-labelledby="links-heading" data-testid="links-section">
            <h2 id="links-heading">{move || i18n.team().links_heading}</h2>
            {move || listing.with(|listing| listing_notice(i18n, listing, |i18n| i18n.team().links_loading))}
            {items}
            {move || confirming.get().map(|link| {
                let made = format_time(link.created_at, i18n.locale().is_serbian());
                let question = fill(i18n.team().link_revoke_question, &[("date", &made)]);
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().link_revoke_label
                        question
                        confirm=move || i18n.team().link_revoke_confirm
                        danger=true
                        on_confirm=move |()| withdraw(link.clone())
                        on_cancel=move |()| confirming.set(None)
                    />
                }
            })}
            {move || withdrawn.get().then(|| view! {
                <p class="notice" role="status" data-testid="listed-link-revoked">{move || i18n.team().link_revoked}</p>
            })}
            {move || failed.get().map(|error| view! {
                <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
            })}
        </section>
    }
}

/// One link: when it was made, until when it works, its state, its phones, and "Withdraw
/// link" while it still could enrol a phone.
#[component]
fn LinkItem(
    listed: TeamEnrolmentLink,
    busy: RwSignal<bool>,
    confirming: RwSignal<Option<EnrolmentLink>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let link = listed.link;
    let heading = format!("link-{}", link.id);
    let serbian = move || i18n.locale().is_serbian();
    let (created_at, expires_at, revoked_at) = (link.created_at, link.expires_at, link.revoked_at);
    let devices = listed.devices_enrolled.to_string();
    let max = link.max_devices.devices().to_string();
    let expired = now() >= expires_at;
    let full = listed.devices_enrolled >= u64::from(link.max_devices.devices());
    let status = move || match revoked_at {
        Some(at) => fill(
            i18n.team().link_status_revoked,
            &[("date", &format_time(at, serbian()))],
        ),
        None if expired => i18n.team().link_status_expired.to_owned(),
        None if full => i18n.team().link_status_full.to_owned(),
        None => i18n.team().link_status_active.to_owned(),
    };
    let action = (revoked_at.is_none() && !expired).then(|| {
        let heading = heading.clone();
        view! {
            <div class="actions">
                <button
                    type="button"
                    class="button button--danger"
                    aria-describedby=heading
                    disabled=move || busy.get()
                    on:click=move |_| confirming.set(Some(link.clone()))
                >
                    {move || i18n.team().link_revoke_listed}
                </button>
            </div>
        }
    });
    view! {
        <li data-testid="listed-link">
            <h3 id=heading.clone()>
                {move || fill(i18n.team().link_made_on, &[("date", &format_time(created_at, serbian()))])}
            </h3>
            <dl class="team-list__facts">
                <dt>{move || i18n.team().link_valid_until}</dt>
                <dd>{move || format_time(expires_at, serbian())}</dd>
                <dt>{move || i18n.team().link_status}</dt>
                <dd data-testid="link-status">{status}</dd>
                <dt>{move || i18n.team().link_devices}</dt>
                <dd data-testid="link-devices">
                    {move || fill(i18n.team().link_devices_of, &[("count", &devices), ("max", &max)])}
                </dd>
            </dl>
            {action}
        </li>
    }
}
