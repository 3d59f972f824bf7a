//! Single sign-on with OpenID Connect (for example Microsoft Entra ID).
//!
//! The deployment names one identity provider by its issuer address,
//! `SENDPLAN_OIDC_ISSUER`, with the client id and secret it registered there
//! (`SENDPLAN_OIDC_CLIENT_ID`, `SENDPLAN_OIDC_CLIENT_SECRET`) and, optionally, the words
//! for the sign-in button (`SENDPLAN_OIDC_NAME`). The provider must send people back to
//! `{SENDPLAN_BASE_URL}/sign-in/sso/callback`.
//!
//! Signing in is the authorization code flow with PKCE (S256), `state` and `nonce`,
//! through the `openidconnect` crate: [`SsoClient::begin`] gives the address to send the
//! browser to and a [`PendingSignIn`] to keep until it comes back;
//! [`SsoClient::finish`] checks the returned state, exchanges the code for tokens over
//! the back channel, and validates the ID token against the provider's published keys
//! (signature, issuer, audience, expiry, nonce) before trusting a word of it.
//!
//! The provider's metadata and keys are discovered on first use and kept; an ID token
//! signed by a key we have not seen makes us fetch the keys again once (providers rotate
//! them). The HTTP client never follows redirects, so a provider's answer cannot point it
//! at an internal address (server-side request forgery), and gives up after
//! [`HTTP_TIMEOUT`].
//!
//! Errors are plain-English strings meant for the log. They never contain tokens, codes,
//! secrets or email addresses.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreIdTokenClaims,
    CoreProviderMetadata,
};
use openidconnect::reqwest;
use openidconnect::{
    AccessTokenHash, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKeySet, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    Scope, SignatureVerificationError, TokenResponse,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::RwLock;

/// How long one request to the identity provider may take, from connecting to the answer.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The button's words when `SENDPLAN_OIDC_NAME` is not set: "Sign in with your
/// organisation's account".
const DEFAULT_NAME: &str = "your organisation's account";

/// Deployment settings for single sign-on.
#[derive(Clone)]
pub struct SsoSettings {
    /// The provider's issuer identifier (`SENDPLAN_OIDC_ISSUER`), for example
    /// `https://login.microsoftonline.com/TENANT/v2.0`. ID tokens must name exactly this.
    pub issuer: String,
    /// The client id sendplan was registered with at the provider (`SENDPLAN_OIDC_CLIENT_ID`).
    pub client_id: String,
    /// The client secret (`SENDPLAN_OIDC_CLIENT_SECRET`). Never logged: `Debug` hides it.
    pub client_secret: String,
    /// Shown on the button, "Sign in with {name}" (`SENDPLAN_OIDC_NAME`).
    pub name: String,
    /// Where the provider sends the browser back: `{base_url}/sign-in/sso/callback`.
    pub redirect_url: String,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[hidden]")
            .field("name", &self.name)
            .field("redirect_url", &self.redirect_url)
            .finish()
    }
}

impl SsoSettings {
    /// Reads `SENDPLAN_OIDC_ISSUER` and its companions. `Ok(None)` when no issuer is set (single
    /// sign-on is off); `Err`, in plain English, when it is set but the others are missing or
    /// invalid, or when `base_url` (sendplan's public address) is unknown.
    pub fn from_env(base_url: Option<&str>) -> Result<Option<SsoSettings>, String> {
        Self::from_variables(base_url, |name| std::env::var(name).ok())
    }

