//! Runs one contender and measures it: wall time, peak RSS and CPU time from `wait4`'s rusage.
//!
//! Why a launcher process: on Linux a process's `ru_maxrss` starts at its parent's RSS, since
//! the memory it had between fork and exec counts (the kernel folds the old mm's high-water
//! mark into the new one at exec). Spawned straight from the driver, which holds a fake org of
//! 50 000 users, every contender would report at least the driver's few hundred MB. So the
//! driver runs `okta-bench measure -- CMD...`, a fresh small process that spawns CMD, and only
//! that launcher's own small RSS is folded in; the driver reports it as the floor (the same
//! launcher running `true`).

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};
use serde::{Deserialize, Serialize};

/// What the launcher reports about one process.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Measured {
    pub wall_s: f64,
    pub maxrss_kb: u64,
    pub user_s: f64,
    pub sys_s: f64,
    /// `exit 0`, `exit 1`, `signal 9`, or `timeout` (killed after the time limit).
    pub status: String,
}

impl Measured {
    pub fn success(&self) -> bool {
        self.status == "exit 0"
    }
}

fn timeval_s(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// The launcher's arguments: `measure [--timeout-s N] [--stdout FILE] [--stderr FILE] [--cwd DIR]
/// -- CMD ARGS...`.
#[derive(Clone, Debug, clap::Args)]
pub struct LaunchArgs {
    /// Kill CMD after this many seconds.
    #[arg(long, value_name = "S", default_value_t = 600.0)]
    pub timeout_s: f64,
    /// Where CMD's stdout goes (else nowhere).
    #[arg(long, value_name = "FILE")]
    pub stdout: Option<PathBuf>,
    /// Where CMD's stderr goes (else this process's).
    #[arg(long, value_name = "FILE")]
    pub stderr: Option<PathBuf>,
    /// CMD's working directory.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// Runs the launcher: prints one JSON [`Measured`] on stdout.
pub fn launcher_main(args: &LaunchArgs) -> ExitCode {
    match launch(args) {
        Ok(m) => {
            println!("{}", serde_json::to_string(&m).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("okta-bench measure: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn launch(args: &LaunchArgs) -> Result<Measured> {
    let (program, rest) = args.command.split_first().ok_or_else(|| anyhow!("missing CMD after --"))?;
    let timeout = Duration::from_secs_f64(args.timeout_s);
    let mut command = Command::new(program);
    command.args(rest).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::inherit());
    let create = |path: &PathBuf| File::create(path).with_context(|| format!("cannot create {}", path.display()));
    if let Some(path) = &args.stdout {
        command.stdout(create(path)?);
    }
    if let Some(path) = &args.stderr {
        command.stderr(create(path)?);
    }
    if let Some(dir) = &args.cwd {
        command.current_dir(dir);
    }

    let started = Instant::now();
    let child = command.spawn().with_context(|| format!("cannot start {program}"))?;
    let pid = child.id() as libc::pid_t;
    let (done, wait_done) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = wait_done.recv_timeout(timeout) {
            // SAFETY: kill(2) has no memory effects. The child is ours and is reaped only
            // by the main thread, which answers this channel right after; only a child that
            // ends in that instant could have left its pid free for reuse.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid out-parameter for wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: wait4 on our own child with valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            bail!("wait4: {err}");
        }
    }
    let wall = started.elapsed();
    let _ = done.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    drop(child); // already reaped; dropping a Child neither waits nor kills
    let status = if timed_out {
        "timeout".to_string()
    } else if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status}")
    };
    Ok(Measured {
        wall_s: wall.as_secs_f64(),
        maxrss_kb: usage.ru_maxrss as u64,
        user_s: timeval_s(usage.ru_utime),
        sys_s: timeval_s(usage.ru_stime),
        status,
    })
}

/// CPU time (user + system) this process has used so far, in seconds.
pub fn self_cpu_s() -> f64 {
    // SAFETY: getrusage with a valid out-pointer.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    timeval_s(usage.ru_utime) + timeval_s(usage.ru_stime)
}
