//! Counting the Local Offer's use on the server, without cookies (issue 17).
//!
//! Each page view is counted as the page is served: the visitor is a keyed hash of the
//! site, the address and the browser, made with a salt that is held only in this
//! process's memory and replaced at midnight UTC, so the address is never stored and the
//! same person cannot be followed from one day to the next. Just after midnight the
//! previous day's salt is tried once, so that a visit running over midnight stays one
//! visit. Robots, and browsers sending `DNT: 1` or `Sec-GPC: 1`, are not counted.
//!
//! Counting never slows or breaks a page: a view is put in a memory buffer (at most
//! [`MOST_WAITING`]) and written with the others every second by [`spawn_writer`]; a
//! full buffer or a failed write loses those views and is logged, and the page is served
//! as always. Views still in the buffer when the process is killed are lost: they were
//! never promised to anyone.

use crate::auth::client_ip;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use sendplan_domain::local_offer::analytics::{
    asked_not_to_be_counted, device_class, is_robot, source, PageView, SearchMade, VISIT_ENDS_AFTER,
};
use sendplan_domain::PartnershipId;
use sendplan_storage::Store;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use time::{Date, OffsetDateTime};

/// The most views and searches waiting to be written; more are dropped (and logged).
pub const MOST_WAITING: usize = 100_000;

/// How often the waiting views are written.
const WRITE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The salts: today's, and the day before's (tried once for a visit running over
/// midnight). Never written anywhere.
struct Salts {
    day: Date,
    current: [u8; 32],
    previous: Option<[u8; 32]>,
}

fn fresh_salt() -> [u8; 32] {
    let mut salt = [0u8; 32];
    // getrandom only fails if the OS has no randomness, when nothing is safe to do.
    getrandom::fill(&mut salt)
        .expect("the operating system's random number generator is available");
    salt
}

fn keyed_hash(salt: &[u8; 32], site: &str, address: IpAddr, browser: &str) -> i64 {
    let mut hash = Sha256::new();
    hash.update(salt);
    for part in [
        site.as_bytes(),
        address.to_string().as_bytes(),
        browser.as_bytes(),
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

enum Counted {
    View(PartnershipId, PageView),
    Search(PartnershipId, SearchMade),
}

/// What is counted and waiting to be written, and the salts to count with.
pub struct UseCounter {
    salts: Mutex<Salts>,
    /// Visitors seen in the last 30 minutes, with when: a visit under yesterday's salt is
    /// carried on only if its visitor is here.
    recent: Mutex<HashMap<i64, OffsetDateTime>>,
    waiting: Mutex<Vec<Counted>>,
    dropped: std::sync::atomic::AtomicU64,
}

impl Default for UseCounter {
    fn default() -> Self {
        UseCounter {
            salts: Mutex::new(Salts {
                day: OffsetDateTime::now_utc().date(),
                current: fresh_salt(),
                previous: None,
            }),
            recent: Mutex::new(HashMap::new()),
            waiting: Mutex::new(Vec::new()),
            dropped: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

/// What a request says about who is asking, for counting: read from its headers and
/// connection, never kept.
pub struct Visitor {
    address: IpAddr,
    browser: String,
    referrer: Option<String>,
    campaign: Option<String>,
    host: String,
    /// A robot, or a browser that asked not to be counted.
    not_counted: bool,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let headers: &HeaderMap = &parts.headers;
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |c| c.0);
        let browser = text(header::USER_AGENT.as_str()).unwrap_or("").to_owned();
        let campaign = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "utm_source")
            .map(|(_, v)| v.into_owned());
        Ok(Visitor {
            address: client_ip(state, peer, headers),
            not_counted: is_robot(&browser)
                || asked_not_to_be_counted(text("dnt"), text("sec-gpc")),
            browser,
            referrer: text(header::REFERER.as_str()).map(str::to_owned),
            campaign,
            host: text(header::HOST.as_str()).unwrap_or("").to_owned(),
        })
    }
}

impl UseCounter {
    /// The visitor's key on `site` at `now`: today's salt, or yesterday's if that key was
    /// seen in the last 30 minutes and today's was not (a visit running over midnight).
    pub fn visitor_key(&self, site: &str, visitor: &Visitor, now: OffsetDateTime) -> i64 {
        let (current, previous) = {
            let mut salts = self.salts.lock().unwrap_or_else(|p| p.into_inner());
            if salts.day != now.date() {
                let yesterday = now.date().previous_day() == Some(salts.day);
                salts.previous = yesterday.then_some(salts.current);
                salts.current = fresh_salt();
                salts.day = now.date();
            }
            (salts.current, salts.previous)
        };
        let key = keyed_hash(&current, site, visitor.address, &visitor.browser);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let seen = |k: &i64| recent.get(k).is_some_and(|at| now - *at < VISIT_ENDS_AFTER);
        let key = match previous {
            Some(previous) if !seen(&key) => {
                let old = keyed_hash(&previous, site, visitor.address, &visitor.browser);
                if seen(&old) {
                    old
                } else {
                    key
                }
            }
            _ => key,
        };
        recent.insert(key, now);
        key
    }

    fn wait(&self, counted: Counted) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if waiting.len() >= MOST_WAITING {
            self.dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            waiting.push(counted);
        }
    }

    /// Counts a view of the page at `path` (below the Local Offer's address) in `section`.
    pub fn count_view(
        &self,
        partnership: PartnershipId,
        site: &str,
        visitor: &Visitor,
        path: &str,
        section: &str,
    ) {
        if visitor.not_counted {
            return;
        }
        let now = OffsetDateTime::now_utc();
        let view = PageView {
            visitor: self.visitor_key(site, visitor, now),
            at: now,
            path: path.chars().take(300).collect(),
            section: section.chars().take(120).collect(),
            device: device_class(&visitor.browser),
            source: source(
                visitor.referrer.as_deref(),
                visitor.campaign.as_deref(),
                &visitor.host,
            ),
        };
        self.wait(Counted::View(partnership, view));
    }

    /// Counts a search (not who made it).
    pub fn count_search(&self, partnership: PartnershipId, visitor: &Visitor, search: SearchMade) {
        if !visitor.not_counted {
            self.wait(Counted::Search(partnership, search));
        }
    }

    /// Writes what is waiting. On failure the views are lost and the failure logged;
    /// pages are never affected.
    pub async fn write(&self, store: &Store) {
        let batch = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()));
        let dropped = self.dropped.swap(0, std::sync::atomic::Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "Local Offer page views were not counted: too many were waiting to be written"
            );
        }
        {
            let now = OffsetDateTime::now_utc();
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            recent.retain(|_, at| now - *at < VISIT_ENDS_AFTER);
        }
        if batch.is_empty() {
            return;
        }
        let mut views = Vec::new();
        let mut searches = Vec::new();
        for counted in batch {
            match counted {
                Counted::View(p, v) => views.push((p, v)),
                Counted::Search(p, s) => searches.push((p, s)),
            }
        }
        if let Err(error) = store.record_use(&views, &searches).await {
            tracing::error!(%error, views = views.len(), searches = searches.len(), "could not write the Local Offer's page views; they are not counted");
        }
    }
}

