//! Passwords, sessions and who is asking: the extractors handlers use to know the
//! signed-in account and what it may do in the partnership named in the URL.

use crate::errors::{AppError, Refusal};
use crate::AppState;
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use sendplan_domain::access::{Access, Capability};
use sendplan_domain::partnership::Partnership;
use sendplan_domain::{PartnershipId, PersonId};
use sendplan_storage::{Actor, SessionRecord, UserRecord};
use sha2::{Digest, Sha256};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sendplan_session";
/// Name of the cookie that protects the sign-in form (there is no session yet).
pub const SIGN_IN_CSRF_COOKIE: &str = "sendplan_csrf";
/// Name of the cookie carrying a one-time confirmation message after a redirect.
pub const FLASH_COOKIE: &str = "sendplan_flash";

/// Argon2's working memory for one hash: `Params::DEFAULT` (Argon2id, 19 MiB, two passes),
/// OWASP's recommendation.
type Memory = Vec<argon2::Block>;

fn new_memory() -> Memory {
    vec![argon2::Block::default(); argon2::Params::DEFAULT.block_count()]
}

/// Hashes a password with Argon2id and a random salt, in `memory`.
fn hash_in(password: &str, memory: &mut Memory) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let argon2 = Argon2::default();
    let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .map_err(|e| e.to_string())?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(argon2::Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(argon2::Params::DEFAULT)
            .map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the stored Argon2 `hash`, computed in `memory` (or in memory
/// of its own, for a hash made with other settings).
fn verify_in(password: &str, hash: &str, memory: &mut Memory) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or_default();
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut own = Vec::new();
    let memory = if memory.len() >= params.block_count() {
        memory
    } else {
        own.resize(params.block_count(), argon2::Block::default());
        &mut own
    };
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Hashes a password with Argon2id and a random salt (for the command line and tests;
/// the server hashes through [`Passwords`]).
pub fn hash_password(password: &str) -> Result<String, String> {
    hash_in(password, &mut new_memory())
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    verify_in(password, hash, &mut new_memory())
}

/// Runs Argon2 off the request threads, one per core at a time, each in working memory
/// kept for the purpose. Each hash needs 19 MiB: allocated afresh, the allocator kept it
/// per thread after the hash was done, and a few sign-ins grew the server by 100 MB. With
/// the memory kept and reused, the server holds one block per core and no more, however
/// many people sign in at once.
#[derive(Debug)]
pub struct Passwords {
    permits: tokio::sync::Semaphore,
    memory: std::sync::Mutex<Vec<Memory>>,
}

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Passwords {
            permits: tokio::sync::Semaphore::new(cores),
            memory: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl Passwords {
    /// Runs `work` in a block of kept memory, under a permit.
    async fn with_memory<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Option<T> {
        let _permit = self.permits.acquire().await.ok()?;
        let taken = self.memory.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut memory = taken.unwrap_or_else(new_memory);
        let (result, memory) = tokio::task::spawn_blocking(move || {
            let result = work(&mut memory);
            (result, memory)
        })
        .await
        .ok()?;
        self.memory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(memory);
        Some(result)
    }

    /// Whether `password` matches `hash` (false for an empty hash: an account that signs
    /// in only through the identity provider has no password to match).
    pub async fn verify(&self, password: String, hash: String) -> bool {
        self.with_memory(move |memory| verify_in(&password, &hash, memory))
            .await
            .unwrap_or(false)
    }

    pub async fn hash(&self, password: String) -> Result<String, String> {
        self.with_memory(move |memory| hash_in(&password, memory))
            .await
            .unwrap_or_else(|| Err("the password could not be hashed".to_owned()))
    }
}

/// A fresh random token, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // getrandom only fails if the OS has no randomness, when nothing is safe to do.
    getrandom::fill(&mut bytes)
        .expect("the operating system's random number generator is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sessions, links and attempt counts are stored under a hash of their token or key.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The attempt-count bucket for `what` (such as `sign-in-account`) and a key (an email
/// address or a client address), hashed so the table holds no addresses.
pub fn bucket(what: &str, key: &str) -> String {
    format!("{what}:{}", token_hash(&key.trim().to_lowercase()))
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The address a request came from, believing `X-Forwarded-For` only from a trusted proxy.
pub fn client_ip(
    state: &AppState,
    peer: std::net::SocketAddr,
    headers: &axum::http::HeaderMap,
) -> std::net::IpAddr {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    sendplan_domain::accounts::client_address(peer.ip(), &forwarded, &state.config.trusted_proxies)
}

/// The signed-in account. Extracting it from a request without a session redirects to
/// the sign-in page.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: UserRecord,
    pub csrf_token: String,
    /// This session's handle, to tell it apart in "Your sessions".
    pub session_handle: String,
    pub flash: Option<Flash>,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor(Some(self.user.id))
    }

    /// Refuses unless the account is a deployment administrator.
    pub fn require_deployment_admin(&self) -> Result<(), AppError> {
        if self.user.deployment_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(Refusal::Deployment))
        }
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
        let flash = parts.extensions.get::<Flash>().cloned();
        match session {
            Some(session) => Ok(SignedIn {
                user: session.user,
                csrf_token: session.csrf_token,
                session_handle: session.handle,
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

/// A one-time message shown on the page after a redirect: a success, or news to notice
/// (shown as "Important").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub important: bool,
}

impl Flash {
    /// As the cookie holds it: the text URL-encoded, after `!` when it is news. (`!` is
    /// always encoded within the text, so a leading one is never part of it.)
    pub fn to_cookie(&self) -> String {
        let mark = if self.important { "!" } else { "" };
        format!("{mark}{}", crate::views::url_encode(&self.text))
    }

    /// The message a cookie holds, if any.
    pub fn from_cookie(value: &str) -> Option<Flash> {
        let (important, text) = match value.strip_prefix('!') {
            Some(text) => (true, text),
            None => (false, value),
        };
        let text = crate::views::url_decode(text);
        (!text.is_empty()).then_some(Flash { text, important })
    }
}

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
    /// The address asked for, so the layout can show where in a plan the page is.
    pub path: String,
}

impl Ctx {
    pub fn pid(&self) -> PartnershipId {
        self.partnership.id
    }

    pub fn actor(&self) -> Actor {
        self.signed_in.actor()
    }

    /// Refuses with 403 unless the member has `capability`, saying what is missing.
    pub fn require(&self, capability: Capability) -> Result<(), AppError> {
        if self.access.can(capability) {
            Ok(())
        } else {
            Err(self.refuse(capability))
        }
    }

    /// The refusal for lacking `capability` here.
    pub fn refuse(&self, capability: Capability) -> AppError {
        AppError::Forbidden(Refusal::InPartnership {
            partnership: self.pid(),
            capability,
            role: self.access.role,
        })
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.access.can(capability)
    }

    /// The root of this partnership's pages.
    pub fn base(&self) -> String {
        format!("/p/{}", self.partnership.id)
    }
}

/// The page an account starts from in a partnership: its plans, or for a Local Offer
/// provider, their services.
pub fn partnership_home(pid: PartnershipId, role: Option<sendplan_domain::access::Role>) -> String {
    match role {
        Some(sendplan_domain::access::Role::Provider) => format!("/p/{}/provide", pid.0),
        _ => format!("/p/{}", pid.0),
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
        // A post's context was read before its body (see the session middleware).
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
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
        let membership = state
            .store
            .membership_with_casework(signed_in.user.id, pid)
            .await?;
        let access = Access {
            role: membership.map(|(role, _, _)| role),
            deployment_admin: signed_in.user.deployment_admin,
            casework: membership.is_some_and(|(_, _, casework)| casework),
        };
        if !access.belongs() {
            return Err(AppError::NotFound);
        }
        let partnership = state.store.get_partnership(pid).await?;
        // A provider belongs to the partnership but sees only their own pages.
        let own_pages = partnership_home(pid, Some(sendplan_domain::access::Role::Provider));
        let path = parts.uri.path();
        if !access.is_member() && path != own_pages && !path.starts_with(&format!("{own_pages}/")) {
            return Err(AppError::Forbidden(Refusal::InPartnership {
                partnership: pid,
                capability: Capability::View,
                role: access.role,
            }));
        }
        Ok(Ctx {
            signed_in,
            partnership,
            access,
            person: membership.and_then(|(_, person, _)| person),
            today: today(),
            path: parts.uri.path().to_owned(),
        })
    }
}

/// Attaches the session (if any) to the request for the extractors above.
pub async fn load_session(
    state: &AppState,
    token: Option<&str>,
) -> Result<Option<SessionRecord>, AppError> {
    match token {
        Some(token) if !token.is_empty() => Ok(state
            .store
            .find_session(
                &token_hash(token),
                state.config.sessions,
                time::OffsetDateTime::now_utc(),
            )
            .await?),
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

    /// Hashes made in kept memory are standard PHC strings: the argon2 crate's own
    /// verifier accepts them, and hashes it made (as earlier versions stored) still verify.
    #[test]
    fn hashes_are_interchangeable_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_password("a passphrase of some length").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        assert!(Argon2::default()
            .verify_password(b"a passphrase of some length", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"stored by an earlier version", &salt)
            .expect("hash")
            .to_string();
        let mut memory = new_memory();
        assert!(verify_in(
            "stored by an earlier version",
            &theirs,
            &mut memory
        ));
        assert!(!verify_in("something else", &theirs, &mut memory));
    }

    #[test]
    fn a_flash_keeps_its_kind_through_the_cookie() {
        for flash in [
            Flash {
                text: "Update posted on action 1.2".into(),
                important: false,
            },
            Flash {
                text: "!Not news; 100% sure".into(),
                important: false,
            },
            Flash {
                text: "That form had already been sent".into(),
                important: true,
            },
        ] {
            assert_eq!(Flash::from_cookie(&flash.to_cookie()), Some(flash));
        }
        assert_eq!(Flash::from_cookie(""), None);
    }
}
