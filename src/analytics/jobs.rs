//! Job metrics that depend on a job's whole history: revision rounds and durations.
//! They are recomputed per job from all its events, so an event that arrives late
//! re-evaluates the job; ingest applies the difference between the job's rows before and
//! after a batch.
use super::rollups::{Increments, event_key, m};
use chrono::{DateTime, Utc};

/// The event types a job's derived rows depend on.
pub const JOB_EVENT_TYPES: &[&str] = &[
    "job.created",
    "job.advanced",
    "job.sent_back",
    "job.finished",
];

/// One event of a job, as the derivation reads it.
#[derive(Clone, Debug)]
pub struct JobEvent {
    pub id: String,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// Local day `YYYY-MM-DD` and month `YYYY-MM` of the event.
    pub day: String,
    pub month: String,
}

/// Adds `sign` times the derived rows of one job (all its events, any order) to `out`:
/// - revisionRounds: taking the events in occurredAt order (then id), a job.sent_back adds
///   a pending send-back, and a job.advanced while one is pending finishes a round (in the
///   period of that job.advanced) and removes one;
/// - jobDuration: the first job.finished minus the first job.created, in seconds, in the
///   period of that job.finished (not counted while either is missing, nor when the
///   finish lies before the creation).
pub fn job_increments(events: &mut [JobEvent], sign: i64, out: &mut Increments) {
    events.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    let mut add = |metric: &'static str, e: &JobEvent, key: String, sub: String| {
        for period in [&e.month, &e.day] {
            *out.entry((metric, period.clone(), key.clone(), sub.clone()))
                .or_insert(0) += sign;
        }
    };
    let mut pending = 0u32;
    for e in events.iter() {
        match e.event_type.as_str() {
            "job.sent_back" => pending += 1,
            "job.advanced" if pending > 0 => {
                pending -= 1;
                add(
                    m::REVISION_ROUNDS,
                    e,
                    event_key(e.occurred_at, &e.id),
                    String::new(),
                );
            }
            _ => {}
        }
    }
    let first = |t: &str| events.iter().find(|e| e.event_type == t);
    if let (Some(created), Some(finished)) = (first("job.created"), first("job.finished")) {
        let seconds = (finished.occurred_at - created.occurred_at).num_seconds();
        if seconds >= 0 {
            add(
                m::JOB_DURATION,
                finished,
                event_key(finished.occurred_at, &finished.id),
                seconds.to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ev(id: &str, t: &str, minute: u32) -> JobEvent {
        JobEvent {
            id: id.into(),
            event_type: t.into(),
            occurred_at: Utc.with_ymd_and_hms(2025, 3, 1, 10, minute, 0).unwrap(),
            day: "2025-03-01".into(),
            month: "2025-03".into(),
        }
    }

    fn rounds(events: &mut [JobEvent]) -> i64 {
        let mut out = Increments::new();
        job_increments(events, 1, &mut out);
        out.iter()
            .filter(|((metric, period, _, _), _)| {
                *metric == m::REVISION_ROUNDS && period.len() == 7
            })
            .map(|(_, n)| n)
            .sum()
    }

    #[test]
    fn two_send_backs_then_one_advance_is_one_round() {
        let mut events = vec![
            ev("a", "job.created", 0),
            ev("b", "job.sent_back", 1),
            ev("c", "job.sent_back", 2),
            ev("d", "job.advanced", 3),
        ];
        assert_eq!(rounds(&mut events), 1);
    }

    #[test]
    fn an_advance_without_a_send_back_is_no_round_and_order_is_by_time() {
        // Given out of order: the advance (minute 1) comes before the send-back (minute 2).
        let mut events = vec![ev("s", "job.sent_back", 2), ev("x", "job.advanced", 1)];
        assert_eq!(rounds(&mut events), 0);
    }
}
