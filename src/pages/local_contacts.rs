//! `/contacts/local`: the school's own contacts (Social Care Centre, police station, principal,
//! psychologist or pedagogue, protection team lead): add, change, reorder, remove after
//! confirmation; share them with staff as a file, a link and its QR code; import a colleague's
//! file after a preview.
//!
//! Every change writes the whole list at once (`storage::local_contacts::save`): a contact that
//! does not pass the domain's checks is never saved, and a failed write leaves the list as it
//! was, with the form still filled in.

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use prepoznaj_domain::local_contacts::{
    LocalContact, LocalContactDraft, LocalContactError, LocalContactField, LocalContactList,
    LocalContactsImportError, LocalRole, MAX_LOCAL_CONTACTS,
};
use prepoznaj_domain::locale::fill;
use wasm_bindgen::{JsCast, JsValue};

use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::copy_button::CopyButton;
use crate::components::import_preview::ImportPreview;
use crate::components::local_contact_messages::{
    ROLES, contact_error_message, import_error_message, role_label,
};
use crate::components::qr_code::{QrCode, QrSymbol};
use crate::components::storage_error::{PageError, PageErrorView, storage_error_message};
use crate::download::read_file;
use crate::i18n::{ContactsMessageFn, I18n, use_i18n};
use crate::pages::contacts_import::IMPORT_PATH;
use crate::storage::{StorageError, app_database, local_contacts};

/// The address of this page.
pub const LOCAL_CONTACTS_PATH: &str = "/contacts/local";

/// The name the export file is downloaded under.
pub const EXPORT_FILE_NAME: &str = "prepoznaj-local-contacts.json";

/// Ids of the form's fields and their messages.
const NAME_INPUT_ID: &str = "local-contact-name";
const PHONE_INPUT_ID: &str = "local-contact-phone";

/// The part of the page a message belongs to, so it is shown where the person is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    List,
    Form,
    Share,
    Import,
}

/// What just went well.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    /// `same_number_as`: another saved contact with the same number (saved all the same).
    Saved {
        name: String,
        number: String,
        same_number_as: Option<String>,
    },
    Removed {
        name: String,
    },
    Imported(usize),
    NothingChanged,
}

/// What went wrong; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Storage(StorageError),
    Full,
    Import(LocalContactsImportError),
    EmptyImport,
    FileUnreadable,
    DownloadFailed,
}

impl Notice {
    fn text(&self, i18n: I18n) -> String {
        let messages = i18n.contacts();
        match self {
            Notice::Saved { name, number, .. } => fill(
                messages.local_saved(),
                &[("name", name.as_str()), ("number", number.as_str())],
            ),
            Notice::Removed { name } => fill(messages.local_removed(), &[("name", name.as_str())]),
            Notice::Imported(count) => {
                fill(messages.import_done(), &[("count", &count.to_string())])
            }
            Notice::NothingChanged => messages.import_cancelled().to_owned(),
        }
    }

    /// What the person may want to check although it went well.
    fn warning(&self, i18n: I18n) -> Option<String> {
        match self {
            Notice::Saved {
                number,
                same_number_as: Some(other),
                ..
            } => Some(fill(
                i18n.contacts().local_same_number(),
                &[("number", number.as_str()), ("other", other.as_str())],
            )),
            _ => None,
        }
    }
}

impl Problem {
    fn text(&self, i18n: I18n) -> String {
        let messages = i18n.contacts();
        match self {
            Problem::Storage(error) => storage_error_message(i18n.messages(), error).to_owned(),
            Problem::Full => messages.local_full().format(MAX_LOCAL_CONTACTS as u64),
            Problem::Import(error) => import_error_message(messages, error),
            Problem::EmptyImport => messages.import_empty().to_owned(),
            Problem::FileUnreadable => messages.import_file_unreadable().to_owned(),
            Problem::DownloadFailed => messages.share_download_failed().to_owned(),
        }
    }
}

/// The list as saved, and what the last action said.
#[derive(Debug, Clone, Copy)]
struct Editor {
    list: RwSignal<LocalContactList>,
    busy: RwSignal<bool>,
    notice: RwSignal<Option<(Section, Notice)>>,
    problem: RwSignal<Option<(Section, Problem)>>,
}

