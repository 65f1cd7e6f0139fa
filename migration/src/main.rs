//! The migration CLI: sea-orm-migration's commands (`status`, `up`, `down`, `fresh`, …).
//! Like the server, it works on the embedded default (`dam-insights.db` in the working
//! directory) when neither DATABASE_URL (in the environment or `.env`) nor `-u` names a
//! database.
use sea_orm_migration::prelude::*;

/// Whether the command line names a database itself (`-u URL`, `-uURL`,
/// `--database-url URL`, `--database-url=URL`).
fn names_database(args: &[String]) -> bool {
    args.iter()
        .any(|a| a.starts_with("-u") || a.starts_with("--database-url"))
}

fn main() {
    dotenvy::dotenv().ok();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if std::env::var_os("DATABASE_URL").is_none() && !names_database(&args) {
        // SAFETY: no other thread exists yet; the runtime starts below.
        unsafe { std::env::set_var("DATABASE_URL", migration::default_database_url()) };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(cli::run_cli(migration::Migrator)),
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            std::process::exit(1);
        }
    }
}
