//! Sending email over SMTP, for reminders.
//!
//! The mail server is given as one address, `SENDPLAN_SMTP_URL`:
//! - `smtp://host:25` sends in the clear (a relay on the same machine or network);
//! - `smtp://user:password@host:587?tls=required` upgrades with STARTTLS before signing in
//!   and refuses to go on without it;
//! - `smtps://user:password@host:465` speaks TLS from the start.
//!
//! `SENDPLAN_MAIL_FROM` is the sender ("SEND improvement <send@council.gov.uk>"), and
//! `SENDPLAN_SMTP_CA_FILE` may name a PEM certificate to trust besides the usual ones, for
//! a mail server with a private certificate authority.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one email may take, from connecting to the server's answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    None,
    StartTls,
    Tls,
}

/// Where and how to send email, as read from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
    pub from: String,
    /// A PEM certificate to trust as well as the system's.
    pub extra_root: Option<String>,
}

impl MailSettings {
    /// Reads `SENDPLAN_SMTP_URL` and its companions. `Ok(None)` when no mail server is set.
    pub fn from_env() -> Result<Option<Self>, String> {
        let Some(url) = std::env::var("SENDPLAN_SMTP_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        let from = std::env::var("SENDPLAN_MAIL_FROM").unwrap_or_default();
        let extra_root = match std::env::var("SENDPLAN_SMTP_CA_FILE") {
            Ok(path) if !path.is_empty() => Some(
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("SENDPLAN_SMTP_CA_FILE {path} cannot be read: {e}"))?,
            ),
            _ => None,
        };
        MailSettings::parse(&url, &from, extra_root).map(Some)
    }

    /// Reads a mail server address such as `smtp://user:pass@host:587?tls=required`.
    pub fn parse(url: &str, from: &str, extra_root: Option<String>) -> Result<Self, String> {
        let bad = |why: &str| format!("SENDPLAN_SMTP_URL is not a mail server address: {why}");
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("it should start smtp:// or smtps://"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((user, host)) => (Some(user), host),
            None => (None, rest),
        };
        let hostport = hostport.trim_end_matches('/');
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) => (
                host,
                Some(
                    port.parse::<u16>()
                        .map_err(|_| bad("the port is not a number"))?,
                ),
            ),
            None => (hostport, None),
        };
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        let mut security = match scheme {
            "smtp" => Security::None,
            "smtps" => Security::Tls,
            _ => return Err(bad("it should start smtp:// or smtps://")),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair {
                "tls=required" | "tls=starttls" if scheme == "smtp" => {
                    security = Security::StartTls
                }
                "tls=none" if scheme == "smtp" => security = Security::None,
                _ => return Err(bad(&format!("{pair} is not understood (use tls=required)"))),
            }
        }
        let credentials = match userinfo {
            Some(info) => {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                Some((percent_decode(user)?, percent_decode(password)?))
            }
            None => None,
        };
        if credentials.is_some() && security == Security::None {
            return Err(bad(
                "a password would be sent unprotected: add ?tls=required or use smtps://",
            ));
        }
        if from.parse::<Mailbox>().is_err() {
            return Err(format!(
                "SENDPLAN_MAIL_FROM must be the address reminders come from, such as \"SEND improvement <send@council.gov.uk>\" (it is {from:?})"
            ));
        }
        Ok(MailSettings {
            host: host.to_owned(),
            port: port.unwrap_or(match security {
                Security::None => 25,
                Security::StartTls => 587,
                Security::Tls => 465,
            }),
            security,
            credentials,
            from: from.to_owned(),
            extra_root,
        })
    }
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("SENDPLAN_SMTP_URL has a broken %-escape in its user or password")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "SENDPLAN_SMTP_URL's user or password is not UTF-8".into())
}

/// Whether the mail server's answer refuses the address itself, so that sending again
/// cannot help: 550 (no such mailbox), 551 (not local) or 553 (not a permitted name).
/// Everything else is tried again later, even other 5xx answers: a wrong password or a
/// refused connection is mended by whoever runs the server, and the reminder must still
/// go once it is, not be lost.
fn refuses_the_address(code: Option<String>) -> bool {
    matches!(code.as_deref(), Some("550" | "551" | "553"))
}