/// Writes the counted views every second, for as long as the server runs.
pub fn spawn_writer(state: &AppState) -> tokio::task::JoinHandle<()> {
    let counter = state.use_counter.clone();
    let store = state.store.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(WRITE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            counter.write(&store).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn visitor(address: [u8; 4], browser: &str) -> Visitor {
        Visitor {
            address: IpAddr::from(address),
            browser: browser.into(),
            referrer: None,
            campaign: None,
            host: "x".into(),
            not_counted: false,
        }
    }

    #[test]
    fn a_visitor_keeps_one_key_a_day_and_a_visit_over_midnight_keeps_its_own() {
        let counter = UseCounter::default();
        let a = visitor([10, 0, 0, 1], "Firefox");
        let b = visitor([10, 0, 0, 2], "Firefox");
        let evening = datetime!(2026-12-04 23:50 UTC);
        {
            let mut salts = counter.salts.lock().unwrap();
            salts.day = evening.date();
        }
        let key_a = counter.visitor_key("w", &a, evening);
        assert_eq!(key_a, counter.visitor_key("w", &a, evening));
        assert_ne!(key_a, counter.visitor_key("w", &b, evening));
        assert_ne!(key_a, counter.visitor_key("other site", &a, evening));
        // 15 minutes later, after midnight: the same visit, so the same key.
        let after_midnight = datetime!(2026-12-05 00:05 UTC);
        assert_eq!(counter.visitor_key("w", &a, after_midnight), key_a);
        // Someone new after midnight gets a key under the new salt.
        let c = visitor([10, 0, 0, 3], "Firefox");
        let key_c = counter.visitor_key("w", &c, after_midnight);
        // An hour later, a returning visitor is new: the old salt is not tried for them.
        let later = datetime!(2026-12-05 01:10 UTC);
        assert_ne!(counter.visitor_key("w", &a, later), key_a);
        assert_eq!(counter.visitor_key("w", &c, later), key_c);
    }
}
