//! The `jwt` check: a JSON Web Token's header must base64url-decode to a JSON object
//! with an `alg` member (RFC 7515/7519), which rejects random `eyJ...` strings.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Whether `token` (`header.payload[.signature]`) has a JSON header with `alg`.
pub(crate) fn is_jwt(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let Some(header) = parts.next() else {
        return false;
    };
    if parts.next().is_none() {
        return false;
    }
    let header: Vec<u8> = header.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(json) = URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Object(map)) => map.get("alg").is_some_and(|v| v.is_string()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_must_be_json_with_alg() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        assert!(is_jwt(format!("{h}.eyJzdWIiOiIxIn0.sig").as_bytes()));
        assert!(is_jwt(format!("{h}.eyJzdWIiOiIxIn0.").as_bytes()));
        let no_alg = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT"}"#);
        assert!(!is_jwt(format!("{no_alg}.eyJzdWIiOiIxIn0.sig").as_bytes()));
        assert!(!is_jwt(b"eyJhbGciOi.abc.def"));
        assert!(!is_jwt(h.as_bytes()));
    }
}
