//! One module per route; each component's name ends in `Page`.

pub mod checklist;
pub mod contacts;
pub mod contacts_import;
pub mod enrol;
pub mod guidance;
pub mod home;
pub mod inbox;
pub mod inbox_report;
pub mod local_contacts;
pub mod not_found;
pub mod observe;
pub mod observe_start;
pub mod practice;
pub mod practice_case;
pub mod practice_facilitator;
pub mod practice_quick;
pub mod practice_record;
pub mod quick;
pub mod settings;
pub mod summary;
pub mod team;
pub mod team_join;
pub mod team_recover;
pub mod team_setup;
