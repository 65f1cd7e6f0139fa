//! The command line: `dam-insights <command>`; `serve` is the default.
mod commands;
mod demo_key;
mod persisted;
pub mod progress;
mod serve;

use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "dam-insights",
    version,
    about = "GraphQL analytics API for Digital Asset Management activity"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (the default). On the embedded default database it migrates,
    /// seeds the demo environment when the database is empty, and prints a demo key.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Fill an environment with deterministic demo activity (same flags, same data).
    Seed(SeedArgs),
    /// Manage environments (tenants).
    Environments {
        #[command(subcommand)]
        command: EnvironmentCommand,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Manage rollups.
    Rollups {
        #[command(subcommand)]
        command: RollupCommand,
    },
    /// Print the GraphQL schema (SDL), as checked in at schema.graphql.
    PrintSchema {
        /// The operator schema of /admin/graphql instead (admin-schema.graphql).
        #[arg(long)]
        admin: bool,
    },
    /// Make an operator credential for /admin/graphql: prints it and its SHA-256, which
    /// goes in OPERATOR_CREDENTIAL_SHA256 (the server never holds the credential itself).
    OperatorCredential,
    /// Retention: delete raw events older than each environment keeps.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Benchmark: generate a dataset, ingest it through POST /v1/events of a server run
    /// as a child process, time the reports, check them against the raw events.
    Bench(crate::bench::run::BenchArgs),
    /// Ingest an NDJSON file of events into an environment, as POST /v1/events would.
    Import {
        /// The NDJSON file: one event a line.
        file: PathBuf,
        /// The environment's name.
        #[arg(long)]
        environment: String,
        /// Load history fast: events stored in large batches without per-event rollup
        /// upkeep, then the rollups of the local months they touched rebuilt set-based.
        /// Idempotent, and safe to run again after a crash (months still owed a rebuild
        /// are rebuilt by the next backfill or when the server starts).
        #[arg(long)]
        backfill: bool,
    },
    /// Persisted queries: documents registered in advance (see `--persisted-queries`).
    PersistedQueries {
        #[command(subcommand)]
        command: PersistedQueryCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum PersistedQueryCommand {
    /// Print the manifest of GraphQL documents, one per file, for
    /// `--persisted-queries`: Apollo's persisted-query manifest format.
    Manifest {
        /// The documents' files (`.graphql`), each holding one operation.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct SeedArgs {
    /// The environment to fill; created when missing.
    #[arg(long, default_value = "demo")]
    pub environment: String,
    /// The zone of an environment this creates.
    #[arg(long, default_value = "Europe/Amsterdam")]
    pub timezone: String,
    /// About how many events to make.
    #[arg(long, default_value_t = crate::seed::DEMO_EVENTS)]
    pub events: u64,
    /// Random seed: the same seed makes the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of users.
    #[arg(long, default_value_t = crate::seed::DEMO_USERS)]
    pub users: u32,
    /// Number of assets.
    #[arg(long, default_value_t = crate::seed::DEMO_ASSETS)]
    pub assets: u32,
    /// The last day of activity (YYYY-MM-DD, in the environment's zone); default today.
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
}

#[derive(Subcommand, Debug)]
pub enum EnvironmentCommand {
    /// Create an environment.
    Create {
        /// Its name: a-z, 0-9, '-' and '_'.
        name: String,
        /// Its IANA time zone, e.g. Europe/Amsterdam.
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// Days raw events are kept (by occurredAt); forever when left out.
        #[arg(long)]
        retention_days: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Run the retention job once now, as the server does every RETENTION_INTERVAL_SECS.
    Run,
}

#[derive(Subcommand, Debug)]
pub enum RollupCommand {
    /// Recompute the rollups from the raw events (every environment, or one).
    Rebuild {
        /// Only this environment.
        #[arg(long)]
        environment: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Create a key; prints the key alone on stdout, the only time it is shown.
    Create {
        /// The environment the key reads and writes.
        #[arg(long)]
        environment: String,
        /// Comma-separated scopes among reports:read, admin, events:write.
        #[arg(long, default_value = "reports:read")]
        scopes: String,
    },
    /// List an environment's keys: id, scopes, created, last used, revoked (never tokens).
    List {
        /// The environment whose keys to list.
        #[arg(long)]
        environment: String,
    },
    /// Revoke a key: it authenticates no more.
    Revoke {
        /// The key's id (from `keys list`), e.g. key_AbC123.
        id: String,
        /// The environment the key belongs to.
        #[arg(long)]
        environment: String,
    },
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(cli.config).await,
        Command::Migrate => commands::migrate(&cli.config).await,
        Command::Seed(args) => commands::seed(&cli.config, args).await,
        Command::Environments {
            command:
                EnvironmentCommand::Create {
                    name,
                    timezone,
                    retention_days,
                },
        } => commands::create_environment(&cli.config, &name, &timezone, retention_days).await,
        Command::Keys {
            command:
                KeyCommand::Create {
                    environment,
                    scopes,
                },
        } => commands::create_key(&cli.config, &environment, &scopes).await,
        Command::Keys {
            command: KeyCommand::List { environment },
        } => commands::list_keys(&cli.config, &environment).await,
        Command::Keys {
            command: KeyCommand::Revoke { id, environment },
        } => commands::revoke_key(&cli.config, &environment, &id).await,
        Command::Rollups {
            command: RollupCommand::Rebuild { environment },
        } => commands::rebuild_rollups(&cli.config, environment.as_deref()).await,
        Command::Bench(args) => crate::bench::run::bench(cli.config.database_url, args).await,
        Command::PrintSchema { admin } => {
            match admin {
                true => print!("{}", crate::graphql::operator::sdl()),
                false => print!("{}", crate::graphql::sdl()),
            }
            Ok(())
        }
        Command::OperatorCredential => {
            let (credential, digest) = crate::operator::new_credential();
            println!("OPERATOR_CREDENTIAL={credential}");
            println!("OPERATOR_CREDENTIAL_SHA256={digest}");
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run,
        } => commands::run_retention(&cli.config).await,
        Command::Import {
            file,
            environment,
            backfill,
        } => commands::import(&cli.config, &file, &environment, backfill).await,
        Command::PersistedQueries {
            command: PersistedQueryCommand::Manifest { files },
        } => persisted::manifest(&files),
    }
}
