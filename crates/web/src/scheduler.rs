//! The reminder scheduler that runs inside `sendplan serve`.
//!
//! Each round queues the reminders every plan is due (the store drops any already queued,
//! so rounds can repeat, overlap a restart or run on two servers without sending anything
//! twice), then sends what the outbox holds. A failed email is tried again later, waiting
//! twice as long each time, up to six hours; one the mail server refuses for good is kept,
//! with the server's answer, for the plan managers to see. Nothing here can stop the web
//! server: a round that fails is logged and the next round starts on time.

use crate::mail::Mailer;
use sendplan_domain::{PartnershipId, PlanId};
use sendplan_storage::{Job, Store, StoreError};
use std::collections::HashMap;
use std::time::Duration;
use time::{Date, OffsetDateTime};

/// How long a claimed email is left to one sender before another may try it.
const CLAIM: time::Duration = time::Duration::minutes(10);
/// How many emails one round sends at most.
const BATCH: usize = 100;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub queued: usize,
    pub sent: usize,
    /// Emails the mail server did not take.
    pub failed: usize,
    /// Plans whose reminders could not be worked out (each recorded against its plan).
    pub plans_failed: usize,
}

/// How long to wait before trying an email again after `attempts` failures: a minute, then
/// twice as long each time, at most six hours.
pub fn backoff(attempts: i64) -> time::Duration {
    let minutes = 1i64 << attempts.clamp(0, 9);
    time::Duration::minutes(minutes.min(6 * 60))
}

/// What each plan's reminders were last queued from: the day and the partnership's data
/// version. Reminders are worked out from nothing else, so while neither has moved there
/// is nothing new to queue, and a round passes the plan over instead of reading it again.
#[derive(Debug, Default)]
pub struct Queued {
    plans: HashMap<PlanId, (Date, i64)>,
    /// The same for each partnership's Local Offer review programme.
    reviews: HashMap<PartnershipId, (Date, i64)>,
}

/// Queues the reminders due at `now` and sends what is waiting. A plan whose reminders
/// cannot be worked out is logged and passed over, so it never holds up the others.
pub async fn run_once(
    store: &Store,
    mailer: &Mailer,
    base_url: Option<&str>,
    now: OffsetDateTime,
) -> Result<Round, StoreError> {
    run_round(store, mailer, base_url, now, &mut Queued::default()).await
}

/// One round, remembering in `queued` what each plan's reminders were last queued from.
async fn run_round(
    store: &Store,
    mailer: &Mailer,
    base_url: Option<&str>,
    now: OffsetDateTime,
    queued: &mut Queued,
) -> Result<Round, StoreError> {
    let mut round = Round::default();
    for (partnership, plan) in store.plans_with_reminders().await? {
        let link = base_url.map(|base| {
            format!(
                "{}/p/{}/plans/{}",
                base.trim_end_matches('/'),
                partnership.0,
                plan.0
            )
        });
        let from = (now.date(), store.data_version(partnership).await?);
        if queued.plans.get(&plan) == Some(&from) {
            continue;
        }
        // Each plan is worked out in a task of its own, so that a fault in one (even a
        // panic) is recorded against that plan, shown on its reminders page, and every
        // other plan still gets its reminders.
        let work = tokio::spawn({
            let store = store.clone();
            async move {
                let (reminders, title) = store.reminders_due(partnership, plan, now.date()).await?;
                store
                    .queue_reminders(partnership, plan, &title, &reminders, link.as_deref(), now)
                    .await
            }
        });
        let settled = match work.await {
            Ok(Ok(n)) => {
                round.queued += n;
                queued.plans.insert(plan, from);
                store.job_succeeded(Job::PlanReminders, plan.0).await
            }
            failed => {
                let reason = match failed {
                    Ok(Err(error)) => format!("the plan's records could not be read ({error})"),
                    _ => "sendplan met a fault of its own (it is in the server's log)".to_owned(),
                };
                tracing::error!(plan = plan.0, %reason, "this plan's reminders could not be queued");
                round.plans_failed += 1;
                store
                    .job_failed(Job::PlanReminders, partnership, plan.0, &reason, now)
                    .await
            }
        };
        if let Err(error) = settled {
            tracing::error!(plan = plan.0, %error, "could not record how this plan's reminders went");
        }
    }
    if let Some(base_url) = base_url {
        round.queued += review_programme(store, base_url, now, queued).await;
    }
    // One email claimed at a time, so that a claim never waits behind others long enough
    // to run out; and a mail server that fails for any reason but the address ends the
    // round, rather than every waiting email timing out against it in turn.
    while round.sent + round.failed < BATCH {
        let Some(mail) = store.claim_mail(now, CLAIM, 1).await?.pop() else {
            break;
        };
        let id = format!("sendplan-{}-{}", mail.purpose.replace('_', "-"), mail.id);
        match mailer
            .send(
                &id,
                &mail.to.name,
                &mail.to.email,
                &mail.subject,
                &mail.body,
            )
            .await
        {
            Ok(()) => {
                store.mail_sent(mail.id, OffsetDateTime::now_utc()).await?;
                round.sent += 1;
            }
            Err(error) => {
                // The server's words can hold the address; they are kept with the email,
                // for its plan managers, and left out of the log.
                tracing::warn!(
                    mail = mail.id,
                    attempts = mail.attempts + 1,
                    permanent = error.permanent,
                    "a reminder email was not sent"
                );
                let retry = (!error.permanent).then(|| now + backoff(mail.attempts));
                store
                    .mail_failed(mail.id, now, &error.message, retry)
                    .await?;
                round.failed += 1;
                if !error.permanent {
                    break;
                }
            }
        }
    }
    Ok(round)
}

