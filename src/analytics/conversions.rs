//! convertedSearches: a search with a userId is converted when the same user views or
//! downloads an asset (bulk included) strictly after it, at most 30 minutes after it
//! (30:00.000 included) and strictly before their own next search. Whether a search is
//! converted depends on the user's other events, so it is derived from them, as revision
//! rounds are from a job's: ingest recomputes the searches a batch can change, before and
//! after the batch, and applies the difference; a late search can take a conversion from
//! an earlier one.
use super::rollups::{Increments, event_key, m};
use chrono::{DateTime, TimeDelta, Utc};

/// The event types a conversion depends on.
pub const CONVERSION_EVENT_TYPES: &[&str] =
    &["search.performed", "asset.viewed", "asset.downloaded"];

/// How long after a search a view or download still converts it.
pub const WINDOW: TimeDelta = TimeDelta::minutes(30);

/// One event of a user, as the derivation reads it.
#[derive(Clone, Debug)]
pub struct UserEvent {
    pub id: String,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// Local day `YYYY-MM-DD` and month `YYYY-MM` of the event.
    pub day: String,
    pub month: String,
}

impl UserEvent {
    fn is_search(&self) -> bool {
        self.event_type == "search.performed"
    }
}

/// The searches a new event at `at` can change: those from 30 minutes before it up to
/// it. A view or download converts only searches in the 30 minutes before it; a search
/// can be converted itself and can end the window of the user's search just before it,
/// which matters only when that one lies within 30 minutes of it.
pub fn affected(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (at - WINDOW, at)
}

/// Adds `sign` times a row for each converted search of one user whose occurredAt lies
/// in `[from, to]` to `out`. `events` must hold every search, view and download of the
/// user from `from` to 30 minutes after `to` (any order).
pub fn conversion_increments(
    events: &mut [UserEvent],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    sign: i64,
    out: &mut Increments,
) {
    events.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    for (i, search) in events.iter().enumerate() {
        if !search.is_search() || search.occurred_at < from || search.occurred_at > to {
            continue;
        }
        let until = search.occurred_at + WINDOW;
        let next_search = events[i + 1..]
            .iter()
            .find(|e| e.is_search())
            .map(|e| e.occurred_at);
        let converted = events[i + 1..]
            .iter()
            .take_while(|e| e.occurred_at <= until)
            .any(|e| {
                !e.is_search()
                    && e.occurred_at > search.occurred_at
                    && next_search.is_none_or(|next| e.occurred_at < next)
            });
        if converted {
            let key = event_key(search.occurred_at, &search.id);
            for period in [&search.month, &search.day] {
                *out.entry((
                    m::CONVERTED_SEARCH,
                    period.clone(),
                    key.clone(),
                    String::new(),
                ))
                .or_insert(0) += sign;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ev(id: &str, t: &str, seconds: i64) -> UserEvent {
        UserEvent {
            id: id.into(),
            event_type: t.into(),
            occurred_at: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap()
                + TimeDelta::milliseconds(seconds),
            day: "2025-03-01".into(),
            month: "2025-03".into(),
        }
    }

    fn converted(events: &mut [UserEvent]) -> Vec<String> {
        let mut out = Increments::new();
        let all = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        conversion_increments(events, all, 1, &mut out);
        let mut keys: Vec<String> = out
            .into_iter()
            .filter(|((_, period, _, _), n)| period.len() == 7 && *n == 1)
            .map(|((_, _, key, _), _)| super::super::rollups::event_of_key(&key).to_owned())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_view_at_exactly_thirty_minutes_converts_and_one_millisecond_later_does_not() {
        let mut at_edge = vec![
            ev("s", "search.performed", 0),
            ev("v", "asset.viewed", 1_800_000),
        ];
        assert_eq!(converted(&mut at_edge), ["s"]);
        let mut late = vec![
            ev("s", "search.performed", 0),
            ev("v", "asset.viewed", 1_800_001),
        ];
        assert!(converted(&mut late).is_empty());
    }

    #[test]
    fn the_next_search_ends_the_window_and_a_same_instant_view_does_not_count() {
        // s1's view comes after s2: it converts s2 only. A view at the search's own
        // instant is not after it.
        let mut events = vec![
            ev("s1", "search.performed", 0),
            ev("x", "asset.downloaded", 0),
            ev("s2", "search.performed", 60_000),
            ev("v", "asset.viewed", 120_000),
        ];
        assert_eq!(converted(&mut events), ["s2"]);
        // A view at the instant of the next search is not strictly before it.
        let mut events = vec![
            ev("s1", "search.performed", 0),
            ev("a", "asset.viewed", 60_000),
            ev("s2", "search.performed", 60_000),
        ];
        assert!(converted(&mut events).is_empty());
    }
}
