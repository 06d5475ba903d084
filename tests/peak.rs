//! A child process's peak memory, read as its own `VmHWM` while it runs (Linux `/proc`).
//!
//! Not `wait4`'s `ru_maxrss`: a child is spawned with `vfork` semantics, and its `exec`
//! records in that figure the high-water mark of the memory it shared until then, the
//! spawning process's own. A test harness or bench holding large buffers inflates it: the
//! bombs test read from 73 to 349 MiB for a scan that peaks at 36 MiB.

use std::process::{Child, ExitStatus};
use std::time::Duration;

/// Peak resident memory of the running process `pid` (`VmHWM`), in bytes; `None` once it
/// has exited (an exited child keeps its pid until reaped, but no memory figures).
fn high_water(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    Some(
        kb.trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()?
            * 1024,
    )
}

/// Waits for `child`, reading its `VmHWM` every 2 ms until it exits (so a rise in its last
/// 2 ms would be missed); returns its exit status and peak resident memory in bytes. Its
/// piped output must be read on other threads meanwhile.
pub fn wait(child: &mut Child) -> (ExitStatus, u64) {
    let mut peak = 0;
    while let Some(now) = high_water(child.id()) {
        peak = peak.max(now);
        std::thread::sleep(Duration::from_millis(2));
    }
    (child.wait().unwrap(), peak)
}