    /// [`SsoSettings::from_env`] with the environment given as a function, for tests.
    fn from_variables(
        base_url: Option<&str>,
        variable: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SsoSettings>, String> {
        let read = |name: &str| {
            variable(name)
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        let Some(issuer) = read("SENDPLAN_OIDC_ISSUER") else {
            return Ok(None);
        };
        check_issuer(&issuer)?;
        let client_id = read("SENDPLAN_OIDC_CLIENT_ID").ok_or(
            "SENDPLAN_OIDC_ISSUER is set but SENDPLAN_OIDC_CLIENT_ID is not: \
             single sign-on needs the client id sendplan was registered with",
        )?;
        // The secret is taken as given, spaces and all: it is not ours to tidy.
        let client_secret = variable("SENDPLAN_OIDC_CLIENT_SECRET")
            .filter(|secret| !secret.is_empty())
            .ok_or(
                "SENDPLAN_OIDC_ISSUER is set but SENDPLAN_OIDC_CLIENT_SECRET is not: \
                 single sign-on needs the client secret sendplan was registered with",
            )?;
        let name = read("SENDPLAN_OIDC_NAME").unwrap_or_else(|| DEFAULT_NAME.to_string());
        let base_url = base_url.map(str::trim).filter(|b| !b.is_empty()).ok_or(
            "SENDPLAN_OIDC_ISSUER is set but sendplan's public address is not \
             (SENDPLAN_BASE_URL): the identity provider needs it to send people back",
        )?;
        let redirect_url = format!("{}/sign-in/sso/callback", base_url.trim_end_matches('/'));
        let parsed = openidconnect::url::Url::parse(&redirect_url).map_err(|e| {
            format!("SENDPLAN_BASE_URL is not a web address, so single sign-on cannot use it: {e}")
        })?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.query().is_some() {
            return Err("SENDPLAN_BASE_URL should be a web address such as \
                        https://send.example.org, with no query"
                .to_string());
        }
        Ok(Some(SsoSettings {
            issuer,
            client_id,
            client_secret,
            name,
            redirect_url,
        }))
    }
}

/// Refuses an issuer that is not an https address (plain http only on this machine, for
/// tests), carries a query or fragment, or is one of Entra ID's multi-tenant aliases.
fn check_issuer(issuer: &str) -> Result<(), String> {
    let bad =
        |why: &str| format!("SENDPLAN_OIDC_ISSUER is not an identity provider's issuer: {why}");
    let url = openidconnect::url::Url::parse(issuer)
        .map_err(|e| bad(&format!("it is not a web address ({e})")))?;
    let loopback = matches!(
        url.host(),
        Some(openidconnect::url::Host::Domain("localhost"))
    ) || matches!(url.host(), Some(openidconnect::url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(openidconnect::url::Host::Ipv6(ip)) if ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(bad("it should start https://")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it should have no ? or # part"));
    }
    if is_entra(issuer) {
        // These aliases publish "{tenantid}" as their issuer, so no token could ever match;
        // and accepting any tenant would let any organisation's administrator vouch for
        // any email address.
        let tenant = url.path_segments().and_then(|mut s| s.next()).unwrap_or("");
        if ["common", "organizations", "consumers"].contains(&tenant.to_ascii_lowercase().as_str())
        {
            return Err(bad(
                "name your own directory (tenant) id, as in \
                 https://login.microsoftonline.com/TENANT-ID/v2.0, not a multi-tenant alias",
            ));
        }
    }
    Ok(())
}

/// Whether an issuer is Microsoft Entra ID's (global cloud).
fn is_entra(issuer: &str) -> bool {
    openidconnect::url::Url::parse(issuer)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|h| h.eq_ignore_ascii_case("login.microsoftonline.com"))
        })
        .unwrap_or(false)
}

/// What must be remembered between sending the browser to the provider and its return.
/// Keep it where only this browser's session can reach it, and use it once.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The `state` sent to the provider; its return must carry the same.
    pub state: String,
    /// The `nonce` sent to the provider; the ID token must carry the same.
    pub nonce: String,
    /// The PKCE code verifier whose S256 challenge was sent to the provider.
    pub pkce_verifier: String,
}

/// An identity the provider vouched for, with an email address it confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// The provider's stable identifier for the person (`sub`), unique within the issuer.
    pub subject: String,
    /// The email address, lower-cased.
    pub email: String,
    /// The person's name, if the provider gave one.
    pub name: Option<String>,
}

/// Signs people in with the configured provider. Cheap to clone: clones share one
/// connection pool and one cache of the provider's metadata and keys.
#[derive(Clone)]
pub struct SsoClient {
    shared: Arc<Shared>,
}

struct Shared {
    settings: SsoSettings,
    /// Whether the issuer is Entra ID, whose `email` claim we trust without `email_verified`.
    issuer_is_entra: bool,
    /// Building the client fails only if TLS cannot start; kept so that sendplan still starts.
    http: Result<reqwest::Client, String>,
    /// The provider's metadata with its keys, once discovered.
    provider: RwLock<Option<Arc<CoreProviderMetadata>>>,
}

impl std::fmt::Debug for SsoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoClient")
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

/// The `openidconnect` client as built from discovered metadata.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

