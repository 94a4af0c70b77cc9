//! `school new-setup-link <school> [--member <id>]`: a new one-time set-up link made by the
//! operator, as far as `store::rules::setup_link` allows. A school without a team gets its
//! founding link again (earlier unused ones stop working). A school with a team gets a link
//! only for a member already in its key chain, which registers only that member's keys
//! (restored from their recovery copy at `/team/recover`) on a new device: for a team that lost
//! every device. The server never adds anyone to a team: that takes a member's signature.

use prepoznaj_domain::protocol::{LinkValidDays, TEAM_SETUP_PATH, TeamMemberId, link};

use super::listing::utc_time;
use crate::{
    StartupError,
    config::SchoolNewSetupLink,
    credentials::{new_secret, now},
    store::{NewSetupLink, SchoolContents, SetupLinkOutcome, Store},
};

/// Makes the link; returns what to print.
pub(super) async fn make<S: Store>(
    store: &S,
    contents: &SchoolContents,
    arguments: &SchoolNewSetupLink,
    base_url: &str,
) -> Result<String, StartupError> {
    let school = &contents.overview.school;
    let member_id = arguments
        .member
        .as_deref()
        .map(|member| {
            TeamMemberId::try_from(member.trim().to_owned())
                .map_err(|_| StartupError::MemberId(member.to_owned()))
        })
        .transpose()?;
    let valid_days =
        LinkValidDays::new(arguments.valid_days.days).map_err(StartupError::ValidDays)?;
    let (code, code_hash) = new_secret().map_err(StartupError::Randomness)?;
    let now = now();
    let expires_at = valid_days.expiry(now);
    let outcome = store
        .new_setup_link(NewSetupLink {
            school_id: school.id.clone(),
            member_id,
            setup_code: code_hash,
            now,
            expires_at,
        })
        .await
        .map_err(StartupError::Store)?
        .ok_or_else(|| StartupError::UnknownSchool(arguments.school.clone()))?;
    let setup_link = link(base_url, TEAM_SETUP_PATH, &code);
    let validity = format!(
        "one use, valid for {} days, until {}",
        arguments.valid_days.days,
        utc_time(expires_at)
    );
    match outcome {
        SetupLinkOutcome::Founding => {
            tracing::info!(school = %school.id, "new founding set-up code");
            Ok(format!(
                "New team set-up link for {name} ({id}; {validity}):\n{setup_link}\n\n\
                 Earlier set-up links of the school no longer work. Give it only to the first \
                 member of the school's protection team, in person.\n",
                name = school.name,
                id = school.id,
            ))
        }
        SetupLinkOutcome::ForMember(member) => {
            tracing::info!(school = %school.id, member = %member.id, "new set-up code for a member");
            Ok(format!(
                "New set-up link for {member_name} of {name} ({validity}):\n{setup_link}\n\n\
                 It works only on a device holding {member_name}'s keys, restored from their \
                 recovery file or code at /team/recover: their key's fingerprint is \
                 {fingerprint}. Opening it there ends the lost device's access. Their earlier \
                 set-up links no longer work.\n",
                member_name = member.display_name,
                name = school.name,
                fingerprint = member.fingerprint,
            ))
        }
        SetupLinkOutcome::Refused(refusal) => Err(StartupError::SetupLink {
            school: arguments.school.clone(),
            refusal,
        }),
    }
}
