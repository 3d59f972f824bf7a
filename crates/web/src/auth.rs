//! Passwords, sessions and who is asking: the extractors handlers use to know the
//! signed-in account and what it may do in the partnership named in the URL.

use crate::errors::AppError;
use crate::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use sendplan_domain::access::{Access, Capability};
use sendplan_domain::partnership::Partnership;
use sendplan_domain::{PartnershipId, PersonId};
use sendplan_storage::{Actor, SessionRecord, UserRecord};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sendplan_session";
/// Name of the cookie that protects the sign-in form (there is no session yet).
pub const SIGN_IN_CSRF_COOKIE: &str = "sendplan_csrf";
/// Name of the cookie carrying a one-time confirmation message after a redirect.
pub const FLASH_COOKIE: &str = "sendplan_flash";

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A fresh random token, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // getrandom only fails if the OS has no randomness, when nothing is safe to do.
    getrandom::fill(&mut bytes)
        .expect("the operating system's random number generator is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sessions are stored under a hash of their token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Slows password guessing: after `MAX_FAILURES` failures for one email address or from
/// one client address within `WINDOW`, sign-in is refused until the window passes.
#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl SignInThrottle {
    pub const MAX_FAILURES: u32 = 5;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Minutes left before `keys` may try again, if they are locked out.
    pub fn locked_for(&self, keys: &[String]) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter()
            .filter_map(|k| failures.get(k))
            .filter(|(count, since)| *count >= Self::MAX_FAILURES && since.elapsed() < Self::WINDOW)
            .map(|(_, since)| (Self::WINDOW - since.elapsed()).as_secs().div_ceil(60))
            .max()
    }

    pub fn record_failure(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert((0, Instant::now()));
            entry.0 += 1;
        }
    }

    pub fn record_success(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            failures.remove(key);
        }
    }
}

/// The signed-in account. Extracting it from a request without a session redirects to
/// the sign-in page.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: UserRecord,
    pub csrf_token: String,
    pub flash: Option<String>,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor(Some(self.user.id))
    }
}

fn original_target(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned())
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = parts.extensions.get::<SessionRecord>().cloned();
        let flash = parts.extensions.get::<Flash>().map(|f| f.0.clone());
        match session {
            Some(session) => Ok(SignedIn {
                user: session.user,
                csrf_token: session.csrf_token,
                flash,
            }),
            None => Err(AppError::SignInRequired {
                next: original_target(parts),
            }),
        }
    }
}

impl OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <SignedIn as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(signed_in) => Ok(Some(signed_in)),
            Err(AppError::SignInRequired { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// A one-time message shown on the page after a successful change.
#[derive(Debug, Clone)]
pub struct Flash(pub String);

/// A signed-in member acting within the partnership named by `{pid}` in the URL.
/// Anyone who is not a member gets "not found": another partnership's pages do not exist
/// as far as they can tell.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub signed_in: SignedIn,
    pub partnership: Partnership,
    pub access: Access,
    /// The person in plans that this account is, for "my actions".
    pub person: Option<PersonId>,
    pub today: time::Date,
}

impl Ctx {
    pub fn pid(&self) -> PartnershipId {
        self.partnership.id
    }

    pub fn actor(&self) -> Actor {
        self.signed_in.actor()
    }

    /// Refuses with 403 unless the member has `capability`.
    pub fn require(&self, capability: Capability) -> Result<(), AppError> {
        if self.access.can(capability) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.access.can(capability)
    }

    /// The root of this partnership's pages.
    pub fn base(&self) -> String {
        format!("/p/{}", self.partnership.id)
    }
}

/// Today's date for deadlines, in UTC (England is at most an hour ahead).
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let signed_in =
            <SignedIn as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let pid = parts
            .uri
            .path()
            .strip_prefix("/p/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|id| id.parse::<i64>().ok())
            .map(PartnershipId)
            .ok_or(AppError::NotFound)?;
        let membership = state.store.membership(signed_in.user.id, pid).await?;
        let access = Access {
            role: membership.map(|(role, _)| role),
            deployment_admin: signed_in.user.deployment_admin,
        };
        if !access.is_member() {
            return Err(AppError::NotFound);
        }
        let partnership = state.store.get_partnership(pid).await?;
        Ok(Ctx {
            signed_in,
            partnership,
            access,
            person: membership.and_then(|(_, person)| person),
            today: today(),
        })
    }
}

/// Attaches the session (if any) to the request for the extractors above.
pub async fn load_session(
    state: &AppState,
    token: Option<&str>,
) -> Result<Option<SessionRecord>, AppError> {
    match token {
        Some(token) if !token.is_empty() => {
            Ok(state.store.find_session(&token_hash(token)).await?)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery staple").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_throttle_locks_after_five_failures() {
        let throttle = SignInThrottle::default();
        let keys = vec!["email:a@example.org".to_owned()];
        for _ in 0..4 {
            throttle.record_failure(&keys);
        }
        assert_eq!(throttle.locked_for(&keys), None);
        throttle.record_failure(&keys);
        assert_eq!(throttle.locked_for(&keys), Some(15));
        throttle.record_success(&keys);
        assert_eq!(throttle.locked_for(&keys), None);
    }
}