/// Sends the Local Offer review emails due, for each partnership whose day or data has
/// moved on since its last pass. A partnership whose pass fails is logged and tried again
/// next round; the others are not held up.
async fn review_programme(
    store: &Store,
    base_url: &str,
    now: OffsetDateTime,
    queued: &mut Queued,
) -> usize {
    let partnerships = match store.partnerships_with_local_offers().await {
        Ok(partnerships) => partnerships,
        Err(error) => {
            tracing::error!(%error, "the Local Offer review programme could not start");
            return 0;
        }
    };
    let mut sent = 0;
    for partnership in partnerships {
        let from = match store.data_version(partnership).await {
            Ok(version) => (now.date(), version),
            Err(error) => {
                tracing::error!(partnership = partnership.0, %error, "the Local Offer review was passed over");
                continue;
            }
        };
        if queued.reviews.get(&partnership) == Some(&from) {
            continue;
        }
        match crate::local_offer_review::review_round(store, partnership, base_url, now).await {
            Ok(n) => {
                sent += n;
                queued.reviews.insert(partnership, from);
            }
            Err(error) => tracing::error!(
                partnership = partnership.0,
                %error,
                "the Local Offer review emails could not be sent; the next round will try again"
            ),
        }
    }
    sent
}

/// Runs a round every `every` for as long as the server runs, and at once whenever
/// `mail_waiting` is notified (an invitation or a reset link should not wait minutes).
pub fn spawn(
    store: Store,
    mailer: Mailer,
    base_url: Option<String>,
    every: Duration,
    mail_waiting: std::sync::Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut queued = Queued::default();
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = mail_waiting.notified() => {}
            }
            // Each round is a task of its own: should one ever panic, the next still runs,
            // and works every plan out afresh.
            let round = tokio::spawn({
                let (store, mailer, base_url) = (store.clone(), mailer.clone(), base_url.clone());
                async move {
                    let now = OffsetDateTime::now_utc();
                    let round =
                        run_round(&store, &mailer, base_url.as_deref(), now, &mut queued).await;
                    (queued, round)
                }
            })
            .await;
            queued = match round {
                Ok((queued, Ok(round))) => {
                    if round != Round::default() {
                        tracing::info!(
                            queued = round.queued,
                            sent = round.sent,
                            failed = round.failed,
                            "reminders"
                        );
                    }
                    queued
                }
                Ok((queued, Err(error))) => {
                    tracing::error!(%error, "the reminder round failed; the next one will try again");
                    queued
                }
                Err(error) => {
                    tracing::error!(%error, "the reminder round stopped; the next one will try again");
                    Queued::default()
                }
            };
        }
    })
}

/// Keeps the database tidy while the server runs (and records the computed measures
/// again within seconds of `measures_stale` being notified): every hour, rolls up the Local Offer's
/// page views and deletes what is past its keeping, records the Local Offer's
/// figures on the plans that measure them (so they are never more than an hour old),
/// forgets one-time form
/// tokens older than the longest a session lasts (a form that old cannot be sent: its
/// session, and so its CSRF token, has ended), and purges records deleted more than 30
/// days ago (the audit log keeps their last state). Every server sharing a database may
/// run it; the deletes are idempotent.
pub fn spawn_housekeeping(
    store: Store,
    longest_session: time::Duration,
    measures_stale: std::sync::Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(3600));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = measures_stale.notified() => {
                    // A few seconds' grace gathers a burst of answers into one refresh.
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    refresh_computed_measures(&store).await;
                    continue;
                }
            }
            let before = OffsetDateTime::now_utc() - longest_session - time::Duration::days(1);
            if let Err(error) = store.purge_submissions(before).await {
                tracing::warn!(%error, "could not purge old form tokens");
            }
            keep_local_offer_figures(&store).await;
            refresh_computed_measures(&store).await;
            match store.purge_deleted(OffsetDateTime::now_utc()).await {
                Ok(0) => {}
                Ok(purged) => {
                    tracing::info!(purged, "purged records deleted more than 30 days ago")
                }
                Err(error) => tracing::warn!(%error, "could not purge deleted records"),
            }
        }
    })
}

/// Rolls up the Local Offer's page views into each day's figures once the day is over,
/// deletes page views and searches past their keeping, and deletes comments not
/// published once their partnership's retention period has passed.
async fn keep_local_offer_figures(store: &Store) {
    let now = OffsetDateTime::now_utc();
    match store.roll_up_local_offer_days(now).await {
        Ok(0) => {}
        Ok(days) => tracing::info!(days, "rolled up the Local Offer's page views"),
        Err(error) => tracing::warn!(%error, "could not roll up the Local Offer's page views"),
    }
    match store.delete_expired_comments(now.date()).await {
        Ok(0) => {}
        Ok(deleted) => tracing::info!(
            deleted,
            "deleted Local Offer comments past their retention period"
        ),
        Err(error) => {
            tracing::warn!(%error, "could not delete Local Offer comments past their retention period")
        }
    }
}

/// Records the Local Offer's figures on the plans that hold them as measures. A
/// partnership whose figures cannot be worked out is logged and passed over.
async fn refresh_computed_measures(store: &Store) {
    let today = OffsetDateTime::now_utc().date();
    let partnerships = match store.partnerships_with_local_offers().await {
        Ok(partnerships) => partnerships,
        Err(error) => {
            tracing::warn!(%error, "could not find the Local Offers to measure");
            return;
        }
    };
    for partnership in partnerships {
        if let Err(error) = store.refresh_local_offer_measures(partnership, today).await {
            tracing::warn!(partnership = partnership.0, %error, "could not record the Local Offer's measures");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_six_hours() {
        let waits: Vec<i64> = (0..12).map(|n| backoff(n).whole_minutes()).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]);
    }
}
