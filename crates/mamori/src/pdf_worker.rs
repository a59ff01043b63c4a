//! PDF text extraction in a child process: a malformed PDF can crash or hang only the child,
//! which is killed after a time limit and runs under a memory limit.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// Runs `mamori internal pdf-text` for each PDF.
#[derive(Debug, Clone)]
pub(crate) struct ChildPdf {
    pub exe: std::path::PathBuf,
    pub timeout: Duration,
}

impl mamori_mynumber::PdfText for ChildPdf {
    fn pages(&self, pdf: &[u8]) -> Result<Vec<String>, String> {
        let mut child = Command::new(&self.exe)
            .args(["internal", "pdf-text"])
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the PDF extractor: {e}"))?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("cannot talk to the PDF extractor".to_owned());
        };
        // Feed stdin and drain stdout and stderr on their own threads, so a child that stops
        // reading or writes a lot can never block us; output is capped.
        let (status, out, err) = std::thread::scope(|scope| {
            scope.spawn(move || {
                let _ = stdin.write_all(pdf);
            });
            let reader = scope.spawn(move || {
                let mut out = Vec::new();
                let _ = stdout.take(1 << 30).read_to_end(&mut out);
                out
            });
            let err_reader = scope.spawn(move || {
                let mut err = Vec::new();
                let _ = stderr.take(64 * 1024).read_to_end(&mut err);
                err
            });
            let status = match child.wait_timeout(self.timeout) {
                Ok(Some(status)) => Ok(status),
                Ok(None) => Err(format!(
                    "text extraction took longer than {} s",
                    self.timeout.as_secs()
                )),
                Err(e) => Err(format!("waiting for the PDF extractor: {e}")),
            };
            if status.is_err() {
                let _ = child.kill();
                let _ = child.wait();
            }
            (
                status,
                reader.join().unwrap_or_default(),
                err_reader.join().unwrap_or_default(),
            )
        });
        let status = status?;
        if !status.success() {
            let err = String::from_utf8_lossy(&err);
            let first = err
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("crashed");
            return Err(format!(
                "cannot read the PDF ({})",
                mamori_mynumber::redact(first)
            ));
        }
        serde_json::from_slice::<Vec<String>>(&out)
            .map_err(|e| format!("bad extractor output: {e}"))
    }
}

/// The child: PDF on stdin → JSON array of page texts on stdout. Exit 3 on a PDF error.
pub(crate) fn child_main() -> anyhow::Result<u8> {
    #[cfg(unix)]
    {
        // 2 GiB of address space is plenty for text extraction and stops runaway allocation.
        let _ = rlimit::setrlimit(rlimit::Resource::AS, 2 << 30, 2 << 30);
    }
    let mut pdf = Vec::new();
    std::io::stdin().lock().read_to_end(&mut pdf)?;
    let doc = match lopdf::Document::load_mem(&pdf) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.to_string();
            if msg.to_lowercase().contains("encrypt") || msg.to_lowercase().contains("password") {
                eprintln!("encrypted PDF");
            } else {
                eprintln!("malformed PDF: {msg}");
            }
            return Ok(3);
        }
    };
    if doc.is_encrypted() {
        eprintln!("encrypted PDF");
        return Ok(3);
    }
    let mut pages = Vec::new();
    for (number, _) in doc.get_pages() {
        // A page whose text cannot be decoded is empty rather than fatal.
        pages.push(doc.extract_text(&[number]).unwrap_or_default());
    }
    let bytes = serde_json::to_vec(&pages)?;
    std::io::stdout().lock().write_all(&bytes)?;
    Ok(0)
}
