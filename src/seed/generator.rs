use chrono::NaiveDate;
use chrono_tz::Tz;
pub struct GeneratorOptions {
    pub events: u64,
    pub seed: u64,
    pub until: NaiveDate,
    pub time_zone: Tz,
    pub users: u32,
    pub assets: u32,
    pub id_prefix: String,
}
pub struct Generator {
    n: u64,
    total: u64,
}
impl Generator {
    pub fn new(o: GeneratorOptions) -> Self {
        Generator {
            n: 0,
            total: o.events,
        }
    }
    pub fn estimated_total(&self) -> u64 {
        self.total
    }
}
impl Iterator for Generator {
    type Item = serde_json::Value;
    fn next(&mut self) -> Option<serde_json::Value> {
        if self.n >= self.total {
            return None;
        }
        self.n += 1;
        Some(
            serde_json::json!({"id": format!("e{}", self.n), "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z", "assetId": format!("a{}", self.n % 50)}),
        )
    }
}