impl Editor {
    /// Saves `next` as the whole list; only once it is on disk does the page show it, say
    /// `notice` and run `on_saved`.
    fn commit(
        self,
        section: Section,
        next: LocalContactList,
        notice: Option<Notice>,
        on_saved: impl FnOnce() + 'static,
    ) {
        self.busy.set(true);
        self.notice.set(None);
        self.problem.set(None);
        leptos::task::spawn_local(async move {
            let saved = match app_database().await {
                Ok(database) => local_contacts::save(&database, &next).await,
                Err(error) => Err(error),
            };
            self.busy.set(false);
            match saved {
                Ok(()) => {
                    self.list.set(next);
                    self.notice.set(notice.map(|notice| (section, notice)));
                    on_saved();
                }
                Err(error) => self.problem.set(Some((section, Problem::Storage(error)))),
            }
        });
    }

    fn fail(self, section: Section, problem: Problem) {
        self.notice.set(None);
        self.problem.set(Some((section, problem)));
    }

    fn say(self, section: Section, notice: Notice) {
        self.problem.set(None);
        self.notice.set(Some((section, notice)));
    }
}

/// Sets the document title to "`page` — Prepoznaj", `page` from the contacts' messages, while
/// the calling page is shown.
pub fn use_contacts_page_title(page: ContactsMessageFn) {
    crate::i18n::use_title(move |i18n| page(i18n.contacts()));
}

/// The local contacts screen.
#[component]
pub fn LocalContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_contacts_page_title(|m| m.local_title());
    let loaded = RwSignal::new(None::<Result<LocalContactList, StorageError>>);
    leptos::task::spawn_local(async move {
        let read = match app_database().await {
            Ok(database) => local_contacts::load(&database).await,
            Err(error) => Err(error),
        };
        loaded.set(Some(read));
    });
    view! {
        <h1>{move || i18n.contacts().local_title()}</h1>
        <p>{move || i18n.contacts().local_intro()}</p>
        <p>
            <A href="/contacts" attr:class="text-link">{move || i18n.contacts().local_back()}</A>
        </p>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.contacts().contacts_loading()}</p> }.into_any(),
            Some(Err(error)) => {
                view! { <PageErrorView error=PageError::Storage(error) /> }
                    .into_any()
            }
            Some(Ok(list)) => view! { <LocalContactsEditor initial=list /> }.into_any(),
        }}
    }
}

#[component]
fn LocalContactsEditor(initial: LocalContactList) -> impl IntoView {
    let editor = Editor {
        list: RwSignal::new(initial),
        busy: RwSignal::new(false),
        notice: RwSignal::new(None),
        problem: RwSignal::new(None),
    };
    let editing = RwSignal::new(None::<usize>);
    let form = ContactFormState::new();
    let edit = move |index: usize| {
        if let Some(contact) = editor
            .list
            .with_untracked(|list| list.contacts().get(index).cloned())
        {
            form.fill(&LocalContactDraft::from(&contact));
            editing.set(Some(index));
            focus_element(NAME_INPUT_ID);
        }
    };
    view! {
        <SavedContacts editor editing form on_edit=edit />
        <ContactForm editor editing form />
        <ShareContacts editor />
        <ImportFromFile editor editing form />
    }
}

/// The success and failure messages of one section: a live region that is always there (so
/// that a new text is announced) and an alert when something failed.
#[component]
fn SectionMessages(editor: Editor, section: Section) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="section-status" role="status" data-testid="local-status">
            {move || {
                editor
                    .notice
                    .get()
                    .filter(|(at, _)| *at == section)
                    .map(|(_, notice)| {
                        let warning = notice.warning(i18n).map(|warning| {
                            view! {
                                <span class="section-status__warning" data-testid="local-same-number">{warning}</span>
                            }
                        });
                        view! { {notice.text(i18n)} {warning} }
                    })
            }}
        </p>
        {move || {
            editor
                .problem
                .get()
                .filter(|(at, _)| *at == section)
                .map(|(_, problem)| {
                    view! {
                        <p class="notice notice--warning" role="alert" data-testid="local-problem">
                            {move || problem.text(i18n)}
                        </p>
                    }
                })
        }}
    }
}

