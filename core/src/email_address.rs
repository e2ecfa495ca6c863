//! Email addresses as Batline keeps them: one lower-case form per address,
//! so a resident who writes "Anna@Example.FI" and later "anna@example.fi"
//! is one resident, and a recipient's domain compares with the line's.
//!
//! Deliberately narrower than RFC 5322 (no quoted local parts, no comments,
//! no address literals): what residents' mail programs send, and what the
//! line's answers can be addressed to without surprises.

/// The longest address a mail system delivers to (RFC 5321's path limit).
pub const MAX_LEN: usize = 254;

/// `raw` (surrounding spaces and angle brackets allowed) in its stored
/// form, or `None` when it is not an address Batline can answer.
pub fn normalize(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix('<').and_then(|r| r.strip_suffix('>')).unwrap_or(raw).trim();
    let (local, domain_part) = raw.rsplit_once('@')?;
    let domain_part = domain(domain_part)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let address = format!("{}@{domain_part}", local.to_lowercase());
    (local_ok && address.len() <= MAX_LEN).then_some(address)
}

/// A mail domain in lower case: dot-separated labels of letters, digits and
/// hyphens, at least two of them.
pub fn domain(raw: &str) -> Option<String> {
    let domain = raw.trim().trim_end_matches('.').to_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    ok.then_some(domain)
}

/// The domain of a stored address.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_form_per_address() {
        assert_eq!(normalize(" <Anna.Virtanen@Example.FI> ").as_deref(), Some("anna.virtanen@example.fi"));
        assert_eq!(normalize("matti+kadut@posti.fi").as_deref(), Some("matti+kadut@posti.fi"));
        assert_eq!(normalize("åsa@exempel.se").as_deref(), Some("åsa@exempel.se"));
    }

    #[test]
    fn what_cannot_be_answered_is_refused() {
        for bad in [
            "",
            "@example.fi",
            "anna@",
            "anna",
            "anna@localhost",
            "a..b@example.fi",
            "a b@example.fi",
            "anna@-x.fi",
            "anna@exa mple.fi",
            "\"anna\"@example.fi",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
        assert_eq!(normalize(&format!("{}@example.fi", "a".repeat(65))), None);
    }

    #[test]
    fn domains() {
        assert_eq!(domain("Hel.FI.").as_deref(), Some("hel.fi"));
        assert_eq!(domain("fi"), None);
        assert_eq!(domain_of("anna@hel.fi"), "hel.fi");
    }
}
