//! Latency summaries.
use std::time::Duration;

/// p50, p99 and max of some timings, in milliseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `samples` (empty: all zero).
    pub fn of(samples: &[Duration]) -> Self {
        if samples.is_empty() {
            return Latency::default();
        }
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let rank = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
        Latency {
            p50: rank(0.50),
            p99: rank(0.99),
            max: ms[ms.len() - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Latency;
    use std::time::Duration;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=200).rev().map(Duration::from_millis).collect();
        let l = Latency::of(&samples);
        assert_eq!((l.p50, l.p99, l.max), (100.0, 198.0, 200.0));
    }
}
