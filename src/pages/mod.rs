//! One module per route; each component's name ends in `Page`.

pub mod contacts;
pub mod guidance;
pub mod home;
pub mod not_found;
pub mod observe;
pub mod settings;