/// The saved contacts, each with Edit, Remove (after confirmation) and moves up and down.
#[component]
fn SavedContacts(
    editor: Editor,
    editing: RwSignal<Option<usize>>,
    form: ContactFormState,
    #[prop(into)] on_edit: Callback<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let removing = RwSignal::new(None::<usize>);
    let remove = move |index: usize| {
        let mut next = editor.list.get_untracked();
        let Some(removed) = next.remove(index) else {
            return;
        };
        editor.commit(
            Section::List,
            next,
            Some(Notice::Removed {
                name: removed.name().to_owned(),
            }),
            move || {
                removing.set(None);
                // The form no longer points at the right contact: start afresh.
                if editing.get_untracked().is_some() {
                    editing.set(None);
                    form.clear();
                }
            },
        );
    };
    let move_contact = move |from: usize, to: usize| {
        let mut next = editor.list.get_untracked();
        let count = next.len();
        if !next.move_contact(from, to) {
            return;
        }
        editor.commit(Section::List, next, None, move || {
            if editing.get_untracked().is_some() {
                editing.set(None);
                form.clear();
            }
            // Keep the keyboard where it was: on the moved contact's button.
            let moved_up = to < from;
            let target = if (moved_up && to > 0) || (!moved_up && to + 1 == count) {
                move_button_id(to, true)
            } else {
                move_button_id(to, false)
            };
            request_animation_frame(move || focus_element(&target));
        });
    };
    view! {
        <section class="card" aria-labelledby="local-list-heading">
            <h2 id="local-list-heading">{move || i18n.contacts().local_list_heading()}</h2>
            <SectionMessages editor section=Section::List />
            {move || {
                let list = editor.list.get();
                if list.is_empty() {
                    return view! { <p data-testid="local-empty">{move || i18n.contacts().local_empty()}</p> }.into_any();
                }
                let count = list.len();
                view! {
                    <ol class="local-contacts" data-testid="local-contacts">
                        {list
                            .contacts()
                            .iter()
                            .cloned()
                            .enumerate()
                            .map(|(index, contact)| {
                                view! {
                                    <SavedContact
                                        index
                                        count
                                        contact
                                        busy=editor.busy
                                        removing
                                        on_edit
                                        on_remove=remove
                                        on_move=move_contact
                                    />
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
    }
}

fn move_button_id(index: usize, up: bool) -> String {
    format!("local-contact-{index}-{}", if up { "up" } else { "down" })
}

/// One saved contact with its buttons.
#[component]
fn SavedContact(
    index: usize,
    count: usize,
    contact: LocalContact,
    busy: RwSignal<bool>,
    removing: RwSignal<Option<usize>>,
    #[prop(into)] on_edit: Callback<usize>,
    #[prop(into)] on_remove: Callback<usize>,
    #[prop(into)] on_move: Callback<(usize, usize)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name_id = format!("local-contact-{index}-name");
    let role = contact.role();
    let name = contact.name().to_owned();
    let question = {
        let name = name.clone();
        move || fill(i18n.contacts().local_remove_question(), &[("name", &name)])
    };
    view! {
        <li class="local-contact" data-testid="local-contact">
            <p class="local-contact__name" id=name_id.clone()>{name.clone()}</p>
            <p class="local-contact__role">{move || role_label(i18n.contacts(), role)}</p>
            <p class="local-contact__number" data-testid="local-contact-number">{contact.phone().display()}</p>
            <Show
                when=move || removing.get() == Some(index)
                fallback={
                    let name_id = name_id.clone();
                    move || {
                        view! {
                            <div class="local-contact__actions">
                                <button
                                    type="button"
                                    class="button"
                                    aria-describedby=name_id.clone()
                                    disabled=move || busy.get()
                                    on:click=move |_| on_edit.run(index)
                                >
                                    {move || i18n.contacts().local_edit()}
                                </button>
                                <button
                                    type="button"
                                    class="button"
                                    aria-describedby=name_id.clone()
                                    disabled=move || busy.get()
                                    on:click=move |_| removing.set(Some(index))
                                >
                                    {move || i18n.contacts().local_remove()}
                                </button>
                                {(index > 0)
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="button button--icon"
                                                id=move_button_id(index, true)
                                                aria-label=move || i18n.contacts().local_move_up()
                                                aria-describedby=name_id.clone()
                                                disabled=move || busy.get()
                                                on:click=move |_| on_move.run((index, index - 1))
                                            >
                                                <span aria-hidden="true">"↑"</span>
                                            </button>
                                        }
                                    })}
                                {(index + 1 < count)
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="button button--icon"
                                                id=move_button_id(index, false)
                                                aria-label=move || i18n.contacts().local_move_down()
                                                aria-describedby=name_id.clone()
                                                disabled=move || busy.get()
                                                on:click=move |_| on_move.run((index, index + 1))
                                            >
                                                <span aria-hidden="true">"↓"</span>
                                            </button>
                                        }
                                    })}
                            </div>
                        }
                    }
                }
            >
                <ConfirmPrompt
                    label=move || i18n.contacts().local_remove()
                    question=question.clone()
                    confirm=move || i18n.contacts().local_remove()
                    danger=true
                    on_confirm=move |()| on_remove.run(index)
                    on_cancel=move |()| removing.set(None)
                />
            </Show>
        </li>
    }
}

/// What the contact form holds.
#[derive(Debug, Clone, Copy)]
struct ContactFormState {
    name: RwSignal<String>,
    role: RwSignal<LocalRole>,
    phone: RwSignal<String>,
    /// Set by the first attempt to save: from then on every field says what is wrong with it.
    checked: RwSignal<bool>,
}

impl ContactFormState {
    fn new() -> ContactFormState {
        ContactFormState {
            name: RwSignal::new(String::new()),
            role: RwSignal::new(LocalRole::SocialCareCentre),
            phone: RwSignal::new(String::new()),
            checked: RwSignal::new(false),
        }
    }

    fn draft_untracked(self) -> LocalContactDraft {
        LocalContactDraft {
            name: self.name.get_untracked(),
            role: self.role.get_untracked(),
            phone: self.phone.get_untracked(),
        }
    }

    fn fill(self, draft: &LocalContactDraft) {
        self.name.set(draft.name.clone());
        self.role.set(draft.role);
        self.phone.set(draft.phone.clone());
        self.checked.set(false);
    }

    fn clear(self) {
        self.fill(&LocalContactDraft {
            name: String::new(),
            role: LocalRole::SocialCareCentre,
            phone: String::new(),
        });
    }

    /// The problem of `field`, once the form has been checked.
    fn error(self, field: LocalContactField) -> Option<LocalContactError> {
        if !self.checked.get() {
            return None;
        }
        LocalContactDraft {
            name: self.name.get(),
            role: self.role.get(),
            phone: self.phone.get(),
        }
        .errors()
        .into_iter()
        .find(|error| error.field() == field)
    }
}

/// Add a contact, or change the one being edited.
#[component]
fn ContactForm(
    editor: Editor,
    editing: RwSignal<Option<usize>>,
    form: ContactFormState,
) -> impl IntoView {
    let i18n = use_i18n();
    let name_error = Memo::new(move |_| form.error(LocalContactField::Name));
    let phone_error = Memo::new(move |_| form.error(LocalContactField::Phone));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if editor.busy.get_untracked() {
            return;
        }
        let contact = match form.draft_untracked().parse() {
            Ok(contact) => contact,
            Err(error) => {
                editor.notice.set(None);
                form.checked.set(true);
                focus_element(match error.field() {
                    LocalContactField::Name => NAME_INPUT_ID,
                    LocalContactField::Phone => PHONE_INPUT_ID,
                });
                return;
            }
        };
        let mut next = editor.list.get_untracked();
        let same_number_as = next
            .same_number(contact.phone(), editing.get_untracked())
            .map(|other| other.name().to_owned());
        match editing.get_untracked() {
            Some(index) => {
                if next.replace(index, contact.clone()).is_none() {
                    return;
                }
            }
            None => {
                if next.push(contact.clone()).is_err() {
                    editor.fail(Section::Form, Problem::Full);
                    return;
                }
            }
        }
        let notice = Notice::Saved {
            name: contact.name().to_owned(),
            number: contact.phone().display(),
            same_number_as,
        };
        editor.commit(Section::Form, next, Some(notice), move || {
            editing.set(None);
            form.clear();
        });
    };
    let cancel = move |_| {
        editing.set(None);
        form.clear();
    };
    view! {
        <section class="card" aria-labelledby="local-form-heading">
            <h2 id="local-form-heading">
                {move || {
                    let messages = i18n.contacts();
                    if editing.get().is_some() { messages.local_edit_heading() } else { messages.local_add_heading() }
                }}
            </h2>
            <form class="form" on:submit=submit novalidate data-testid="local-contact-form">
                <div class="field">
                    <label for=NAME_INPUT_ID>{move || i18n.contacts().local_name()}</label>
                    <p class="hint" id="local-contact-name-hint">{move || i18n.contacts().local_name_hint()}</p>
                    <input
                        id=NAME_INPUT_ID
                        type="text"
                        autocomplete="off"
                        aria-describedby="local-contact-name-hint local-contact-name-error"
                        aria-invalid=move || name_error.get().is_some().to_string()
                        prop:value=move || form.name.get()
                        on:input=move |event| form.name.set(event_target_value(&event))
                    />
                    <p class="field__error" id="local-contact-name-error">
                        {move || name_error.get().map(|error| contact_error_message(i18n.contacts(), &error))}
                    </p>
                </div>
                <div class="field">
                    <label for="local-contact-role">{move || i18n.contacts().local_role()}</label>
                    <select
                        id="local-contact-role"
                        on:change=move |event| {
                            let chosen = event_target_value(&event);
                            if let Some((role, _)) = ROLES.iter().find(|(role, _)| role.as_str() == chosen) {
                                form.role.set(*role);
                            }
                        }
                    >
                        {ROLES
                            .iter()
                            .map(|(role, label)| {
                                let (role, label) = (*role, *label);
                                view! {
                                    <option value=role.as_str() prop:selected=move || form.role.get() == role>
                                        {move || label(i18n.contacts())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=PHONE_INPUT_ID>{move || i18n.contacts().local_phone()}</label>
                    <p class="hint" id="local-contact-phone-hint">{move || i18n.contacts().local_phone_hint()}</p>
                    <input
                        id=PHONE_INPUT_ID
                        type="tel"
                        inputmode="tel"
                        autocomplete="off"
                        aria-describedby="local-contact-phone-hint local-contact-phone-error"
                        aria-invalid=move || phone_error.get().is_some().to_string()
                        prop:value=move || form.phone.get()
                        on:input=move |event| form.phone.set(event_target_value(&event))
                    />
                    <p class="field__error" id="local-contact-phone-error">
                        {move || phone_error.get().map(|error| contact_error_message(i18n.contacts(), &error))}
                    </p>
                </div>
                <SectionMessages editor section=Section::Form />
                <div class="actions">
                    <button type="submit" class="button button--primary" disabled=move || editor.busy.get()>
                        {move || {
                            let messages = i18n.contacts();
                            if editor.busy.get() {
                                messages.local_saving()
                            } else if editing.get().is_some() {
                                messages.local_save_changes()
                            } else {
                                messages.local_save()
                            }
                        }}
                    </button>
                    <Show when=move || editing.get().is_some()>
                        <button type="button" class="button" on:click=cancel>
                            {move || i18n.messages().observe_cancel()}
                        </button>
                    </Show>
                </div>
            </form>
        </section>
    }
}

/// The share link of `list` on this origin.
fn share_link(list: &LocalContactList) -> Result<String, JsValue> {
    let origin = window().location().origin()?;
    Ok(format!("{origin}{IMPORT_PATH}#{}", list.to_link_fragment()))
}

/// The list as a file, a link and the link's QR code.
#[component]
fn ShareContacts(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let download = move |_| {
        let json = editor.list.with_untracked(LocalContactList::to_json);
        match crate::download::download_text(EXPORT_FILE_NAME, "application/json", &json) {
            Ok(()) => editor.problem.set(None),
            Err(error) => {
                leptos::logging::warn!("cannot download the contacts: {error:?}");
                editor.fail(Section::Share, Problem::DownloadFailed);
            }
        }
    };
    let shared = move || {
        let list = editor.list.get();
        if list.is_empty() {
            return None;
        }
        let link = match share_link(&list) {
            Ok(link) => link,
            Err(error) => {
                leptos::logging::warn!("cannot make the share link: {error:?}");
                return None;
            }
        };
        let symbol = QrSymbol::encode(&link);
        Some(view! {
            <div class="field">
                <label for="share-link">{move || i18n.contacts().share_link_label()}</label>
                <input
                    id="share-link"
                    class="share-link"
                    type="url"
                    readonly
                    prop:value=link.clone()
                    on:focus=move |event| {
                        let input: web_sys::HtmlInputElement = event_target(&event);
                        input.select();
                    }
                    data-testid="share-link"
                />
            </div>
            <div class="phone-actions">
                <CopyButton
                    text=link
                    label=move || i18n.contacts().share_copy_link()
                    copied=move || i18n.contacts().share_link_copied()
                    unavailable=move || i18n.contacts().share_copy_unavailable()
                />
            </div>
            {match symbol {
                Some(symbol) => {
                    view! {
                        <figure class="share-qr">
                            <QrCode symbol label=move || i18n.contacts().share_qr_label() />
                            <figcaption class="hint">{move || i18n.contacts().share_qr_caption()}</figcaption>
                        </figure>
                    }
                        .into_any()
                }
                None => view! { <p class="hint">{move || i18n.contacts().share_qr_too_long()}</p> }.into_any(),
            }}
        })
    };
    view! {
        <Show when=move || editor.list.with(|list| !list.is_empty())>
            <section class="card" aria-labelledby="share-heading" data-testid="share">
                <h2 id="share-heading">{move || i18n.contacts().share_heading()}</h2>
                <p>{move || i18n.contacts().share_intro()}</p>
                <div class="actions">
                    <button type="button" class="button button--primary" on:click=download>
                        {move || i18n.contacts().share_download()}
                    </button>
                </div>
                <SectionMessages editor section=Section::Share />
                {shared}
            </section>
        </Show>
    }
}

/// Import a colleague's export file: read and check it whole, show what it would replace, and
/// replace only after confirmation.
#[component]
fn ImportFromFile(
    editor: Editor,
    editing: RwSignal<Option<usize>>,
    form: ContactFormState,
) -> impl IntoView {
    let i18n = use_i18n();
    let file_input = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(None::<LocalContactList>);
    let forget_file = move || {
        if let Some(input) = file_input.get_untracked() {
            input.set_value("");
        }
    };
    let choose = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        pending.set(None);
        leptos::task::spawn_local(async move {
            let text = match read_file(&input).await {
                Ok(Some(text)) => text,
                Ok(None) => return,
                Err(error) => {
                    leptos::logging::warn!("cannot read the chosen file: {error:?}");
                    editor.fail(Section::Import, Problem::FileUnreadable);
                    return;
                }
            };
            match LocalContactList::from_json(&text) {
                Ok(list) if list.is_empty() => editor.fail(Section::Import, Problem::EmptyImport),
                Ok(list) => {
                    editor.problem.set(None);
                    editor.notice.set(None);
                    pending.set(Some(list));
                }
                Err(error) => editor.fail(Section::Import, Problem::Import(error)),
            }
        });
    };
    let confirm = move |()| {
        let Some(incoming) = pending.get_untracked() else {
            return;
        };
        let count = incoming.len();
        editor.commit(
            Section::Import,
            incoming,
            Some(Notice::Imported(count)),
            move || {
                pending.set(None);
                forget_file();
                editing.set(None);
                form.clear();
            },
        );
    };
    let cancel = move |()| {
        pending.set(None);
        forget_file();
        editor.say(Section::Import, Notice::NothingChanged);
    };
    view! {
        <section class="card" aria-labelledby="import-file-heading">
            <h2 id="import-file-heading">{move || i18n.contacts().import_file_heading()}</h2>
            <div class="field">
                <label for="import-file">{move || i18n.contacts().import_file_label()}</label>
                <p class="hint" id="import-file-hint">{move || i18n.contacts().import_file_hint()}</p>
                <input
                    id="import-file"
                    class="file-input"
                    type="file"
                    accept=".json,application/json"
                    aria-describedby="import-file-hint"
                    node_ref=file_input
                    on:change=choose
                />
            </div>
            <SectionMessages editor section=Section::Import />
            {move || {
                pending
                    .get()
                    .map(|incoming| {
                        view! {
                            <ImportPreview
                                incoming
                                current=editor.list.get_untracked()
                                on_confirm=confirm
                                on_cancel=cancel
                            />
                        }
                    })
            }}
        </section>
    }
}

/// Moves keyboard focus to the element with `id`, if it is there.
fn focus_element(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        && let Err(error) = element.focus()
    {
        leptos::logging::warn!("cannot move focus to {id}: {error:?}");
    }
}
