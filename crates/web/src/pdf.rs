//! PDF papers, printed from the self-contained HTML paper by a headless Chromium, so a PDF
//! is laid out exactly as the paper prints from a browser (print styles, SVG charts, table
//! headers repeated on each page) and is tagged for screen readers. The paper has no
//! scripts and fetches nothing, so Chromium only lays out text we wrote.
//!
//! Chromium is found at `SENDPLAN_CHROMIUM`, or as `chromium`, `chromium-browser` or
//! `google-chrome` on the PATH. Without it sendplan offers no PDF, and says why.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long one paper may take before the printer gives up on it.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// A headless Chromium that prints HTML papers to PDF.
#[derive(Debug, Clone)]
pub struct PdfPrinter {
    chromium: PathBuf,
}

/// Why a PDF could not be made, in words for the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("sendplan makes PDFs with Chromium, and none was found: install it (Debian: apt-get install chromium) or set SENDPLAN_CHROMIUM to its path")]
    NoChromium,
    #[error("Chromium could not be started at {path}: {error}")]
    Start { path: String, error: String },
    #[error("Chromium took longer than {0} seconds to print the paper")]
    Timeout(u64),
    #[error("Chromium did not print the paper: {0}")]
    Failed(String),
    #[error("the paper could not be prepared for printing: {0}")]
    Io(#[from] std::io::Error),
}

impl PdfPrinter {
    /// A printer using the Chromium at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        PdfPrinter {
            chromium: path.into(),
        }
    }

    /// Chromium from `SENDPLAN_CHROMIUM`, or the first of the usual names on the PATH.
    pub fn find() -> Result<Self, PdfError> {
        if let Some(path) = std::env::var_os("SENDPLAN_CHROMIUM").filter(|p| !p.is_empty()) {
            return Ok(PdfPrinter::at(path));
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
            .find(|candidate| candidate.is_file())
            .map(PdfPrinter::at)
            .ok_or(PdfError::NoChromium)
    }

    /// Prints `html` (a self-contained paper) to PDF on A4.
    pub async fn print(&self, html: &str) -> Result<Vec<u8>, PdfError> {
        let work = Scratch::new()?;
        let page = work.0.join("paper.html");
        let pdf = work.0.join("paper.pdf");
        tokio::fs::write(&page, html).await?;
        let mut command = tokio::process::Command::new(&self.chromium);
        command
            .arg("--headless")
            // Chromium's sandbox refuses to run as root, as services in containers often do;
            // the paper holds no script and fetches nothing, so there is nothing to contain.
            .arg("--no-sandbox")
            // Everything a browser does besides laying out one local page is switched off:
            // measured on the Worcestershire progress report (bench/reports.sh), these
            // flags take a print from about 1.9 s to about 1.5 s, most of it start-up.
            .args([
                "--disable-gpu",
                "--disable-software-rasterizer",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-breakpad",
                "--mute-audio",
                "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,PaintHolding",
                "--no-pdf-header-footer",
                "--export-tagged-pdf",
                "--generate-pdf-document-outline",
            ])
            .arg(format!(
                "--user-data-dir={}",
                work.0.join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(file_url(&page))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let child = command.spawn().map_err(|e| PdfError::Start {
            path: self.chromium.display().to_string(),
            error: e.to_string(),
        })?;
        let output = tokio::time::timeout(PRINT_TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| PdfError::Timeout(PRINT_TIMEOUT.as_secs()))??;
        match tokio::fs::read(&pdf).await {
            Ok(bytes) if bytes.starts_with(b"%PDF") => Ok(bytes),
            _ => {
                let said = String::from_utf8_lossy(&output.stderr);
                let last = said
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("no output");
                Err(PdfError::Failed(format!("{} ({last})", output.status)))
            }
        }
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A private folder for one print, removed afterwards whatever happens.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sendplan-pdf-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        // Only this user may read the paper while it is being printed.
        std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .create(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
