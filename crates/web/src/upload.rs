//! Forms that send a file (`multipart/form-data`), read as a stream by multer within the
//! route's limit. The body is not touched when the handler is called: the handler checks
//! the person's rights first and only then reads, so nobody without the right to upload
//! can make the server read an upload. The CSRF token must be the form's first field, so
//! a forged form is refused before any file is read.

use crate::errors::AppError;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use sendplan_domain::input::RawForm;
use sendplan_storage::SessionRecord;
use std::time::Duration;

/// The most fields an upload form has (the largest has fewer than ten).
const MAX_FIELDS: usize = 32;
/// The longest text field of an upload form.
const MAX_FIELD_BYTES: u64 = 64 * 1024;
/// How long an upload may take to arrive: 10 MB over a slow mobile connection (1 Mbit/s)
/// takes about 80 seconds.
pub const UPLOAD_READ_TIME: Duration = Duration::from_secs(120);

/// A file form, not yet read. Take it in a handler, check the person may do this, then
/// call [`Upload::read`].
pub struct Upload {
    body: Body,
    content_type: String,
    expected_csrf: Option<String>,
    limit: usize,
}

/// A file form, read: its text fields, and the file if one was chosen.
#[derive(Debug, Default)]
pub struct Uploaded {
    pub form: RawForm,
    /// The chosen file's name and bytes.
    pub file: Option<(String, Vec<u8>)>,
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = AppError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let expected_csrf = request
            .extensions()
            .get::<SessionRecord>()
            .map(|s| s.csrf_token.clone());
        let limit = request
            .extensions()
            .get::<crate::handlers::BodyPolicy>()
            .map_or(crate::MAX_BODY_BYTES, |p| p.limit);
        Ok(Upload {
            body: request.into_body(),
            content_type,
            expected_csrf,
            limit,
        })
    }
}

impl Upload {
    /// Reads the form, within the route's limit and [`UPLOAD_READ_TIME`].
    pub async fn read(self) -> Result<Uploaded, AppError> {
        let limit = self.limit;
        match tokio::time::timeout(UPLOAD_READ_TIME, self.read_fields()).await {
            Ok(read) => read.map_err(|e| match e {
                ReadError::App(e) => e,
                ReadError::Multipart(multer::Error::StreamSizeExceeded { .. }) => {
                    AppError::TooLarge(limit)
                }
                // The limit reached: the file's (the route's), or a text field's.
                ReadError::Multipart(multer::Error::FieldSizeExceeded { limit, .. }) => {
                    AppError::TooLarge(usize::try_from(limit).unwrap_or(usize::MAX))
                }
                ReadError::Multipart(other) => AppError::Unreadable(format!(
                    "The upload could not be read ({other}). Go back and choose the file again."
                )),
            }),
            Err(_) => Err(AppError::TimedOut),
        }
    }

    async fn read_fields(self) -> Result<Uploaded, ReadError> {
        let boundary = multer::parse_boundary(&self.content_type).map_err(|_| {
            AppError::Unreadable(
                "This form sends a file, so it must be sent as multipart/form-data.".to_owned(),
            )
        })?;
        let limits = multer::SizeLimit::new()
            .whole_stream(self.limit as u64)
            .per_field(MAX_FIELD_BYTES)
            .for_field("file", self.limit as u64);
        let mut multipart = multer::Multipart::with_constraints(
            self.body.into_data_stream(),
            boundary,
            multer::Constraints::new().size_limit(limits),
        );
        // The CSRF token first, before anything else is read.
        let first = multipart.next_field().await?;
        let sent = match first {
            Some(field) if field.name() == Some("_csrf") => Some(field.text().await?),
            _ => None,
        };
        let valid = matches!(
            (sent.as_deref(), self.expected_csrf.as_deref()),
            (Some(sent), Some(expected)) if crate::auth::same_secret(sent, expected)
        );
        if !valid {
            return Err(AppError::FormExpired.into());
        }
        let mut uploaded = Uploaded::default();
        let mut fields = 1;
        while let Some(field) = multipart.next_field().await? {
            fields += 1;
            if fields > MAX_FIELDS {
                return Err(AppError::Unreadable(format!(
                    "The form had more than {MAX_FIELDS} fields; it is not one of sendplan's forms."
                ))
                .into());
            }
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                // A file input left empty is sent as a part with an empty file name.
                Some(file_name) if !file_name.is_empty() => {
                    let bytes = field.bytes().await?;
                    // Taken over, not copied: an upload can be tens of megabytes.
                    uploaded.file = Some((file_name, Vec::from(bytes)));
                }
                Some(_) => {}
                None => {
                    let text = field.text().await?;
                    uploaded.form.0.push((name, text));
                }
            }
        }
        Ok(uploaded)
    }
}

enum ReadError {
    App(AppError),
    Multipart(multer::Error),
}

impl From<AppError> for ReadError {
    fn from(e: AppError) -> Self {
        ReadError::App(e)
    }
}

impl From<multer::Error> for ReadError {
    fn from(e: multer::Error) -> Self {
        ReadError::Multipart(e)
    }
}
