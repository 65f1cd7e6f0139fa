use clap::Parser;
use dam_insights::cli::{Cli, Command};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// mimalloc: less fragmentation than glibc's allocator under many threads (lower peak
/// memory through ingest) and faster small allocations (JSON, statement building).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
