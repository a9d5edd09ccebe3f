//! Request bodies and the validators behind them: whatever bytes arrive, parsing and validation
//! must not panic, and anything the validators accept must keep their promises (no header-
//! breaking characters in addresses, only loopback HTTP redirects).
#![no_main]

use libfuzzer_sys::fuzz_target;
use theset_shared::api::{
    LoginRequest, MagicLinkConsume, OAuthExchange, OAuthStart, PasswordResetConfirm,
    ProfileUpdate, SignupRequest,
};
use theset_shared::{password, titles, validate};

fn check_email(s: &str) {
    if validate::email(s) {
        assert!(!s.contains(['\r', '\n', '<', '>', ',', ' ', '"']), "{s:?}");
        assert_eq!(s.matches('@').count(), 1);
    }
}

fn check_redirect(s: &str) {
    if let Some(norm) = validate::loopback_redirect(s) {
        assert!(norm.starts_with("http://127.") || norm.starts_with("http://[::1]:"), "{norm}");
        assert!(!norm.contains(['?', '#', '@']), "{norm}");
        assert_eq!(validate::loopback_redirect(&norm).as_deref(), Some(norm.as_str()));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = serde_json::from_slice::<SignupRequest>(data) {
        check_email(&r.email);
        let _ = password::check(&r.password, &r.email);
        let _ = validate::display_name(&r.display_name);
        let _ = validate::device(&r.device_id, r.device_name.as_deref());
    }
    if let Ok(r) = serde_json::from_slice::<LoginRequest>(data) {
        check_email(&r.email);
        let _ = password::normalize(&r.password);
    }
    if let Ok(r) = serde_json::from_slice::<PasswordResetConfirm>(data) {
        let _ = password::check(&r.new_password, "fan@example.com");
    }
    if let Ok(r) = serde_json::from_slice::<OAuthStart>(data) {
        check_redirect(&r.redirect_uri);
    }
    let _ = serde_json::from_slice::<OAuthExchange>(data);
    let _ = serde_json::from_slice::<MagicLinkConsume>(data);
    if let Ok(r) = serde_json::from_slice::<ProfileUpdate>(data) {
        if let Some(name) = r.display_name {
            if let Some(ok) = validate::display_name(&name) {
                assert!(!ok.chars().any(validate::unsafe_char));
            }
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        check_email(s);
        check_redirect(s);
        let _ = password::is_common(&s.to_lowercase());
        let _ = titles::normalize(s);
        let _ = titles::classify(s, s);
    }
});
