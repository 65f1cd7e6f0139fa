//! The tables `dam-insights bench` prints: the dataset, ingest and storage lines, each
//! query's latency beside its raw-event baseline, latency growth with history, the load
//! tests and the server's peak memory.
use super::footprint::Footprint;
use super::load::{self, LoadFigures};
use super::queries::BenchQuery;
use super::run::BenchArgs;
use super::stats::Latency;

/// Figures of one query on one environment.
pub struct QueryFigures {
    pub query: BenchQuery,
    pub events: u64,
    /// Latency on the server without the read cache.
    pub served: Latency,
    /// Latency of the answer from the read cache (after one miss stored it).
    pub cached: Latency,
    pub baseline_ms: Option<f64>,
    pub equal: Option<bool>,
}

/// Prints the tables: `(accepted, ingest_secs, generator_secs)` of the ingest (none when
/// `--reuse` measured a filled database), the database's size, and the server's peak
/// memory after the ingest and at the end.
pub fn print_table(
    figures: &[QueryFigures],
    args: &BenchArgs,
    ingested: Option<(u64, f64, f64)>,
    size: &Footprint,
    loads: &[LoadFigures],
    (peak_after_ingest, peak): (Option<f64>, Option<f64>),
) {
    println!(
        "dataset: {} events ({} users, {} assets), {} small environments of {} events, history environment of {} events",
        args.events,
        args.users,
        args.assets,
        args.small_environments,
        args.small_events,
        args.history_events
    );
    match ingested {
        Some((accepted, ingest_secs, generator_secs)) => println!(
            "ingest: {accepted} events in {ingest_secs:.1} s = {:.0} events/s through POST /v1/events (generator busy {generator_secs:.1} s of it, same machine)",
            accepted as f64 / ingest_secs.max(1e-9)
        ),
        None => println!("ingest: none (--reuse: the database was filled by an earlier run)"),
    }
    println!(
        "storage: {} bytes for {} events = {:.0} bytes per event (every table and index, after {})",
        size.bytes,
        size.events,
        size.per_event(),
        size.settled_by
    );
    println!();
    println!(
        "| query | events | p50 ms | p99 ms | max ms | cached p50 ms | raw-event baseline ms | speed-up (p50) | equal |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for f in figures {
        let speedup = f.baseline_ms.map(|b| b / f.served.p50.max(1e-9));
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
            f.query.name(),
            f.events,
            f.served.p50,
            f.served.p99,
            f.served.max,
            f.cached.p50,
            f.baseline_ms.map_or("-".into(), |b| format!("{b:.1}")),
            speedup.map_or("-".into(), |s| format!("{s:.0}x")),
            match f.equal {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            }
        );
    }
    let large: Vec<&QueryFigures> = figures.iter().filter(|f| f.events == args.events).collect();
    let small: Vec<&QueryFigures> = figures.iter().filter(|f| f.events != args.events).collect();
    if !small.is_empty() {
        println!();
        println!(
            "latency growth, p50 at {} events / p50 at {} events:",
            args.events, args.history_events
        );
        for (l, s) in large.iter().zip(&small) {
            println!(
                "  {}: {:.2}x",
                l.query.name(),
                l.served.p50 / s.served.p50.max(1e-9)
            );
        }
    }
    if !loads.is_empty() {
        load::print(loads, args.load_connections, args.load_seconds);
    }
    let mib = |m: Option<f64>| m.map_or("unknown".into(), |m| format!("{m:.0} MiB"));
    println!(
        "server peak resident memory (VmHWM): {} after ingest, {} at the end",
        mib(peak_after_ingest),
        mib(peak)
    );
}
