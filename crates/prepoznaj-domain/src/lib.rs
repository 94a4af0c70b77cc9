//! Prepoznaj's pure domain: model, rules and wire protocol.
//!
//! No IO, no async runtime, no web APIs: everything here compiles for wasm32 and native
//! and is tested natively.

pub mod app_lock;
pub mod assessment;
pub mod bundles;
pub mod catalogue;
pub mod contacts;
pub mod date;
pub mod device_label;
pub mod endpoints;
pub mod foreign_names;
pub mod guidance;
pub mod idle_lock;
pub mod link_check;
pub mod local_contacts;
pub mod locale;
pub mod message_table;
pub mod observation;
pub mod outbox;
pub mod passphrase;
pub mod phone;
pub mod plural;
pub mod practice;
pub mod protocol;
pub mod receipts;
pub mod reference;
pub mod report;
pub mod search;
pub mod source;
pub mod status_note;
pub mod stem;
pub mod sync;
pub mod team_chain;
pub mod team_device;
pub mod team_key;
pub mod team_request;
pub mod transliteration;