impl SsoClient {
    /// Discovers the provider (metadata and keys) lazily on first use and caches it; if the
    /// provider is unreachable at server start, sendplan still starts.
    pub fn new(settings: SsoSettings) -> SsoClient {
        let http = reqwest::Client::builder()
            // Following redirects would let the provider's answers send us anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| format!("the HTTP client for single sign-on could not start: {e}"));
        let issuer_is_entra = is_entra(&settings.issuer);
        SsoClient {
            shared: Arc::new(Shared {
                settings,
                issuer_is_entra,
                http,
                provider: RwLock::new(None),
            }),
        }
    }

    /// The words for the sign-in button: "Sign in with {name}".
    pub fn name(&self) -> &str {
        &self.shared.settings.name
    }

    /// The provider's authorization URL to redirect the browser to, and what to remember.
    /// `login_hint`: an email address to prefill at the provider, if known. The URL carries
    /// the hint, so do not log it.
    pub async fn begin(&self, login_hint: Option<&str>) -> Result<(String, PendingSignIn), String> {
        let provider = self.provider().await?;
        let client = self.client(&provider)?;
        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_string()))
            .add_scope(Scope::new("profile".to_string()))
            .set_pkce_challenge(pkce_challenge);
        if let Some(hint) = login_hint.map(str::trim).filter(|h| !h.is_empty()) {
            request = request.add_extra_param("login_hint", hint.to_string());
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            PendingSignIn {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: pkce_verifier.secret().clone(),
            },
        ))
    }

    /// Exchanges the code and validates the ID token. `returned_state` must equal
    /// `pending.state` (compared in constant time). On an ID token signed by an unknown key,
    /// refetches the keys once and retries validation.
    pub async fn finish(
        &self,
        pending: &PendingSignIn,
        code: &str,
        returned_state: &str,
    ) -> Result<VerifiedIdentity, String> {
        if !same_secret(&pending.state, returned_state) {
            return Err(
                "the identity provider's answer does not belong to the sign-in this \
                        browser started (the state does not match)"
                    .to_string(),
            );
        }
        if code.is_empty() {
            return Err("the identity provider's answer carried no authorization code".to_string());
        }
        let http = self.http()?;
        let mut provider = self.provider().await?;
        let client = self.client(&provider)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| format!("the identity provider publishes no token endpoint: {e}"))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(answer) => {
                    format!("the identity provider refused the authorization code: {answer}")
                }
                RequestTokenError::Request(e) => format!(
                    "the identity provider's token endpoint could not be reached: {}",
                    error_chain(&e)
                ),
                // The serde message could quote a token, so only the path is told.
                RequestTokenError::Parse(e, _) => format!(
                    "the identity provider's token response could not be read (at {})",
                    e.path()
                ),
                RequestTokenError::Other(why) => {
                    format!("the identity provider's token response was not understood: {why}")
                }
            })?;
        let id_token = token
            .id_token()
            .ok_or("the identity provider's token response carried no ID token")?;
        let nonce = Nonce::new(pending.nonce.clone());

        let mut refetched = false;
        let identity = loop {
            let client = self.client(&provider)?;
            let verifier = client.id_token_verifier();
            let claims = match id_token.claims(&verifier, &nonce) {
                Ok(claims) => claims,
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if !refetched => {
                    refetched = true;
                    provider = self.refetch_keys(&provider).await?;
                    continue;
                }
                Err(e) => return Err(format!("the ID token is not valid: {e}")),
            };
            // The access token must be the one the ID token was issued with, if it says so.
            if let Some(expected) = claims.access_token_hash() {
                let alg = id_token
                    .signing_alg()
                    .map_err(|e| format!("the ID token is not valid: {e}"))?;
                let key = id_token
                    .signing_key(&verifier)
                    .map_err(|e| format!("the ID token is not valid: {e}"))?;
                let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
                    .map_err(|e| format!("the access token's hash could not be computed: {e}"))?;
                if actual != *expected {
                    return Err("the access token does not belong with the ID token".to_string());
                }
            }
            break identity_from(claims, self.shared.issuer_is_entra)?;
        };
        Ok(identity)
    }

    fn http(&self) -> Result<&reqwest::Client, String> {
        self.shared.http.as_ref().map_err(Clone::clone)
    }

    fn client(&self, provider: &CoreProviderMetadata) -> Result<DiscoveredClient, String> {
        let settings = &self.shared.settings;
        let redirect = RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|e| format!("the sign-in return address is not a web address: {e}"))?;
        // client_secret_basic is the default of the standard and of openidconnect; a provider
        // that lists only client_secret_post gets that.
        let auth_type = match provider.token_endpoint_auth_methods_supported() {
            Some(methods)
                if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
            {
                AuthType::RequestBody
            }
            _ => AuthType::BasicAuth,
        };
        Ok(CoreClient::from_provider_metadata(
            provider.clone(),
            ClientId::new(settings.client_id.clone()),
            Some(ClientSecret::new(settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect)
        .set_auth_type(auth_type))
    }

    /// The provider's metadata and keys, discovered on first use.
    async fn provider(&self) -> Result<Arc<CoreProviderMetadata>, String> {
        if let Some(provider) = self.shared.provider.read().await.as_ref() {
            return Ok(provider.clone());
        }
        let mut cached = self.shared.provider.write().await;
        // Another request may have discovered it while this one waited.
        if let Some(provider) = cached.as_ref() {
            return Ok(provider.clone());
        }
        let issuer = IssuerUrl::new(self.shared.settings.issuer.clone())
            .map_err(|e| format!("SENDPLAN_OIDC_ISSUER is not a web address: {e}"))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, self.http()?)
            .await
            .map_err(|e| {
                format!(
                    "the identity provider at {} could not be discovered: {}",
                    self.shared.settings.issuer,
                    error_chain(&e)
                )
            })?;
        tracing::info!(issuer = %self.shared.settings.issuer, "discovered the identity provider");
        let provider = Arc::new(metadata);
        *cached = Some(provider.clone());
        Ok(provider)
    }

    /// Fetches the provider's keys again, unless another request already did since `seen`.
    async fn refetch_keys(
        &self,
        seen: &Arc<CoreProviderMetadata>,
    ) -> Result<Arc<CoreProviderMetadata>, String> {
        let mut cached = self.shared.provider.write().await;
        if let Some(current) = cached.as_ref() {
            if !Arc::ptr_eq(current, seen) {
                return Ok(current.clone());
            }
        }
        tracing::info!(
            issuer = %self.shared.settings.issuer,
            "an ID token was signed with a key not seen before: fetching the provider's keys again"
        );
        let keys = JsonWebKeySet::fetch_async(seen.jwks_uri(), self.http()?)
            .await
            .map_err(|e| {
                format!(
                    "the identity provider's signing keys could not be fetched again: {}",
                    error_chain(&e)
                )
            })?;
        let provider = Arc::new((**seen).clone().set_jwks(keys));
        *cached = Some(provider.clone());
        Ok(provider)
    }
}

