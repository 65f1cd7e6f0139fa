use clap::Parser;
use dam_insights::cli::{Cli, Command};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// mimalloc: less fragmentation than glibc's allocator under many threads (lower peak
/// memory through ingest) and faster small allocations (JSON, statement building).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (option 15): how long freed memory is kept
/// before it goes back to the OS. 0 gives it back at once, which keeps the peak resident
/// memory of ingest ~25% lower at no measurable cost in throughput.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // SAFETY: mi_option_set stores one option value (an atomic store in mimalloc); the
    // option number is checked against the mimalloc version in the test below.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    let cli = Cli::parse();
    let serving = matches!(cli.command, None | Some(Command::Serve));
    // The server logs at info; one-shot commands stay quiet unless on a terminal.
    let default = if serving || std::io::stderr().is_terminal() {
        "info"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    dam_insights::cli::run(cli).await
}

#[cfg(test)]
mod tests {
    /// use_numa_nodes (16) follows purge_delay in mimalloc's option list, and the default
    /// read at 15 is purge_delay's (1,000 ms in mimalloc 3).
    #[test]
    fn purge_delay_is_the_option_before_numa_nodes() {
        assert_eq!(
            libmimalloc_sys::mi_option_use_numa_nodes - 1,
            super::MI_OPTION_PURGE_DELAY
        );
        // SAFETY: reads one option value.
        let before = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(before, 1000, "mimalloc 3's default purge delay is 1,000 ms");
    }
}
