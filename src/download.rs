//! Saving a text the app made as a file the person keeps (an export, a recovery copy), and
//! reading back a file the person chooses.

use std::time::Duration;

use leptos::prelude::{document, set_timeout};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long a downloaded file's blob URL is kept: long enough for any browser to have read it.
const BLOB_URL_LIFETIME: Duration = Duration::from_secs(60);

/// Downloads `text` as a file named `file_name` of type `mime`, through a blob URL (allowed by
/// the CSP: a download is not a fetch).
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    download_parts(
        file_name,
        mime,
        &js_sys::Array::of1(&JsValue::from_str(text)),
    )
}

/// Downloads `bytes` (a binary file, such as an age file) like [`download_text`].
pub fn download_bytes(file_name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    download_parts(
        file_name,
        mime,
        &js_sys::Array::of1(&js_sys::Uint8Array::from(bytes)),
    )
}

fn download_parts(file_name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    set_timeout(
        move || {
            if let Err(error) = web_sys::Url::revoke_object_url(&url) {
                leptos::logging::warn!("cannot release the downloaded file: {error:?}");
            }
        },
        BLOB_URL_LIFETIME,
    );
    Ok(())
}

/// Reads the file chosen in `input` as text; `None` if none is chosen.
pub async fn read_file(input: &web_sys::HtmlInputElement) -> Result<Option<String>, JsValue> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return Ok(None);
    };
    let text = JsFuture::from(file.text()).await?;
    text.as_string()
        .map(Some)
        .ok_or_else(|| JsValue::from_str("not text"))
}

/// Reads the file chosen in `input` as bytes; `None` if none is chosen.
pub async fn read_file_bytes(
    input: &web_sys::HtmlInputElement,
) -> Result<Option<Vec<u8>>, JsValue> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return Ok(None);
    };
    let buffer = JsFuture::from(file.array_buffer()).await?;
    Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
}
