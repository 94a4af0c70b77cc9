//! The table test of every message with a count: each is rendered, in every locale, at the
//! counts where Serbian and English forms change (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101,
//! 111) and compared with `count_messages.txt`, which is written out by hand, not computed
//! from the plural rules. A message whose form changes with the count is a plural message
//! (`prepoznaj_domain::plural`); a "Label: {count}" message reads right at every count as it
//! is, and the table shows that it does.

use std::collections::{BTreeMap, BTreeSet};

use prepoznaj_domain::locale::{Locale, Message, MessageCatalogue, fill, placeholders};

use super::{
    contacts_messages_for, guidance_messages_for, inbox_messages_for, lock_messages_for,
    messages_for, practice_messages_for, team_messages_for,
};
use crate::components::inbox_gate::unlock_intro;

const COUNTS: [u64; 13] = [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111];

/// Placeholders that hold a number of things.
const COUNT_PLACEHOLDERS: [&str; 6] = [
    "count",
    "max",
    "answered",
    "total",
    "not_observed",
    "unanswered",
];

/// A plain message with every placeholder filled with `n` (a label, or two counts at once).
fn label(message: &str, n: u64) -> String {
    let n = n.to_string();
    let names = placeholders(message);
    let values: Vec<(&str, &str)> = names
        .iter()
        .map(|name| (name.as_str(), n.as_str()))
        .collect();
    fill(message, &values)
}

type Render = fn(Locale, u64) -> String;

/// Every message with a count, rendered as the app renders it.
const MESSAGES: [(&str, Render); 48] = [
    ("observe_progress", |l, n| {
        label(messages_for(l).observe_progress(), n)
    }),
    ("checklist_progress", |l, n| {
        label(messages_for(l).checklist_progress(), n)
    }),
    ("reference_too_long", |l, n| {
        messages_for(l).reference_too_long().format(n)
    }),
    ("note_too_long", |l, n| {
        messages_for(l).note_too_long().format(n)
    }),
    ("sync_not_enrolled", |l, n| {
        label(messages_for(l).sync_not_enrolled(), n)
    }),
    ("sync_rejected", |l, n| {
        label(messages_for(l).sync_rejected(), n)
    }),
    ("sync_waiting", |l, n| {
        label(messages_for(l).sync_waiting(), n)
    }),
    ("import_current_heading", |l, n| {
        label(contacts_messages_for(l).import_current_heading(), n)
    }),
    ("import_done", |l, n| {
        label(contacts_messages_for(l).import_done(), n)
    }),
    ("import_new_heading", |l, n| {
        label(contacts_messages_for(l).import_new_heading(), n)
    }),
    ("import_question", |l, n| {
        label(contacts_messages_for(l).import_question(), n)
    }),
    ("import_error_too_many", |l, n| {
        label(contacts_messages_for(l).import_error_too_many(), n)
    }),
    ("local_full", |l, n| {
        contacts_messages_for(l).local_full().format(n)
    }),
    ("local_name_too_long", |l, n| {
        contacts_messages_for(l).local_name_too_long().format(n)
    }),
    ("guidance_search_count", |l, n| {
        label(guidance_messages_for(l).guidance_search_count(), n)
    }),
    ("guidance_search_show_all", |l, n| {
        label(guidance_messages_for(l).guidance_search_show_all(), n)
    }),
    ("inbox_selected", |l, n| {
        label(inbox_messages_for(l).inbox_selected(), n)
    }),
    ("inbox_dismiss_confirm", |l, n| {
        label(inbox_messages_for(l).inbox_dismiss_confirm(), n)
    }),
    ("inbox_dismiss_progress", |l, n| {
        label(inbox_messages_for(l).inbox_dismiss_progress(), n)
    }),
    ("inbox_dismiss_done", |l, n| {
        label(inbox_messages_for(l).inbox_dismiss_done(), n)
    }),
    ("inbox_dismiss_kept", |l, n| {
        label(inbox_messages_for(l).inbox_dismiss_kept(), n)
    }),
    ("inbox_dismiss_failed", |l, n| {
        label(inbox_messages_for(l).inbox_dismiss_failed(), n)
    }),
    ("inbox_count", |l, n| {
        label(inbox_messages_for(l).inbox_count(), n)
    }),
    ("inbox_marked", |l, n| {
        label(inbox_messages_for(l).inbox_marked(), n)
    }),
    ("inbox_not_marked_summary", |l, n| {
        label(inbox_messages_for(l).inbox_not_marked_summary(), n)
    }),
    ("inbox_minutes", |l, n| {
        inbox_messages_for(l).inbox_minutes().format(n)
    }),
    ("inbox_note_too_long", |l, n| {
        inbox_messages_for(l).inbox_note_too_long().format(n)
    }),
    ("inbox_unlock_intro", |l, n| {
        unlock_intro(inbox_messages_for(l), n)
    }),
    ("enrol_sealed_waiting", |l, n| {
        label(team_messages_for(l).enrol_sealed_waiting(), n)
    }),
    ("enrol_switch_waiting", |l, n| {
        label(team_messages_for(l).enrol_switch_waiting(), n)
    }),
    ("enrol_waiting_unlock", |l, n| {
        label(team_messages_for(l).enrol_waiting_unlock(), n)
    }),
    ("link_devices_of", |l, n| {
        label(team_messages_for(l).link_devices_of(), n)
    }),
    ("lock_auto_minutes", |l, n| {
        lock_messages_for(l).lock_auto_minutes().format(n)
    }),
    ("lock_reset_drafts", |l, n| {
        lock_messages_for(l).lock_reset_drafts().format(n)
    }),
    ("lock_reset_queued", |l, n| {
        lock_messages_for(l).lock_reset_queued().format(n)
    }),
    ("lock_reset_receipts", |l, n| {
        lock_messages_for(l).lock_reset_receipts().format(n)
    }),
    ("lock_reset_unsealed", |l, n| {
        lock_messages_for(l).lock_reset_unsealed().format(n)
    }),
    ("lock_resealing", |l, n| {
        lock_messages_for(l).lock_resealing().format(n)
    }),
    ("home_practice_due", |l, n| {
        label(messages_for(l).home_practice_due(), n)
    }),
    ("practice_due", |l, n| {
        practice_messages_for(l).practice_due().format(n)
    }),
    ("practice_missed_times", |l, n| {
        practice_messages_for(l).practice_missed_times().format(n)
    }),
    ("practice_quick_done", |l, n| {
        practice_messages_for(l).practice_quick_done().format(n)
    }),
    ("practice_record_summary", |l, n| {
        practice_messages_for(l).practice_record_summary().format(n)
    }),
    ("practice_progress_done", |l, n| {
        label(practice_messages_for(l).practice_progress_done(), n)
    }),
    ("practice_quick_situation", |l, n| {
        label(practice_messages_for(l).practice_quick_situation(), n)
    }),
    ("practice_rule_supporting", |l, n| {
        label(practice_messages_for(l).practice_rule_supporting(), n)
    }),
    ("practice_record_not_exploitation", |l, n| {
        label(
            practice_messages_for(l).practice_record_not_exploitation(),
            n,
        )
    }),
    ("practice_record_quick", |l, n| {
        label(practice_messages_for(l).practice_record_quick(), n)
    }),
];

