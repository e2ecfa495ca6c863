//! The run's report: lines CI's log shows, and the log directory.

/// Prints a line of the run's report where CI's log shows it. Not
/// `println!`: the test harness captures that for a passing test, and these
/// counts are wanted from every run; writing to the stdout handle directly
/// bypasses the capture.
#[allow(unused_macros)]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*);
        let _ = out.flush();
    }};
}

/// Removes the run's log directory however the test ends.
pub struct LogDir(pub std::path::PathBuf);

impl Drop for LogDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
