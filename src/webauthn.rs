//! The phone's own screen lock (fingerprint, face or the phone's PIN) as a faster unlock of
//! the app lock, through WebAuthn's PRF extension: a platform credential made for this app
//! gives back the same 32 secret bytes for the same salt, and only after the phone's user
//! verification. Those bytes wrap the data key a second time (`crate::app_lock`); the app's
//! PIN or passphrase stays the fallback.
//!
//! Everything here is the browser's: the credential never leaves the phone's authenticator,
//! and nothing is sent to a server (the challenge is random and checked by nobody: the
//! secret, not a signature, is what is used). A browser or authenticator without the PRF
//! extension is told apart from a person who cancelled, so the screen can say which.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Bytes of the PRF's salt and of its output.
pub const PRF_BYTES: usize = 32;

/// Why the screen lock did not give the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenLockError {
    /// This browser or authenticator has no platform authenticator with the PRF extension.
    Unsupported,
    /// The person cancelled, the verification failed or timed out, or the credential is gone
    /// (the browser does not say which, on purpose).
    NotAllowed,
    /// Anything else (the message is for the log).
    Other(String),
}

impl std::fmt::Display for ScreenLockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScreenLockError::Unsupported => write!(f, "no platform authenticator with PRF"),
            ScreenLockError::NotAllowed => write!(f, "not allowed (cancelled or failed)"),
            ScreenLockError::Other(message) => write!(f, "{message}"),
        }
    }
}

/// A platform credential with the PRF extension, and its secret for the salt it was made with.
#[derive(Debug)]
pub struct Made {
    pub credential_id: Vec<u8>,
    pub secret: zeroize::Zeroizing<[u8; PRF_BYTES]>,
}

fn other(error: JsValue) -> ScreenLockError {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|name| name.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "AbortError" => ScreenLockError::NotAllowed,
        "NotSupportedError" | "SecurityError" => ScreenLockError::Unsupported,
        _ => ScreenLockError::Other(format!("{error:?}")),
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), ScreenLockError> {
    Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(other)
}

fn object(entries: &[(&str, JsValue)]) -> Result<Object, ScreenLockError> {
    let target = Object::new();
    for (key, value) in entries {
        set(&target, key, value)?;
    }
    Ok(target)
}

/// Random bytes for values that are not secret (the salt is stored in clear beside the
/// wrapped key; the challenge and the user handle are checked by nobody).
fn random_bytes() -> [u8; PRF_BYTES] {
    crate::clock::random_bytes::<PRF_BYTES>()
}

/// `extensions: { prf: { eval: { first: salt } } }`.
fn prf_extension(salt: &[u8; PRF_BYTES]) -> Result<Object, ScreenLockError> {
    let eval = object(&[("first", Uint8Array::from(&salt[..]).into())])?;
    let prf = object(&[("eval", eval.into())])?;
    object(&[("prf", prf.into())])
}

fn credentials() -> Result<web_sys::CredentialsContainer, ScreenLockError> {
    let window = web_sys::window().ok_or(ScreenLockError::Unsupported)?;
    let navigator = window.navigator();
    let has = Reflect::has(&navigator, &"credentials".into()).unwrap_or(false)
        && Reflect::has(&window, &"PublicKeyCredential".into()).unwrap_or(false);
    if !has {
        return Err(ScreenLockError::Unsupported);
    }
    Ok(navigator.credentials())
}

/// The credential `asked` (a `create()` or `get()` call) resolves to, once the phone has
/// verified its user; none is [`ScreenLockError::NotAllowed`].
async fn answer(asked: Result<js_sys::Promise, JsValue>) -> Result<JsValue, ScreenLockError> {
    let credential = JsFuture::from(asked.map_err(other)?).await.map_err(other)?;
    if credential.is_null() || credential.is_undefined() {
        return Err(ScreenLockError::NotAllowed);
    }
    Ok(credential)
}

/// Whether the phone has a platform authenticator that verifies its user (the screen lock).
/// Whether it has the PRF extension shows only when a credential is made ([`make`]).
pub async fn available() -> bool {
    if credentials().is_err() {
        return false;
    }
    let asked = web_sys::PublicKeyCredential::is_user_verifying_platform_authenticator_available();
    JsFuture::from(asked)
        .await
        .ok()
        .and_then(|answer| answer.as_bool())
        .unwrap_or(false)
}

/// The `prf` member of a credential's client extension results (undefined without one).
fn prf_results(credential: &JsValue) -> Result<JsValue, ScreenLockError> {
    let results_of = Reflect::get(credential, &"getClientExtensionResults".into())
        .map_err(other)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| ScreenLockError::Unsupported)?;
    let results = results_of.call0(credential).map_err(other)?;
    Ok(Reflect::get(&results, &"prf".into()).unwrap_or(JsValue::UNDEFINED))
}