/// Whether two secrets are equal, in time that depends on neither. Hashing first makes
/// their lengths irrelevant too.
fn same_secret(expected: &str, given: &str) -> bool {
    Sha256::digest(expected.as_bytes())
        .ct_eq(&Sha256::digest(given.as_bytes()))
        .into()
}

/// The identity in validated claims, if they carry an email address the provider confirmed.
fn identity_from(
    claims: &CoreIdTokenClaims,
    issuer_is_entra: bool,
) -> Result<VerifiedIdentity, String> {
    let email = confirmed_email(
        claims.email().map(|e| e.as_str()),
        claims.email_verified(),
        claims.preferred_username().map(|u| u.as_str()),
        issuer_is_entra,
    )?;
    let name = claims
        .name()
        .and_then(|name| name.get(None))
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty());
    Ok(VerifiedIdentity {
        subject: claims.subject().as_str().to_string(),
        email,
        name,
    })
}

/// Chooses the email address to trust, lower-cased, from the ID token's claims.
///
/// An address is trusted when the provider says it checked it: `email_verified` is `true`.
/// `email_verified: false` is always refused.
///
/// Microsoft Entra ID does not send `email_verified` at all. Its `email` claim is the
/// user's mail attribute in the organisation's directory, set by that organisation's
/// administrators rather than typed by the user. Because the issuer is one named tenant
/// (multi-tenant aliases are refused in [`check_issuer`], and the ID token's issuer must
/// match), only that directory's administrators can put an address there, and the
/// deployment chose to trust them by naming their tenant. So for Entra ID issuers only, a
/// missing `email_verified` is taken as confirmed. (An administrator of that tenant could
/// still give a user an address in a domain they do not own; Entra's optional `xms_edov`
/// claim would tell. That is the deployment's trust in its own directory.)
///
/// Entra ID sends `email` only if the user has a mailbox attribute or the app asks for it
/// as an optional claim; otherwise `preferred_username` (the sign-in name, usually the
/// address) is used under the same rule, if it looks like an address. Guests'
/// `#EXT#` names do not.
fn confirmed_email(
    email: Option<&str>,
    email_verified: Option<bool>,
    preferred_username: Option<&str>,
    issuer_is_entra: bool,
) -> Result<String, String> {
    let refused = || "the identity provider did not confirm an email address".to_string();
    let directory_managed = issuer_is_entra && email_verified.is_none();
    let candidate = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) if email_verified == Some(true) || directory_managed => email,
        Some(_) => return Err(refused()),
        None if directory_managed => preferred_username.map(str::trim).ok_or_else(refused)?,
        None => return Err(refused()),
    };
    if !looks_like_email(candidate) {
        return Err(refused());
    }
    Ok(candidate.to_lowercase())
}