/// `count_messages.txt` as (message, locale tag, count) → text.
fn table() -> BTreeMap<(String, String, u64), String> {
    let mut rows = BTreeMap::new();
    let mut key = None;
    for line in include_str!("count_messages.txt").lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            key = Some(name.to_owned());
            continue;
        }
        let (head, text) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("a table line without `: `: {line}"));
        let (tag, count) = head
            .split_once(' ')
            .unwrap_or_else(|| panic!("a table line without a locale and a count: {line}"));
        let count = count
            .parse()
            .unwrap_or_else(|_| panic!("not a count: {line}"));
        let key = key
            .clone()
            .unwrap_or_else(|| panic!("a line before any [message]: {line}"));
        let previous = rows.insert((key, tag.to_owned(), count), text.to_owned());
        assert!(previous.is_none(), "written twice: {line}");
    }
    rows
}

#[test]
fn every_message_with_a_count_reads_as_written_in_the_table() {
    super::tests::install_every_table();
    let mut expected = table();
    let mut wrong = Vec::new();
    for (key, render) in MESSAGES {
        for locale in Locale::ALL {
            for n in COUNTS {
                let shown = render(locale, n);
                match expected.remove(&(key.to_owned(), locale.tag().to_owned(), n)) {
                    Some(written) if written == shown => {}
                    Some(written) => wrong.push(format!(
                        "{key} {} {n}:\n  app:   {shown}\n  table: {written}",
                        locale.tag()
                    )),
                    None => wrong.push(format!("{key} {} {n}: not in the table", locale.tag())),
                }
            }
        }
    }
    let extra: Vec<_> = expected.keys().collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        extra.is_empty(),
        "the table has rows no test renders: {extra:?}"
    );
}

#[test]
fn the_table_has_every_message_with_a_count() {
    let sources = [
        include_str!("../../locales/sr-Cyrl.json"),
        include_str!("../../locales/guidance/sr-Cyrl.json"),
        include_str!("../../locales/contacts/sr-Cyrl.json"),
        include_str!("../../locales/team/sr-Cyrl.json"),
        include_str!("../../locales/inbox/sr-Cyrl.json"),
        include_str!("../../locales/lock/sr-Cyrl.json"),
        include_str!("../../locales/practice/sr-Cyrl.json"),
    ];
    let tested: BTreeSet<&str> = MESSAGES.iter().map(|(key, _)| *key).collect();
    let mut missing = Vec::new();
    for source in sources {
        let catalogue: MessageCatalogue =
            serde_json::from_str(source).unwrap_or_else(|error| panic!("{error}"));
        for (key, message) in &catalogue {
            let has_count = match message {
                Message::Plural(_) => true,
                Message::Text(text) => placeholders(text)
                    .iter()
                    .any(|name| COUNT_PLACEHOLDERS.contains(&name.as_str())),
            };
            if has_count && !tested.contains(key.as_str()) {
                missing.push(key.clone());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "messages with a count that the table does not cover: {missing:?}"
    );
}
