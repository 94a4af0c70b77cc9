//! The school's staff phones as a team member sees them on their team page
//! (`client::team_devices`): for each, the name it gave itself when it enrolled ("Android ·
//! Chrome"), when it enrolled, when it last reached the server (noted at most once an hour),
//! how many reports it sent, and, until it is revoked, "Withdraw access" after a confirmation
//! saying what that does (signed on this device; `client::revoke_device`). A phone whose
//! access was withdrawn stays listed with the date, so the team sees what it did. Nothing here
//! names a person or a child: the server knows neither.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::TeamDevice;

use crate::clock::format_time;
use crate::components::api_error::api_error_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::team_list::{
    Listing, WithdrawButton, Withdrawal, keep_loaded, listing_items, listing_notice,
};
use crate::i18n::{I18n, use_i18n};
use crate::pages::team::signer_of;
use crate::sync::client;

/// The phone's name as the list shows it.
fn device_name(i18n: I18n, device: &TeamDevice) -> String {
    device.name.as_ref().map_or_else(
        || i18n.team().device_unnamed().to_owned(),
        ToString::to_string,
    )
}

/// "Staff phones": the school's phones, newest enrolment first, reloaded whenever the team's
/// lists change (`TeamContext::lists_changed`).
#[component]
pub fn TeamDevices() -> impl IntoView {
    let i18n = use_i18n();
    let listing = RwSignal::new(Listing::<TeamDevice>::Loading);
    // What became of the last withdrawal: the phone's name, or why it failed.
    let withdrawal = Withdrawal::<TeamDevice, String>::new();
    keep_loaded(listing, |token| async move {
        client::team_devices(&token)
            .await
            .map(|listed| listed.devices)
    });
    let withdraw = move |device: TeamDevice| {
        withdrawal.withdraw(device, move |key, member, device| async move {
            client::revoke_device(&member.token, signer_of(&key, &member), &device.id)
                .await
                .map(|_| device_name(i18n, &device))
        });
    };
    let items = move || {
        listing.with(|listing| {
            listing_items(
                i18n,
                listing,
                ("devices", "devices-empty"),
                |i18n| i18n.team().devices_empty(),
                |device| view! { <DeviceItem device=device.clone() withdrawal /> }.into_any(),
            )
        })
    };
    view! {
        <section class="card" aria-labelledby="devices-heading" data-testid="devices-section">
            <h2 id="devices-heading">{move || i18n.team().devices_heading()}</h2>
            <p class="hint">{move || i18n.team().devices_intro()}</p>
            {move || listing.with(|listing| listing_notice(i18n, listing, |i18n| i18n.team().devices_loading()))}
            {items}
            {move || withdrawal.confirming.get().map(|device| {
                let question = fill(i18n.team().device_revoke_question(), &[("name", &device_name(i18n, &device))]);
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().device_revoke_label()
                        question
                        confirm=move || i18n.team().device_revoke_confirm()
                        danger=true
                        on_confirm=move |()| withdraw(device.clone())
                        on_cancel=move |()| withdrawal.confirming.set(None)
                    />
                }
            })}
            {move || withdrawal.outcome.get().map(|outcome| match outcome {
                Ok(name) => view! {
                    <p class="notice" role="status" data-testid="device-revoked">
                        {move || fill(i18n.team().device_revoked(), &[("name", &name)])}
                    </p>
                }.into_any(),
                Err(error) => view! {
                    <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
                }.into_any(),
            })}
        </section>
    }
}

/// One phone: its name, facts, and "Withdraw access" until its access is withdrawn.
#[component]
fn DeviceItem(device: TeamDevice, withdrawal: Withdrawal<TeamDevice, String>) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("device-{}", device.id);
    let serbian = move || i18n.locale().is_serbian();
    let enrolled_at = device.enrolled_at;
    let last_seen_at = device.last_seen_at;
    let reports_sent = device.reports_sent.to_string();
    let name = {
        let device = device.clone();
        move || device_name(i18n, &device)
    };
    let state = match device.revoked_at {
        Some(revoked_at) => view! {
            <p class="notice" data-testid="device-revoked-on">
                {move || fill(i18n.team().device_revoked_on(), &[("date", &format_time(revoked_at, serbian()))])}
            </p>
        }
        .into_any(),
        None => view! {
            <WithdrawButton
                label=|i18n| i18n.team().device_revoke()
                describedby=heading.clone()
                busy=withdrawal.busy
                on_click=move || withdrawal.confirming.set(Some(device.clone()))
            />
        }
        .into_any(),
    };
    view! {
        <li data-testid="device">
            <h3 id=heading.clone() data-testid="device-name">{name}</h3>
            <dl class="team-list__facts">
                <dt>{move || i18n.team().device_enrolled_on()}</dt>
                <dd>{move || format_time(enrolled_at, serbian())}</dd>
                <dt>{move || i18n.team().device_last_seen()}</dt>
                <dd data-testid="device-last-seen">
                    {move || last_seen_at.map_or_else(|| i18n.team().device_never_seen().to_owned(), |at| format_time(at, serbian()))}
                </dd>
                <dt>{move || i18n.team().device_reports_sent()}</dt>
                <dd data-testid="device-reports-sent">{reports_sent}</dd>
            </dl>
            {state}
        </li>
    }
}