/// A plain `local@domain.tld` address: one `@`, a dot inside the domain, no spaces,
/// control characters or `#`.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#')
}

/// An error with its causes, "outer: inner: innermost", as reqwest's own message is terse.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings_from(
        base_url: Option<&str>,
        variables: &[(&str, &str)],
    ) -> Result<Option<SsoSettings>, String> {
        let variables: HashMap<String, String> = variables
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SsoSettings::from_variables(base_url, |name| variables.get(name).cloned())
    }

    const ENTRA: &str =
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";

    fn complete() -> Vec<(&'static str, &'static str)> {
        vec![
            ("SENDPLAN_OIDC_ISSUER", ENTRA),
            ("SENDPLAN_OIDC_CLIENT_ID", "sendplan-client"),
            ("SENDPLAN_OIDC_CLIENT_SECRET", "s3cret~value"),
        ]
    }

    #[test]
    fn single_sign_on_is_off_when_no_issuer_is_set() {
        assert_eq!(
            settings_from(Some("https://send.example.org"), &[])
                .unwrap()
                .map(|s| s.issuer),
            None
        );
        assert!(settings_from(None, &[("SENDPLAN_OIDC_ISSUER", "  ")])
            .unwrap()
            .is_none());
    }

    #[test]
    fn complete_settings_build_the_return_address_from_the_base_url() {
        let settings = settings_from(Some("https://send.example.org/"), &complete())
            .unwrap()
            .unwrap();
        assert_eq!(settings.issuer, ENTRA);
        assert_eq!(settings.client_id, "sendplan-client");
        assert_eq!(settings.client_secret, "s3cret~value");
        assert_eq!(settings.name, "your organisation's account");
        assert_eq!(
            settings.redirect_url,
            "https://send.example.org/sign-in/sso/callback"
        );
    }

    #[test]
    fn the_button_name_can_be_chosen() {
        let mut variables = complete();
        variables.push(("SENDPLAN_OIDC_NAME", "Wolverhampton Council"));
        let settings = settings_from(Some("https://send.example.org"), &variables)
            .unwrap()
            .unwrap();
        assert_eq!(settings.name, "Wolverhampton Council");
    }

    #[test]
    fn an_issuer_without_its_client_id_or_secret_is_refused_by_name() {
        for missing in ["SENDPLAN_OIDC_CLIENT_ID", "SENDPLAN_OIDC_CLIENT_SECRET"] {
            let variables: Vec<_> = complete()
                .into_iter()
                .filter(|(k, _)| *k != missing)
                .collect();
            let error = settings_from(Some("https://send.example.org"), &variables).unwrap_err();
            assert!(error.contains(missing), "{error}");
        }
    }

    #[test]
    fn an_issuer_without_a_base_url_is_refused() {
        let error = settings_from(None, &complete()).unwrap_err();
        assert!(error.contains("SENDPLAN_BASE_URL"), "{error}");
        let error = settings_from(Some("send.example.org"), &complete()).unwrap_err();
        assert!(error.contains("SENDPLAN_BASE_URL"), "{error}");
    }

    #[test]
    fn issuers_must_be_https_except_on_this_machine() {
        let with_issuer = |issuer: &'static str| {
            let mut variables = complete();
            variables[0] = ("SENDPLAN_OIDC_ISSUER", issuer);
            settings_from(Some("https://send.example.org"), &variables)
        };
        for refused in [
            "http://login.example.org",
            "login.example.org",
            "ftp://login.example.org",
            "https://login.example.org/?tenant=1",
            "https://login.microsoftonline.com/common/v2.0",
            "https://login.microsoftonline.com/organizations/v2.0",
        ] {
            let error = with_issuer(refused).unwrap_err();
            assert!(
                error.starts_with("SENDPLAN_OIDC_ISSUER"),
                "{refused}: {error}"
            );
        }
        for accepted in [
            "https://login.example.org",
            "https://accounts.google.com",
            "http://127.0.0.1:4000",
            "http://localhost:4000/oidc",
            "http://[::1]:4000",
        ] {
            assert!(with_issuer(accepted).unwrap().is_some(), "{accepted}");
        }
    }

    #[test]
    fn debug_output_hides_the_client_secret() {
        let settings = settings_from(Some("https://send.example.org"), &complete())
            .unwrap()
            .unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("[hidden]") && shown.contains("sendplan-client"),
            "{shown}"
        );
        let client = SsoClient::new(settings);
        let shown = format!("{client:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(client.name(), "your organisation's account");
    }

    #[test]
    fn states_match_only_when_identical() {
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc123", "abc124"));
        assert!(!same_secret("abc123", "abc1234"));
        assert!(!same_secret("abc123", ""));
        assert!(same_secret("", ""));
    }

    #[test]
    fn a_verified_email_is_accepted_lower_cased() {
        assert_eq!(
            confirmed_email(Some("Ann.Smith@Example.ORG"), Some(true), None, false),
            Ok("ann.smith@example.org".to_string())
        );
    }

    #[test]
    fn an_unverified_email_is_refused_even_from_entra() {
        for entra in [false, true] {
            assert_eq!(
                confirmed_email(Some("ann@example.org"), Some(false), None, entra),
                Err("the identity provider did not confirm an email address".to_string())
            );
        }
    }

    #[test]
    fn a_missing_email_verified_is_trusted_only_from_entra() {
        assert!(confirmed_email(Some("ann@example.org"), None, None, false).is_err());
        assert_eq!(
            confirmed_email(Some("ann@example.org"), None, None, true),
            Ok("ann@example.org".to_string())
        );
    }

    #[test]
    fn entra_sign_in_names_stand_in_for_a_missing_email_if_they_look_like_one() {
        assert_eq!(
            confirmed_email(None, None, Some("Ann@Example.org"), true),
            Ok("ann@example.org".to_string())
        );
        assert!(confirmed_email(None, None, Some("Ann@Example.org"), false).is_err());
        assert!(confirmed_email(None, Some(true), Some("ann@example.org"), false).is_err());
        for not_an_address in [
            "ann_example.org#EXT#@tenant.onmicrosoft.com",
            "ann",
            "ann@localhost",
            "ann smith@example.org",
            "@example.org",
        ] {
            assert!(
                confirmed_email(None, None, Some(not_an_address), true).is_err(),
                "{not_an_address}"
            );
        }
        assert!(confirmed_email(None, None, None, true).is_err());
    }

    #[test]
    fn only_microsofts_login_host_counts_as_entra() {
        assert!(is_entra(ENTRA));
        assert!(!is_entra(
            "https://login.microsoftonline.com.example.org/x/v2.0"
        ));
        assert!(!is_entra("https://accounts.google.com"));
    }

    #[tokio::test]
    async fn an_unreachable_provider_is_an_error_not_a_panic() {
        let mut settings = settings_from(Some("http://127.0.0.1:9"), &complete())
            .unwrap()
            .unwrap();
        settings.issuer = "http://127.0.0.1:9".to_string();
        let client = SsoClient::new(settings);
        let error = client.begin(None).await.unwrap_err();
        assert!(error.contains("could not be discovered"), "{error}");
        let pending = PendingSignIn {
            state: "s".to_string(),
            nonce: "n".to_string(),
            pkce_verifier: "v".to_string(),
        };
        let error = client.finish(&pending, "code", "t").await.unwrap_err();
        assert!(error.contains("state does not match"), "{error}");
    }
}
