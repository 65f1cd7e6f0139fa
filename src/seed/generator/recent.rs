//! The demo's last months: assets that fall silent or rise, and what users do right
//! after a search.
use super::Generator;
use crate::seed::catalog::AssetState;
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::Rng;
use serde_json::{Value, json};

impl Generator {
    /// The last months' stories: from two months before `until`'s month on, a few evergreen
    /// favourites fall silent (unusedAssets); from `recent_from` on, each month three
    /// little-used assets are viewed and downloaded most working days (risingAssets).
    pub(super) fn recent_trends(&mut self, day: NaiveDate) -> Vec<(NaiveDateTime, Value)> {
        let visible = self.catalog.assets.len();
        if day >= self.recent_from - Months::new(1) && self.catalog.silenced.is_empty() {
            // The three most popular evergreen assets still in use.
            let silenced: Vec<usize> = (0..visible)
                .filter(|&a| self.catalog.assets[a] == AssetState::Active)
                .take(3)
                .collect();
            self.catalog.silenced = silenced;
        }
        if day < self.recent_from || visible < 3 {
            return Vec::new();
        }
        if self.rising_month != Some(day.month()) {
            self.rising_month = Some(day.month());
            self.rising.clear();
            for _ in 0..30 {
                let a = self.rng.gen_range(visible / 3..visible * 2 / 3);
                if self.rising.len() < 3
                    && !self.rising.contains(&a)
                    && !self.catalog.silenced.contains(&a)
                    && self.catalog.assets[a] == AssetState::Active
                {
                    self.rising.push(a);
                }
            }
        }
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for a in self.rising.clone() {
            if !self.rng.gen_bool(0.75) {
                continue;
            }
            let Some(user) = self.catalog.pick_user(&mut self.rng) else {
                continue;
            };
            // Its detail page first, a few minutes before.
            let at = self.work_time(day);
            let viewed = (at - Duration::seconds(self.rng.gen_range(30..600)))
                .max(day.and_time(NaiveTime::MIN));
            out.push((
                viewed,
                json!({"type": "asset.viewed", "userId": self.id("u", user), "assetId": self.id("a", a)}),
            ));
            self.next_action += 1;
            out.push((
                at,
                json!({"type": "asset.downloaded", "userId": self.id("u", user), "assetId": self.id("a", a),
                       "actionId": self.id("x", self.next_action as usize), "bulk": false, "variant": "ORIGINAL"}),
            ));
        }
        out
    }

    /// What a user does after a search, some of the time: views an asset a few minutes
    /// later, and now and then downloads it (a converted search).
    pub(super) fn after_search(
        &mut self,
        day: NaiveDate,
        at: NaiveDateTime,
    ) -> Vec<(NaiveDateTime, Value)> {
        if !self.rng.gen_bool(0.3) {
            return Vec::new();
        }
        let Some(a) = self.catalog.pick_asset(&mut self.rng) else {
            return Vec::new();
        };
        let asset = self.id("a", a);
        let viewed = Self::within_day(day, at + Duration::seconds(self.rng.gen_range(20..1200)));
        let mut out = vec![(viewed, json!({"type": "asset.viewed", "assetId": asset}))];
        if self.rng.gen_bool(0.3) {
            self.next_action += 1;
            let downloaded =
                Self::within_day(day, viewed + Duration::seconds(self.rng.gen_range(10..300)));
            out.push((
                downloaded,
                json!({"type": "asset.downloaded", "assetId": asset, "actionId": self.id("x", self.next_action as usize),
                       "bulk": false, "variant": "ORIGINAL"}),
            ));
        }
        out
    }
}
