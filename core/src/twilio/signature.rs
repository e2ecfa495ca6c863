//! `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the auth token, over
//! the full public URL followed by each POST parameter as name+value, sorted
//! by name. Repeated names follow Twilio's helper libraries: each distinct
//! name once, with its distinct values sorted.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha1::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(url.as_bytes());
    let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let mut values: Vec<&str> = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect();
        values.sort_unstable();
        values.dedup();
        for value in values {
            mac.update(name.as_bytes());
            mac.update(value.as_bytes());
        }
    }
    mac
}

/// The signature Twilio would send for `url` and `params`.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Checks a received signature in constant time.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], header: &str) -> bool {
    let Ok(given) = STANDARD.decode(header.trim()) else {
        return false;
    };
    mac(auth_token, url, params).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    // The example from Twilio's security documentation.
    #[test]
    fn matches_twilios_documented_example() {
        let p = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(compute("12345", url, &p), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify("12345", url, &p, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
    }

    #[test]
    fn order_of_posting_does_not_matter_but_every_field_does() {
        let a = params(&[("From", "+358401"), ("Body", "hei")]);
        let b = params(&[("Body", "hei"), ("From", "+358401")]);
        let sig = compute("token", "https://x/twilio/sms", &a);
        assert!(verify("token", "https://x/twilio/sms", &b, &sig));
        let extra = params(&[("Body", "hei"), ("From", "+358401"), ("New", "1")]);
        assert!(!verify("token", "https://x/twilio/sms", &extra, &sig));
        assert!(!verify("other", "https://x/twilio/sms", &a, &sig));
        assert!(!verify("token", "https://y/twilio/sms", &a, &sig));
        assert!(!verify("token", "https://x/twilio/sms", &a, "not base64!"));
        assert!(!verify("token", "https://x/twilio/sms", &a, ""));
    }
}

/// Fuzzing by property (see `twilio::form`'s fuzz module for why proptest).
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    fn params() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(("[A-Za-z]{1,12}", ".{0,30}"), 0..10)
    }

    proptest! {
        #[test]
        fn a_computed_signature_verifies(token in "[a-f0-9]{32}", path in "/[a-z/?=&]{0,30}", params in params()) {
            let url = format!("https://batline.example{path}");
            let sig = compute(&token, &url, &params);
            prop_assert!(verify(&token, &url, &params, &sig));
        }

        #[test]
        fn any_change_breaks_it(token in "[a-f0-9]{32}", params in params(), extra in "[A-Za-z]{1,12}", value in ".{1,30}") {
            let url = "https://batline.example/twilio/sms";
            let sig = compute(&token, url, &params);
            let mut tampered = params.clone();
            tampered.push((extra, value));
            prop_assert!(!verify(&token, url, &tampered, &sig), "an added field");
            prop_assert!(!verify(&token, "https://batline.example/twilio/voice", &params, &sig), "another URL");
            prop_assert!(!verify("0123456789abcdef0123456789abcdef", url, &params, &sig) || token == "0123456789abcdef0123456789abcdef", "another token");
        }

        #[test]
        fn arbitrary_headers_never_verify_or_panic(header in ".{0,64}", params in params()) {
            let url = "https://batline.example/twilio/sms";
            let sig = compute("secret", url, &params);
            prop_assert_eq!(verify("secret", url, &params, &header), header == sig);
        }
    }
}