/// The PRF's first output in `prf` ([`prf_results`]), if there is one.
fn prf_output(prf: &JsValue) -> Result<Option<[u8; PRF_BYTES]>, ScreenLockError> {
    let first = Reflect::get(prf, &"results".into())
        .and_then(|results| Reflect::get(&results, &"first".into()))
        .unwrap_or(JsValue::UNDEFINED);
    if first.is_undefined() || first.is_null() {
        return Ok(None);
    }
    let output: [u8; PRF_BYTES] = Uint8Array::new(&first)
        .to_vec()
        .try_into()
        .map_err(|_| ScreenLockError::Other("a PRF output of another length".to_owned()))?;
    Ok(Some(output))
}

/// Whether `prf` ([`prf_results`] of a made credential) says the extension is on for it.
fn prf_enabled(prf: &JsValue) -> bool {
    Reflect::get(prf, &"enabled".into())
        .ok()
        .and_then(|enabled| enabled.as_bool())
        .unwrap_or(false)
}

/// Makes a platform credential for this app with the PRF extension (the phone asks for its
/// screen lock), and evaluates its PRF for `salt` (in the same step where the authenticator
/// can, else with a second verification). [`ScreenLockError::Unsupported`] when the
/// authenticator has no PRF.
///
/// # Errors
/// [`ScreenLockError`].
pub async fn make(salt: &[u8; PRF_BYTES], name: &str) -> Result<Made, ScreenLockError> {
    let container = credentials()?;
    let user_id = random_bytes();
    let challenge = random_bytes();
    let algorithms = Array::new();
    for algorithm in [-7, -257] {
        let parameters = object(&[("type", "public-key".into()), ("alg", algorithm.into())])?;
        algorithms.push(&parameters);
    }
    let public_key = object(&[
        ("rp", object(&[("name", "Prepoznaj".into())])?.into()),
        (
            "user",
            object(&[
                ("id", Uint8Array::from(&user_id[..]).into()),
                ("name", name.into()),
                ("displayName", name.into()),
            ])?
            .into(),
        ),
        ("challenge", Uint8Array::from(&challenge[..]).into()),
        ("pubKeyCredParams", algorithms.into()),
        (
            "authenticatorSelection",
            object(&[
                ("authenticatorAttachment", "platform".into()),
                ("residentKey", "discouraged".into()),
                ("userVerification", "required".into()),
            ])?
            .into(),
        ),
        ("attestation", "none".into()),
        ("extensions", prf_extension(salt)?.into()),
    ])?;
    let options = object(&[("publicKey", public_key.into())])?;
    let credential = answer(container.create_with_options(options.unchecked_ref())).await?;
    let raw_id = Reflect::get(&credential, &"rawId".into()).map_err(other)?;
    let credential_id = Uint8Array::new(&raw_id).to_vec();
    let prf = prf_results(&credential)?;
    if let Some(output) = prf_output(&prf)? {
        return Ok(Made {
            credential_id,
            secret: zeroize::Zeroizing::new(output),
        });
    }
    if !prf_enabled(&prf) {
        return Err(ScreenLockError::Unsupported);
    }
    let secret = evaluate(&credential_id, salt).await?;
    Ok(Made {
        credential_id,
        secret,
    })
}

/// The PRF's output of credential `credential_id` for `salt`: the phone asks for its screen
/// lock first.
///
/// # Errors
/// [`ScreenLockError`]; [`ScreenLockError::Unsupported`] when the answer has no PRF output.
pub async fn evaluate(
    credential_id: &[u8],
    salt: &[u8; PRF_BYTES],
) -> Result<zeroize::Zeroizing<[u8; PRF_BYTES]>, ScreenLockError> {
    let container = credentials()?;
    let challenge = random_bytes();
    let allowed = Array::new();
    let credential = object(&[
        ("type", "public-key".into()),
        ("id", Uint8Array::from(credential_id).into()),
    ])?;
    allowed.push(&credential);
    let public_key = object(&[
        ("challenge", Uint8Array::from(&challenge[..]).into()),
        ("allowCredentials", allowed.into()),
        ("userVerification", "required".into()),
        ("extensions", prf_extension(salt)?.into()),
    ])?;
    let options = object(&[("publicKey", public_key.into())])?;
    let credential = answer(container.get_with_options(options.unchecked_ref())).await?;
    prf_output(&prf_results(&credential)?)?
        .map(zeroize::Zeroizing::new)
        .ok_or(ScreenLockError::Unsupported)
}

/// A new salt for [`make`].
#[must_use]
pub fn new_salt() -> [u8; PRF_BYTES] {
    random_bytes()
}
