//! The operator credential: who may provision environments and keys through
//! `/admin/graphql`. It belongs to no environment, and the admin schema has no report
//! or ingest field, so it can read no report and ingest nothing; on `/graphql` and the
//! REST endpoints it is no key at all (UNAUTHENTICATED).
//!
//! The configuration holds only each credential's SHA-256 (`--operator-credential-sha256`),
//! never the secret: a leaked configuration, process list or deployment manifest gives
//! no access. The secret has 32 random bytes, so one unsalted SHA-256 suffices (nothing
//! to guess), and a presented credential's hash is compared in constant time.
use crate::storage::keys::{hash, random_b64};
use anyhow::bail;
use subtle::ConstantTimeEq;

/// Every operator credential starts with this, to be recognised (and scanned for) when
/// it leaks.
pub const PREFIX: &str = "damop_";

/// An authenticated operator.
#[derive(Clone, Debug)]
pub struct Operator {
    /// `operator:` and the first 12 hex digits of the credential's SHA-256: who acted,
    /// in the audit log, without the secret.
    pub actor: String,
}

/// The configured operator credentials (their SHA-256s).
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    hashes: Vec<String>,
}

impl Credentials {
    /// Reads the configured hashes: each must be 64 hex digits.
    pub fn from_config(hashes: &[String]) -> anyhow::Result<Self> {
        let mut out = Vec::new();
        for h in hashes.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "OPERATOR_CREDENTIAL_SHA256 holds {:?}…, not a SHA-256 in hex (64 digits): make one with `dam-insights operator-credential`",
                    &h[..h.len().min(8)]
                );
            }
            out.push(h.to_ascii_lowercase());
        }
        Ok(Credentials { hashes: out })
    }

    /// The operator a bearer token is, if any: every configured hash is compared, in
    /// constant time, whatever matches first.
    pub fn authenticate(&self, token: &str) -> Option<Operator> {
        let digest = hash(token);
        let mut found = None;
        for h in &self.hashes {
            if bool::from(h.as_bytes().ct_eq(digest.as_bytes())) {
                found = Some(Operator {
                    actor: format!("operator:{}", &h[..12]),
                });
            }
        }
        found
    }

    /// True when no operator credential is configured.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

/// A new credential and its SHA-256 (what the configuration holds).
pub fn new_credential() -> (String, String) {
    let token = format!("{PREFIX}{}", random_b64(32));
    let digest = hash(&token);
    (token, digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_authenticates_by_its_hash_only() {
        let (token, digest) = new_credential();
        let creds = Credentials::from_config(&[digest.to_uppercase()]).unwrap();
        let op = creds.authenticate(&token).expect("the credential");
        assert_eq!(op.actor, format!("operator:{}", &digest[..12]));
        assert!(
            creds.authenticate(&digest).is_none(),
            "the hash is no credential"
        );
        assert!(creds.authenticate("damop_wrong").is_none());
        assert!(Credentials::from_config(&["abc".into()]).is_err());
    }
}
