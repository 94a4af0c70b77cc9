//! What the app's pages get from `public/boot.js` before the wasm starts, for the wasm test
//! page, which does not load it: the plain IndexedDB of `storage::preferences`; and the app
//! lock's data key the tests seal with.

use wasm_bindgen::JsValue;

/// Runs `public/boot.js` in the test page once (without its tags it starts nothing).
#[allow(dead_code, reason = "not every test binary reads choices")]
pub fn load_boot_js() {
    let global = js_sys::global();
    if js_sys::Reflect::has(&global, &JsValue::from_str("prepoznajPreferences")).unwrap_or(false) {
        return;
    }
    js_sys::Function::new_no_args(include_str!("../../public/boot.js"))
        .call0(&JsValue::NULL)
        .expect("public/boot.js runs");
}

/// The app lock's data key of the tests (the app makes a random one).
#[allow(dead_code, reason = "not every test binary seals")]
pub fn data_key() -> prepoznaj_envelope::vault::DataKey {
    prepoznaj_envelope::vault::DataKey::from_bytes([42; 32])
}

/// A staff phone's enrolment with a key set (version `version`) of `identity` alone.
#[allow(dead_code, reason = "not every test binary enrols")]
pub fn enrolment_for(
    identity: &prepoznaj_envelope::identity::TeamIdentity,
    version: u64,
) -> prepoznaj::storage::enrolment::Enrolment {
    use prepoznaj_domain::observation::UnixMillis;
    use prepoznaj_domain::protocol::{
        DeviceId, DisplayName, KeySet, School, SchoolId, SchoolName, Secret, TeamMember,
        TeamMemberId,
    };
    use prepoznaj_envelope::digest::key_fingerprint;
    prepoznaj::storage::enrolment::Enrolment {
        device_id: DeviceId::new_v7(UnixMillis(1), [1; 10]),
        device_token: Secret::new("device-token".to_owned()),
        school: School {
            id: SchoolId::new_v7(UnixMillis(1), [2; 10]),
            name: SchoolName::parse("ОШ „Вук Караџић“").expect("a school name"),
        },
        key_set: KeySet {
            version,
            keys: vec![TeamMember {
                id: TeamMemberId::new_v7(UnixMillis(1), [3; 10]),
                display_name: DisplayName::parse("Марија").expect("a display name"),
                public_key: identity.recipient(),
                fingerprint: key_fingerprint(&identity.recipient()),
                added_at: UnixMillis(1),
                removed_at: None,
            }],
        },
        enrolled_at: UnixMillis(10),
        pinned: None,
        keys_refused: None,
    }
}
