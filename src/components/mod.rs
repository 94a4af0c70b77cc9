//! Views that do not belong to one route.

pub mod api_error;
pub mod app_header;
pub mod assessment_view;
pub mod confirm_dialog;
pub mod connection_status;
pub mod contact_card;
pub mod copy_button;
pub mod delete_all_data;
pub mod guidance_link;
pub mod guidance_search;
pub mod guidance_section;
pub mod guidance_sources;
pub mod import_preview;
pub mod indicator_list;
pub mod install_prompt;
pub mod key_set_view;
pub mod language_select;
pub mod local_contact_messages;
pub mod navigation;
pub mod phone_actions;
pub mod qr_code;
pub mod recommended_contacts;
pub mod report_status;
pub mod storage_error;
pub mod sync_status;
pub mod update_banner;
