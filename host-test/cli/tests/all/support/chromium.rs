//! Headless Chromium (Debian's `chromium`) driven through the DevTools protocol over
//! `--remote-debugging-pipe`: JSON messages, each ended by a NUL byte, Chromium reading on fd 3
//! and writing on fd 4. No WebSocket, no driver binary, no browser download.
//!
//! Every wait is bounded ([`TIMEOUT`]); the browser is killed when the handle drops.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The longest any one step may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Chromium {
    child: Child,
    to_browser: std::io::PipeWriter,
    from_browser: Receiver<Value>,
    next_id: u64,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// A page (target) the browser shows, attached in flat mode.
pub struct Page {
    pub session: String,
}

impl Chromium {
    pub fn launch() -> Result<Chromium> {
        let profile = tempfile::tempdir()?;
        let (browser_reads, to_browser) = std::io::pipe()?;
        let (from_browser, browser_writes) = std::io::pipe()?;
        let (r, w) = (browser_reads.as_raw_fd(), browser_writes.as_raw_fd());
        let mut cmd = Command::new("chromium");
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--remote-debugging-pipe",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (dup2) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                // Out of the way first, in case either end already is fd 3 or 4.
                let (r, w) = (libc::fcntl(r, libc::F_DUPFD, 10), libc::fcntl(w, libc::F_DUPFD, 10));
                if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().context("cannot start chromium")?;
        drop(browser_reads);
        drop(browser_writes);
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from_browser);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        buf.pop();
                        let Ok(message) = serde_json::from_slice::<Value>(&buf) else { continue };
                        if tx.send(message).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Chromium { child, to_browser, from_browser: rx, next_id: 0, events: Vec::new(), _profile: profile })
    }

    /// Sends a command (to the browser, or to a page's session) and waits for its result.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message)?;
        bytes.push(0);
        self.to_browser.write_all(&bytes).context("chromium stopped reading")?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline).with_context(|| format!("waiting for {method}"))?;
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    bail!("{method}: {error}");
                }
                return Ok(message["result"].clone());
            }
        }
    }

    /// Waits for an event named `method` (already received, or to come).
    pub fn wait_for(&mut self, method: &str) -> Result<Value> {
        if let Some(e) = self.events.iter().find(|e| e["method"] == method) {
            return Ok(e.clone());
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline).with_context(|| format!("waiting for {method}"))?;
            if message["method"] == method {
                return Ok(message);
            }
        }
    }

    fn receive(&mut self, deadline: Instant) -> Result<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = self.from_browser.recv_timeout(left).map_err(|e| anyhow!("no answer from chromium: {e}"))?;
        if message.get("method").is_some() {
            self.events.push(message.clone());
        }
        Ok(message)
    }

    /// Opens a new page at `url` with the runtime, log and network domains on, and waits
    /// for its load event.
    pub fn open(&mut self, url: &str) -> Result<Page> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let attached =
            self.call(None, "Target.attachToTarget", json!({"targetId": target["targetId"], "flatten": true}))?;
        let session = attached["sessionId"].as_str().context("no session")?.to_string();
        for domain in ["Page", "Runtime", "Log", "Network"] {
            self.call(Some(&session), &format!("{domain}.enable"), json!({}))?;
        }
        self.events.clear();
        self.call(Some(&session), "Page.navigate", json!({"url": url}))?;
        self.wait_for("Page.loadEventFired")?;
        Ok(Page { session })
    }

    /// Evaluates `expression` in the page and returns its value (JSON-serialisable).
    pub fn eval(&mut self, page: &Page, expression: &str) -> Result<Value> {
        let r = self.call(
            Some(&page.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(e) = r.get("exceptionDetails") {
            bail!("{expression}: {e}");
        }
        Ok(r["result"]["value"].clone())
    }

    pub fn screenshot(&mut self, page: &Page) -> Result<Vec<u8>> {
        use base64::Engine as _;
        let r = self.call(Some(&page.session), "Page.captureScreenshot", json!({"format": "png"}))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(r["data"].as_str().context("no image")?)?)
    }

    /// Console errors, uncaught exceptions and error log entries (failed loads, refused
    /// content) seen so far.
    pub fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| {
                let p = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.consoleAPICalled" if matches!(p["type"].as_str(), Some("error" | "assert")) => {
                        Some(format!("console.{}: {}", p["type"], p["args"]))
                    }
                    "Runtime.exceptionThrown" => Some(format!("exception: {}", p["exceptionDetails"])),
                    "Log.entryAdded" if p["entry"]["level"] == "error" => Some(format!("log: {}", p["entry"])),
                    _ => None,
                }
            })
            .collect()
    }

    /// The URL of every request the page made.
    pub fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_string))
            .collect()
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
