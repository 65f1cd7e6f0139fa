//! `seed`: creates the environment if needed and ingests generated activity through the
//! same path as POST /v1/events.
use super::generator::{Generator, GeneratorOptions};
use crate::cli::SeedArgs;
use crate::cli::progress::bar;
use crate::ingest::{BATCH_SIZE, IngestReport, Ingestor, Item};
use crate::storage::environments;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::time::Instant;

impl SeedArgs {
    /// The demo environment (see [`super::DEMO_EVENTS`]), ending today.
    pub fn demo() -> Self {
        SeedArgs {
            environment: "demo".into(),
            timezone: "Europe/Amsterdam".into(),
            events: super::DEMO_EVENTS,
            seed: 1,
            users: super::DEMO_USERS,
            assets: super::DEMO_ASSETS,
            until: None,
        }
    }
}

/// Seeds `args.environment`; returns a one-line summary.
pub async fn run(db: &DatabaseConnection, args: &SeedArgs) -> anyhow::Result<String> {
    let env = match environments::find_by_name(db, &args.environment).await? {
        Some(env) => env,
        None => environments::create(db, &args.environment, &args.timezone).await?,
    };
    let until = args
        .until
        .unwrap_or_else(|| Utc::now().with_timezone(&env.time_zone).date_naive());
    let generator = Generator::new(GeneratorOptions {
        events: args.events,
        seed: args.seed,
        until,
        time_zone: env.time_zone,
        users: args.users,
        assets: args.assets,
        id_prefix: String::new(),
    });
    let progress = bar(Some(generator.estimated_total()), "events");
    let ingestor = Ingestor::new(db.clone());
    let mut report = IngestReport::default();
    let mut batch = Vec::with_capacity(BATCH_SIZE);
    let started = Instant::now();
    for (i, event) in generator.enumerate() {
        batch.push(Item {
            line: i as u64 + 1,
            value: Ok(event),
        });
        if batch.len() == BATCH_SIZE {
            let n = batch.len() as u64;
            ingestor
                .ingest(&env, std::mem::take(&mut batch), &mut report)
                .await?;
            progress.inc(n);
        }
    }
    if !batch.is_empty() {
        let n = batch.len() as u64;
        ingestor.ingest(&env, batch, &mut report).await?;
        progress.inc(n);
    }
    progress.finish_and_clear();
    if let Some(r) = report.refused.rejections.first() {
        anyhow::bail!(
            "the generator made {} invalid events, e.g. line {}: {:?} {}",
            report.refused.rejected,
            r.line,
            r.field,
            r.reason
        );
    }
    let secs = started.elapsed().as_secs_f64();
    Ok(format!(
        "seeded environment {} ({}): {} events stored, {} already present, in {:.1}s ({:.0} events/s)",
        env.name,
        env.time_zone.name(),
        report.accepted,
        report.duplicates,
        secs,
        (report.accepted + report.duplicates) as f64 / secs.max(1e-9)
    ))
}