/// Why an email was not sent.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    /// The server refused it for good (a 5xx answer): trying again will not help.
    pub permanent: bool,
}

/// Sends email through the configured mail server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let tls = |host: &str| -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(host.to_owned());
            if let Some(pem) = &settings.extra_root {
                let certificate = Certificate::from_pem(pem.as_bytes())
                    .map_err(|e| format!("SENDPLAN_SMTP_CA_FILE is not a PEM certificate: {e}"))?;
                builder = builder.add_root_certificate(certificate);
            }
            builder.build().map_err(|e| e.to_string())
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(SEND_TIMEOUT))
            .tls(match settings.security {
                Security::None => Tls::None,
                Security::StartTls => Tls::Required(tls(&settings.host)?),
                Security::Tls => Tls::Wrapper(tls(&settings.host)?),
            });
        if let Some((user, password)) = &settings.credentials {
            builder = builder
                .credentials(Credentials::new(user.clone(), password.clone()))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        Ok(Mailer {
            transport: builder.build(),
            from: settings
                .from
                .parse()
                .map_err(|e| format!("SENDPLAN_MAIL_FROM: {e}"))?,
        })
    }

    /// Sends one plain-text email. `id` makes its Message-ID, so a receiving system can
    /// recognise the same email if it ever arrives twice.
    pub async fn send(
        &self,
        id: &str,
        to_name: &str,
        to_email: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), SendError> {
        let refused = |message: String| SendError {
            message,
            permanent: true,
        };
        // A name or subject from a spreadsheet can hold a line break; in a header it would
        // start another header, so each is made one line first.
        let to_name = sendplan_domain::input::one_line(to_name);
        let subject = sendplan_domain::input::one_line(subject);
        let to = Mailbox::new(
            Some(to_name).filter(|n| !n.is_empty()),
            to_email
                .parse()
                .map_err(|_| refused("the address is not a valid email address".to_owned()))?,
        );
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject.as_str())
            .message_id(Some(format!("<{id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| refused(e.to_string()))?;
        // lettre's own timeout covers only connecting; a server that accepts and then
        // says nothing must not hold the reminders up.
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(SendError {
                permanent: refuses_the_address(error.status().map(|c| c.to_string())),
                message: error.to_string(),
            }),
            Err(_) => Err(SendError {
                permanent: false,
                message: format!(
                    "the mail server did not answer within {} seconds",
                    SEND_TIMEOUT.as_secs()
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "SEND improvement <send@example.org>";

    #[test]
    fn mail_server_addresses_are_read_and_checked() {
        let s = MailSettings::parse(
            "smtp://reminders:p%40ss@mail.example.org:2587?tls=required",
            FROM,
            None,
        )
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("mail.example.org", 2587, Security::StartTls)
        );
        assert_eq!(
            s.credentials,
            Some(("reminders".to_owned(), "p@ss".to_owned()))
        );
        let s = MailSettings::parse("smtps://mail.example.org", FROM, None).unwrap();
        assert_eq!((s.port, s.security), (465, Security::Tls));
        let s = MailSettings::parse("smtp://localhost", FROM, None).unwrap();
        assert_eq!((s.port, s.security), (25, Security::None));
        for (url, why) in [
            ("mail.example.org", "smtp://"),
            ("smtp://u:p@mail.example.org", "unprotected"),
            ("smtp://mail.example.org:port", "port"),
            ("smtp://mail.example.org?tls=maybe", "tls=maybe"),
            ("http://mail.example.org", "smtp://"),
        ] {
            let error = MailSettings::parse(url, FROM, None).unwrap_err();
            assert!(error.contains(why), "{url}: {error}");
        }
        assert!(MailSettings::parse("smtp://localhost", "nobody", None)
            .unwrap_err()
            .contains("SENDPLAN_MAIL_FROM"));
    }
}
