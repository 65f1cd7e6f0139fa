//! One-shot commands: migrate, seed, environments, keys, import.
use super::SeedArgs;
use super::progress::bar;
use crate::config::Config;
use crate::ingest::stream::{Splitter, parse};
use crate::ingest::{BACKFILL_BATCH_SIZE, BATCH_SIZE, IngestReport, Ingestor, Mode};
use crate::seed;
use crate::storage::{self, environments, keys};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

async fn open(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let (url, _) = config.database();
    let db = storage::connect(&url).await?;
    storage::migrate(&db).await?;
    Ok(db)
}

pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let (url, _) = config.database();
    let db = storage::connect(&url).await?;
    storage::migrate(&db).await?;
    eprintln!("migrated {}", storage::redact(&url));
    Ok(())
}

pub async fn create_environment(
    config: &Config,
    name: &str,
    timezone: &str,
    retention_days: Option<u32>,
) -> anyhow::Result<()> {
    let db = open(config).await?;
    environments::check_retention(retention_days)?;
    let env = environments::create(&db, name, timezone).await?;
    environments::set_retention(&db, env.id, retention_days).await?;
    eprintln!(
        "created environment {} ({})",
        env.name,
        env.time_zone.name()
    );
    Ok(())
}

pub async fn create_key(config: &Config, environment: &str, scopes: &str) -> anyhow::Result<()> {
    let db = open(config).await?;
    let scopes = keys::Scope::parse_list(scopes)?;
    let env = environments::require(&db, environment).await?;
    let token = keys::create(&db, env.id, &scopes).await?;
    println!("{token}");
    Ok(())
}

pub async fn list_keys(config: &Config, environment: &str) -> anyhow::Result<()> {
    let db = open(config).await?;
    let env = environments::require(&db, environment).await?;
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        )
    };
    println!("id\tscopes\tcreated\tlast_used\trevoked");
    for key in keys::list(&db, env.id).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            key.id,
            key.scopes,
            time(Some(key.created_at)),
            time(key.last_used_at),
            time(key.revoked_at)
        );
    }
    Ok(())
}

pub async fn revoke_key(config: &Config, environment: &str, id: &str) -> anyhow::Result<()> {
    let db = open(config).await?;
    let env = environments::require(&db, environment).await?;
    // The key and the environment's data version in one transaction (see `keys::revoke`).
    let txn = sea_orm::TransactionTrait::begin(&db).await?;
    keys::revoke(&txn, env.id, id).await?;
    txn.commit().await?;
    eprintln!("revoked {id}");
    Ok(())
}

pub async fn seed(config: &Config, args: SeedArgs) -> anyhow::Result<()> {
    let db = open(config).await?;
    let summary = seed::run(&db, &args).await?;
    eprintln!("{summary}");
    Ok(())
}

pub async fn import(
    config: &Config,
    file: &Path,
    environment: &str,
    backfill: bool,
) -> anyhow::Result<()> {
    let db = open(config).await?;
    let env = environments::require(&db, environment).await?;
    let mut input =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).ok();
    let progress = bar(size, "bytes");
    let ingestor = Ingestor::new(db);
    let mut splitter = Splitter::new();
    let mut report = IngestReport::default();
    let mut raw = Vec::new();
    let (mode, batch_size) = match backfill {
        true => (Mode::Backfill, BACKFILL_BATCH_SIZE),
        false => (Mode::Live, BATCH_SIZE),
    };
    let mut batch = Vec::with_capacity(batch_size);
    let mut buf = vec![0u8; 256 * 1024];
    let started = Instant::now();
    loop {
        let n = input
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", file.display()))?;
        if n == 0 {
            splitter.finish(&mut raw);
        } else {
            splitter.feed(&buf[..n], &mut raw);
            progress.inc(n as u64);
        }
        for item in raw.drain(..) {
            batch.push(parse(item));
            if batch.len() >= batch_size {
                ingestor
                    .ingest_with(&env, std::mem::take(&mut batch), &mut report, mode)
                    .await?;
            }
        }
        if n == 0 {
            break;
        }
    }
    if !batch.is_empty() {
        ingestor.ingest_with(&env, batch, &mut report, mode).await?;
    }
    progress.finish_and_clear();
    let loaded = started.elapsed().as_secs_f64();
    let rebuilt = match backfill {
        true => {
            let progress = bar(None, "events' rollups rebuilt");
            let done = ingestor
                .rebuild_pending(&env, |n| progress.set_position(n))
                .await?;
            progress.finish_and_clear();
            Some(done)
        }
        false => None,
    };
    for r in &report.refused.rejections {
        eprintln!(
            "line {}: {}{}{}",
            r.line,
            r.event_id
                .as_deref()
                .map(|id| format!("event {id}: "))
                .unwrap_or_default(),
            r.field
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default(),
            r.reason
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let read = report.accepted + report.duplicates + report.refused.rejected;
    let rollups = rebuilt.map_or_else(String::new, |r| {
        format!(
            "; loaded in {loaded:.1}s, then the rollups of {} month(s) rebuilt from {} events",
            r.months, r.events
        )
    });
    eprintln!(
        "{} {}: {} accepted, {} duplicates, {} rejected in {elapsed:.1}s ({:.0} events/s){rollups}",
        if backfill { "backfilled" } else { "imported" },
        file.display(),
        report.accepted,
        report.duplicates,
        report.refused.rejected,
        read as f64 / elapsed.max(1e-9),
    );
    if report.refused.rejected > 0 {
        anyhow::bail!("{} events were rejected", report.refused.rejected);
    }
    Ok(())
}

pub async fn rebuild_rollups(config: &Config, environment: Option<&str>) -> anyhow::Result<()> {
    let db = open(config).await?;
    let envs = match environment {
        Some(name) => vec![environments::require(&db, name).await?],
        None => environments::all(&db).await?,
    };
    let ingestor = Ingestor::new(db);
    let started = Instant::now();
    let mut total = 0;
    for env in &envs {
        let progress = bar(None, &format!("events of {}", env.name));
        total += ingestor
            .rebuild_rollups(env, |n| progress.set_position(n))
            .await?;
        progress.finish_and_clear();
    }
    eprintln!(
        "rebuilt the rollups of {} environment(s) from {total} events in {:.1}s",
        envs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn run_retention(config: &Config) -> anyhow::Result<()> {
    let db = open(config).await?;
    let started = Instant::now();
    let summary = crate::retention::run(&Ingestor::new(db), chrono::Utc::now()).await?;
    eprintln!(
        "retention: deleted {} raw events of {} environment(s) with a retention in {:.1}s",
        summary.deleted,
        summary.environments,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
