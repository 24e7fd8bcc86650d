//! Writing without panicking (`println!` panics on a closed pipe): when stdout's reader has
//! gone (`okta-connector actions | head -1`) the command stops and exits quietly; a closed
//! stderr is ignored.

use std::io::Write as _;

use super::Failure;

/// Writes `text` to stdout and flushes it.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Failure::Closed,
        _ => Failure::Host(anyhow::Error::new(e).context("cannot write to standard output")),
    })
}

/// Writes `text` to stderr, if it is still open.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

/// `outln!("...", args)`: a line on stdout; `?` it.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::out(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;
