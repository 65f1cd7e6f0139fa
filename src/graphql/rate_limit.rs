//! Rate limiting: token buckets of points per key, refilled evenly over a window — cost
//! points per GraphQL request ([`RateLimiter`], charged by the limits) and events per
//! second of ingest ([`IngestRate`]).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A bucket's state after a charge.
#[derive(Clone, Copy, Debug)]
pub struct BucketState {
    pub limit: u64,
    pub remaining: u64,
    /// When the bucket is full again.
    pub reset_in: Duration,
    /// When `cost` more points would be available (zero if they are).
    pub retry_in: Duration,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets per key: `capacity` points, refilled at `capacity / window`.
#[derive(Clone)]
pub struct RateLimiter {
    pub capacity: u64,
    window: Duration,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

impl RateLimiter {
    pub fn new(capacity: u64, window: Duration) -> Self {
        RateLimiter {
            capacity,
            window,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn rate(&self) -> f64 {
        self.capacity as f64 / self.window.as_secs_f64().max(1e-9)
    }

    /// Takes `cost` points from `key`'s bucket if it holds them; the state either way.
    pub fn charge(&self, key: &str, cost: u64) -> (bool, BucketState) {
        if !self.enabled() {
            return (true, self.state_of(self.capacity as f64, cost));
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.capacity as f64,
            at: now,
        });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * self.rate())
            .min(self.capacity as f64);
        bucket.at = now;
        let ok = bucket.tokens >= cost as f64;
        if ok {
            bucket.tokens -= cost as f64;
        }
        (ok, self.state_of(bucket.tokens, cost))
    }

    /// The state of `key`'s bucket without charging it.
    pub fn peek(&self, key: &str) -> BucketState {
        self.charge(key, 0).1
    }

    fn state_of(&self, tokens: f64, cost: u64) -> BucketState {
        let rate = self.rate();
        let secs = |missing: f64| Duration::from_secs_f64((missing.max(0.0) / rate).min(1e9));
        BucketState {
            limit: self.capacity,
            remaining: tokens.max(0.0).floor() as u64,
            reset_in: secs(self.capacity as f64 - tokens),
            retry_in: secs(cost as f64 - tokens),
        }
    }
}

/// The events-per-second limiter of ingest (schema data).
#[derive(Clone)]
pub struct IngestRate(pub RateLimiter);

impl IngestRate {
    /// Takes `n` events from `key`'s allowance: RATE_LIMITED when the bucket is empty.
    pub fn check(&self, key: &str, n: u64) -> crate::error::AppResult<()> {
        let limiter = &self.0;
        if !limiter.enabled() {
            return Ok(());
        }
        let (ok, state) = limiter.charge(key, n.min(limiter.capacity));
        if ok {
            return Ok(());
        }
        let retry_after = state.retry_in.as_secs().max(1);
        Err(crate::error::AppError::RateLimited {
            message: format!(
                "ingest rate limit exceeded: {n} events asked, {} of {} events per second left; retry in {retry_after} s",
                state.remaining, state.limit
            ),
            retry_after,
        })
    }

    /// Waits until `key` may ingest `n` more events (a streamed body is slowed down, not
    /// cut off).
    pub async fn throttle(&self, key: &str, n: u64) {
        let limiter = &self.0;
        if !limiter.enabled() {
            return;
        }
        loop {
            let (ok, state) = limiter.charge(key, n.min(limiter.capacity));
            if ok {
                return;
            }
            tokio::time::sleep(state.retry_in.max(Duration::from_millis(1))).await;
        }
    }
}
