//! What the server enforces, stated in the API document: lengths, patterns, ranges and item
//! counts of every field and parameter a handler or action checks, taken from the same
//! constants the checks use (`theset_shared::validate::patterns`, the limits in `shared`). A
//! client generating requests from the document (schemathesis in `cargo xtask test`, or anyone's
//! code generator) then sends what the server accepts.
//!
//! The derive macros cannot take constants, so the rules are applied to the generated document
//! here; a rule whose field or parameter is gone is an error the tests catch.

use serde_json::{Map, Value, json};
use theset_shared::api::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_PREDICTION_SONGS};
use theset_shared::password::{MAX_CHARS as PASSWORD_MAX, MIN_CHARS as PASSWORD_MIN};
use theset_shared::sync::{MAX_PUSH, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
use theset_shared::validate::patterns as p;

/// Where a rule applies.
enum At {
    /// A property of a component schema.
    Field(&'static str, &'static str),
    /// A parameter of an operation: path, method, name.
    Param(&'static str, &'static str, &'static str),
    /// A schema the derive nests (flattened structs land in an `allOf`).
    Pointer(&'static str),
}

fn text(min: usize, max: usize, pattern: &str) -> Value {
    json!({ "minLength": min, "maxLength": max, "pattern": pattern })
}

fn range(min: i64, max: i64) -> Value {
    json!({ "minimum": min, "maximum": max })
}

fn rules() -> Vec<(At, Value)> {
    use At::{Field, Param, Pointer};
    let email = || text(3, 254, p::EMAIL);
    let name = || text(1, 80, p::DISPLAY_NAME);
    let device_id = || text(1, 100, p::DEVICE_ID);
    let device_name = || text(0, 100, p::SAFE_TEXT);
    let token = || text(43, 43, p::TOKEN);
    let new_password = || json!({ "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX });
    let password = || json!({ "minLength": 1, "maxLength": PASSWORD_MAX });
    let limit = || range(1, i64::from(MAX_PAGE_LIMIT));
    let cursor = || json!({ "minLength": 1, "maxLength": 200 });
    let slug = || text(1, 200, p::SLUG);
    let protocol = || range(i64::from(MIN_PROTOCOL_VERSION), i64::from(PROTOCOL_VERSION));
    let mut rules = vec![
        (Field("SignupRequest", "email"), email()),
        (
            Field("SetArtistLink", "external_id"),
            text(
                22,
                36,
                "^([A-Za-z0-9]{22}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
            ),
        ),
        (Field("SignupRequest", "password"), new_password()),
        (Field("SignupRequest", "display_name"), name()),
        (Field("SignupRequest", "device_id"), device_id()),
        (Field("SignupRequest", "device_name"), device_name()),
        (Field("LoginRequest", "email"), email()),
        (Field("LoginRequest", "password"), password()),
        (Field("LoginRequest", "device_id"), device_id()),
        (Field("LoginRequest", "device_name"), device_name()),
        (Field("RefreshRequest", "refresh_token"), token()),
        (Field("RefreshRequest", "device_id"), device_id()),
        (Field("EmailRequest", "email"), email()),
        (Field("TokenRequest", "token"), token()),
        (Field("PasswordResetConfirm", "token"), token()),
        (
            Field("PasswordResetConfirm", "new_password"),
            new_password(),
        ),
        (Field("MagicLinkConsume", "token"), token()),
        (Field("MagicLinkConsume", "device_id"), device_id()),
        (Field("MagicLinkConsume", "device_name"), device_name()),
        (Field("BrowserLogin", "email"), email()),
        (Field("BrowserLogin", "password"), password()),
        (Field("ProfileUpdate", "display_name"), name()),
        (
            Field("OAuthStart", "redirect_uri"),
            text(1, 200, p::APP_REDIRECT),
        ),
        (Field("OAuthStart", "code_challenge"), token()),
        (
            Field("BrowserOAuthStart", "return_path"),
            text(1, 200, p::WEB_RETURN_PATH),
        ),
        (Field("OAuthExchange", "code"), token()),
        (
            Field("OAuthExchange", "code_verifier"),
            text(43, 128, p::CODE_VERIFIER),
        ),
        (Field("OAuthExchange", "device_id"), device_id()),
        (Field("OAuthExchange", "device_name"), device_name()),
        (
            Field("ImportRequest", "ticketmaster_id"),
            text(1, 64, "^[A-Za-z0-9_-]{1,64}$"),
        ),
        (Field("AddCommunityTitle", "title"), text(1, 200, p::TEXT)),
        (Field("VoteRequest", "value"), range(-1, 1)),
        (
            Field("PredictionUpdate", "songs"),
            json!({ "maxItems": MAX_PREDICTION_SONGS }),
        ),
        (Field("ActualLine", "title"), text(1, 200, p::TEXT)),
        (
            Field("ActualLine", "set_name"),
            json!({ "pattern": "^(main|encore( [2-9])?)$" }),
        ),
        (
            Field("SetlistCorrection", "note"),
            text(0, 500, p::SAFE_TEXT),
        ),
        (
            Field("SetlistCorrection", "songs"),
            json!({ "minItems": 1, "maxItems": crate::actions::setlists::MAX_LINES }),
        ),
        (Field("RejectRequest", "reason"), text(1, 500, p::TEXT)),
        (Field("NewFlag", "note"), text(0, 500, p::SAFE_TEXT)),
        (Field("NewAlias", "alias"), text(1, 200, p::TEXT)),
        (
            Field("PushRequest", "mutations"),
            json!({ "maxItems": MAX_PUSH }),
        ),
        (
            Pointer("/components/schemas/Mutation/allOf/1/properties/seq"),
            json!({ "minimum": 1 }),
        ),
        (
            Pointer("/components/schemas/Mutation/allOf/1/properties/hlc"),
            json!({ "pattern": "^[0-9]{1,19}$" }),
        ),
        (
            Param("/api/v1/artists", "get", "genre"),
            text(1, 100, p::TEXT),
        ),
        (
            Param("/api/v1/artists", "get", "min_popularity"),
            range(0, 100),
        ),
        (Param("/api/v1/artists", "get", "limit"), limit()),
        (Param("/api/v1/artists", "get", "cursor"), cursor()),
        (Param("/api/v1/artists/{slug}", "get", "slug"), slug()),
        (
            Param("/api/v1/artists/{slug}/import/events", "get", "slug"),
            slug(),
        ),
        (
            Param("/api/v1/search/artists", "get", "q"),
            text(1, 199, p::TEXT),
        ),
        (
            Param("/api/v1/search/artists", "get", "genre"),
            text(1, 100, p::TEXT),
        ),
        (Param("/api/v1/shows", "get", "limit"), limit()),
        (Param("/api/v1/shows", "get", "cursor"), cursor()),
        (
            Param("/api/v1/shows/{id}/events", "get", "after"),
            json!({ "pattern": "^[0-9]{1,18}\\.[0-9]{1,18}$" }),
        ),
        (Param("/api/v1/venues", "get", "cursor"), cursor()),
        (
            Param("/api/v1/admin/audit", "get", "before"),
            json!({ "minimum": 1 }),
        ),
        (Param("/api/v1/admin/audit", "get", "limit"), limit()),
        (
            Param("/api/v1/admin/audit", "get", "action"),
            text(1, 100, p::TEXT),
        ),
        (
            Param("/api/v1/trending/artists", "get", "limit"),
            range(1, 50),
        ),
        (
            Param("/api/v1/trending/shows", "get", "limit"),
            range(1, 50),
        ),
        (Param("/api/v1/sync/pull", "get", "cursor"), cursor()),
        (
            Param("/api/v1/auth/oauth/{provider}/start", "post", "provider"),
            json!({ "enum": ["google", "spotify"] }),
        ),
    ];
    for (path, method) in [
        ("/api/v1/sync/push", "post"),
        ("/api/v1/sync/pull", "get"),
        ("/api/v1/sync/events", "get"),
    ] {
        rules.push((Param(path, method, "x-theset-protocol"), protocol()));
    }
    // The default stays what the server uses when `limit` is left out.
    rules.push((
        Param("/api/v1/artists", "get", "limit"),
        json!({ "default": DEFAULT_PAGE_LIMIT }),
    ));
    rules
}

/// Merges `set` into the schema object at `at`; `Err` names what is missing.
fn apply_one(doc: &mut Value, at: &At, set: &Value) -> Result<(), String> {
    let schema = match at {
        At::Field(schema, field) => doc
            .pointer_mut(&format!("/components/schemas/{schema}/properties/{field}"))
            .ok_or_else(|| format!("no field {schema}.{field}"))?,
        At::Param(path, method, name) => {
            let pointer = format!("/paths/{}/{method}/parameters", path.replace('/', "~1"));
            doc.pointer_mut(&pointer)
                .and_then(Value::as_array_mut)
                .and_then(|ps| ps.iter_mut().find(|p| p["name"] == *name))
                .and_then(|p| p.get_mut("schema"))
                .ok_or_else(|| format!("no parameter {name} of {method} {path}"))?
        }
        At::Pointer(pointer) => doc
            .pointer_mut(pointer)
            .ok_or_else(|| format!("nothing at {pointer}"))?,
    };
    let Some(target) = schema.as_object_mut() else {
        return Err("a schema that is not an object".to_owned());
    };
    merge(target, set);
    Ok(())
}

fn merge(target: &mut Map<String, Value>, set: &Value) {
    if let Some(set) = set.as_object() {
        for (k, v) in set {
            target.insert(k.clone(), v.clone());
        }
    }
}

/// Applies every rule; the names of the rules that found nothing to apply to.
pub fn apply(doc: &mut Value) -> Vec<String> {
    rules()
        .iter()
        .filter_map(|(at, set)| apply_one(doc, at, set).err())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_finds_its_field_or_parameter() {
        let mut doc = serde_json::to_value(<super::super::ApiDoc as utoipa::OpenApi>::openapi())
            .expect("document");
        let missing = apply(&mut doc);
        assert!(missing.is_empty(), "{missing:?}");
        assert_eq!(
            doc.pointer("/components/schemas/SignupRequest/properties/password/minLength"),
            Some(&json!(PASSWORD_MIN))
        );
    }
}
