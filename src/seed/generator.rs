//! Deterministic, realistic DAM activity as flat JSON events in the ingest format:
//! weekly rhythm (quiet weekends), working hours, a seasonal curve, mild growth, and
//! skewed popularity across users, assets, queries and collections. Events come out day
//! by day in time order; only the catalog is held in memory.
use super::catalog::{AssetState, Catalog, Collection, Job, zipf};
use super::vocabulary as vocab;
use chrono::{
    Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone,
    Weekday,
};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};
use std::collections::VecDeque;

mod recent;

/// What to generate.
#[derive(Clone, Debug)]
pub struct GeneratorOptions {
    /// About how many events in all.
    pub events: u64,
    /// The same seed (and options) makes the same events.
    pub seed: u64,
    /// The last day of activity, in `time_zone`; activity covers the 13 calendar months
    /// ending with this day's month.
    pub until: NaiveDate,
    pub time_zone: Tz,
    pub users: u32,
    pub assets: u32,
    /// Put before every generated id, so several environments can be generated apart.
    pub id_prefix: String,
}

impl GeneratorOptions {
    /// The demo environment's activity (see [`super::DEMO_EVENTS`]).
    pub fn demo(until: NaiveDate, time_zone: Tz) -> Self {
        GeneratorOptions {
            events: super::DEMO_EVENTS,
            seed: 1,
            until,
            time_zone,
            users: super::DEMO_USERS,
            assets: super::DEMO_ASSETS,
            id_prefix: String::new(),
        }
    }
}

/// A session of one user on one day: its events share the session id.
struct Session {
    user: usize,
    id: String,
    start: NaiveDateTime,
    last: NaiveDateTime,
}

/// One event before it gets its id and timestamp.
struct Draft {
    at: NaiveDateTime,
    seq: usize,
    fields: Map<String, Value>,
}

pub struct Generator {
    opts: GeneratorOptions,
    rng: ChaCha8Rng,
    catalog: Catalog,
    /// Every day of the period with its share of the activity.
    days: Vec<(NaiveDate, f64)>,
    day: usize,
    per_weight: f64,
    initial_users: usize,
    initial_assets: usize,
    buffer: VecDeque<Value>,
    next_event: u64,
    next_session: u64,
    next_action: u64,
    estimated: u64,
    /// The day being made.
    today: NaiveDate,
    /// The first day of the last two months (the month before `until`'s and its own):
    /// a launch users search for in vain, and a few assets on the rise, each month its own.
    recent_from: NaiveDate,
    /// The assets rising this month (from `recent_from` on), and which month that is.
    rising: Vec<usize>,
    rising_month: Option<u32>,
}

fn day_weight(day: NaiveDate, first: NaiveDate, span: f64) -> f64 {
    let weekday = match day.weekday() {
        Weekday::Sat | Weekday::Sun => 0.2,
        _ => 1.0,
    };
    let season = [
        0.9, 1.0, 1.1, 1.15, 1.1, 1.0, 0.85, 0.6, 1.05, 1.15, 1.1, 0.8,
    ][day.month0() as usize];
    let holidays = if day.month() == 12 && day.day() >= 23 {
        0.4
    } else {
        1.0
    };
    let growth = 1.0 + 0.3 * (day - first).num_days() as f64 / span.max(1.0);
    weekday * season * holidays * growth
}

impl Generator {
    pub fn new(opts: GeneratorOptions) -> Self {
        let first = opts.until.with_day(1).unwrap_or(opts.until) - Months::new(12);
        let span = (opts.until - first).num_days() as f64;
        let days: Vec<(NaiveDate, f64)> = first
            .iter_days()
            .take_while(|d| *d <= opts.until)
            .map(|d| (d, day_weight(d, first, span)))
            .collect();
        let users = opts.users.max(2) as usize;
        let assets = opts.assets.max(1) as usize;
        let initial_users = (users * 4).div_ceil(5);
        let initial_assets = assets / 5;
        let initial = (initial_users + initial_assets + 6) as u64;
        let total_weight: f64 = days.iter().map(|(_, w)| w).sum();
        let per_weight = opts.events.saturating_sub(initial) as f64 / total_weight;
        Generator {
            rng: ChaCha8Rng::seed_from_u64(opts.seed),
            catalog: Catalog::new(users, assets),
            days,
            day: 0,
            per_weight,
            initial_users,
            initial_assets,
            buffer: VecDeque::new(),
            next_event: 0,
            next_session: 0,
            next_action: 0,
            estimated: opts.events.max(initial),
            today: first,
            recent_from: opts.until.with_day(1).unwrap_or(opts.until) - Months::new(1),
            rising: Vec::new(),
            rising_month: None,
            opts,
        }
    }

    /// About how many events the generator will make.
    pub fn estimated_total(&self) -> u64 {
        self.estimated
    }

    fn id(&self, kind: &str, n: usize) -> String {
        format!("{}{kind}{n}", self.opts.id_prefix)
    }

    fn work_time(&mut self, day: NaiveDate) -> NaiveDateTime {
        let minute = if self.rng.gen_bool(0.9) {
            // Two overlapping humps over 8:00-19:00 peak around late morning and afternoon.
            let a: f64 = self.rng.gen_range(8.0..19.0);
            let b: f64 = self.rng.gen_range(8.0..19.0);
            ((a + b) / 2.0 * 60.0) as u32
        } else {
            self.rng.gen_range(0..24 * 60)
        };
        let second = self.rng.gen_range(0..60);
        // Day one's activity follows the initial population, made from midnight on.
        let minute = if self.day == 1 {
            minute.max(150)
        } else {
            minute
        };
        day.and_time(
            NaiveTime::from_hms_opt(minute / 60, minute % 60, second).unwrap_or(NaiveTime::MIN),
        )
    }

    fn within_day(day: NaiveDate, at: NaiveDateTime) -> NaiveDateTime {
        at.min(day.and_hms_opt(23, 59, 59).unwrap_or(at))
    }

    fn make_day(&mut self) {
        let (day, weight) = self.days[self.day];
        self.today = day;
        let first_day = self.day == 0;
        let fraction = (self.day + 1) as f64 / self.days.len() as f64;
        self.day += 1;
        let mut drafts: Vec<Draft> = Vec::new();
        let push = |drafts: &mut Vec<Draft>, at: NaiveDateTime, fields: Value| {
            let seq = drafts.len();
            if let Value::Object(fields) = fields {
                drafts.push(Draft { at, seq, fields });
            }
        };

        // Users and assets that join today: most on day one, the rest spread over time.
        let users_due = if first_day {
            self.initial_users
        } else {
            self.initial_users
                + ((self.catalog.users_deleted.len() - self.initial_users) as f64 * fraction)
                    as usize
        };
        while self.catalog.users_created < users_due {
            let at = if first_day {
                day.and_hms_opt(0, 0, 0).unwrap_or_default()
                    + Duration::seconds(self.catalog.users_created as i64 / 10)
            } else {
                self.work_time(day)
            };
            let fields = self.user_created();
            push(&mut drafts, at, fields);
        }
        if first_day {
            for i in 0..self.initial_assets {
                let at =
                    day.and_hms_opt(0, 1, 0).unwrap_or_default() + Duration::seconds(i as i64 / 50);
                let fields = self.upload(None, Some("MASS_UPLOADER"));
                push(&mut drafts, at, fields);
            }
            for _ in 0..4 {
                let at = day.and_hms_opt(1, 30, 0).unwrap_or_default();
                let fields = self.collection_created(Some(0), None);
                push(&mut drafts, at, fields);
            }
            for p in 0..2 {
                let at = day.and_hms_opt(1, 31, 0).unwrap_or_default();
                self.catalog.portals.push(true);
                let fields = json!({"type": "portal.published", "userId": self.id("u", 0), "portalId": self.id("p", p),
                                    "name": vocab::PORTALS[p % vocab::PORTALS.len()], "assetCount": self.rng.gen_range(20..400)});
                push(&mut drafts, at, fields);
            }
        }
        let uploads_due = if first_day {
            0
        } else {
            let later = self.catalog.asset_total - self.initial_assets;
            (self.initial_assets + (later as f64 * fraction) as usize)
                .saturating_sub(self.catalog.assets.len())
        };

        // Day one's initial population is outside the daily budget.
        let population = drafts.len();
        self.catalog.begin_day();
        let jitter: f64 = self.rng.gen_range(0.9..1.1);
        let budget = (weight * self.per_weight * jitter).round() as usize;
        let sessions_n = ((budget as f64 * 0.045).round() as usize).max(1);
        let mut sessions = Vec::with_capacity(sessions_n);
        for _ in 0..sessions_n {
            let Some(user) = self.catalog.pick_user(&mut self.rng) else {
                continue;
            };
            let start = self.work_time(day);
            self.next_session += 1;
            let session = Session {
                user,
                id: self.id("s", self.next_session as usize),
                start,
                last: start,
            };
            let sso = self.rng.gen_bool(0.6);
            push(
                &mut drafts,
                start,
                json!({"type": "user.logged_in", "userId": self.id("u", user), "sessionId": session.id, "sso": sso}),
            );
            sessions.push(session);
        }
        for (at, fields) in self.recent_trends(day) {
            push(&mut drafts, at, fields);
        }
        let logouts = sessions.len() * 3 / 5;
        let mut made = drafts.len() - population + logouts;
        let mut uploads_left = uploads_due;
        let mut misses = 0;
        while made < budget || uploads_left > 0 {
            let s = if sessions.is_empty() {
                None
            } else {
                Some(self.rng.gen_range(0..sessions.len()))
            };
            let at = match s {
                Some(s) => Self::within_day(
                    day,
                    sessions[s].start + Duration::seconds(self.rng.gen_range(0..7200)),
                ),
                None => self.work_time(day),
            };
            let user = s.map(|s| sessions[s].user);
            let events = if uploads_left > 0 {
                uploads_left -= 1;
                let api = self.rng.gen_bool(0.15);
                vec![self.upload(if api { None } else { user }, api.then_some("API"))]
            } else {
                self.activity(user)
            };
            if events.is_empty() {
                // Nothing fit (no open job, no public collection yet…): try again, within reason.
                misses += 1;
                if misses > budget {
                    break;
                }
                continue;
            }
            let mut batch: Vec<(NaiveDateTime, Value)> =
                events.into_iter().map(|e| (at, e)).collect();
            if s.is_some() && batch[0].1["type"] == "search.performed" {
                batch.extend(self.after_search(day, at));
            }
            for (at, mut fields) in batch {
                // No userId: the session's user acted. A null userId: an anonymous visitor.
                if let (Some(s), false) = (s, fields.get("userId").is_some()) {
                    fields["userId"] = json!(self.id("u", sessions[s].user));
                }
                let about_a_user = fields["type"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("user."));
                if let (Some(s), Some(Value::String(_)), false) =
                    (s, fields.get("userId"), about_a_user)
                {
                    fields["sessionId"] = json!(sessions[s].id);
                    sessions[s].last = sessions[s].last.max(at);
                }
                push(&mut drafts, at, fields);
                made += 1;
            }
        }
        for session in sessions.iter().take(logouts) {
            let at = Self::within_day(
                day,
                session.last + Duration::seconds(self.rng.gen_range(30..900)),
            );
            push(
                &mut drafts,
                at,
                json!({"type": "user.logged_out", "userId": self.id("u", session.user), "sessionId": session.id}),
            );
        }

        drafts.sort_by_key(|d| (d.at, d.seq));
        for draft in drafts {
            let mut fields = draft.fields;
            fields.retain(|_, v| !v.is_null());
            let local = self
                .opts
                .time_zone
                .from_local_datetime(&draft.at)
                .earliest()
                .or_else(|| {
                    self.opts
                        .time_zone
                        .from_local_datetime(&(draft.at + Duration::hours(1)))
                        .earliest()
                });
            let Some(local) = local else { continue };
            self.next_event += 1;
            let mut event = Map::with_capacity(fields.len() + 2);
            event.insert("id".into(), json!(self.id("e", self.next_event as usize)));
            event.insert("type".into(), fields.remove("type").unwrap_or(Value::Null));
            event.insert(
                "occurredAt".into(),
                json!(local.to_rfc3339_opts(SecondsFormat::Secs, false)),
            );
            event.extend(fields);
            self.buffer.push_back(Value::Object(event));
        }
    }

    /// One piece of everyday activity by `user` (or anonymous), as one or more events.
    fn activity(&mut self, user: Option<usize>) -> Vec<Value> {
        let roll: f64 = self.rng.r#gen();
        if roll < 0.36 {
            self.catalog
                .pick_asset(&mut self.rng)
                .map(|a| json!({"type": "asset.viewed", "assetId": self.id("a", a)}))
                .into_iter()
                .collect()
        } else if roll < 0.62 {
            vec![self.search()]
        } else if roll < 0.82 {
            self.download()
        } else if roll < 0.93 {
            self.collection_activity(user).into_iter().collect()
        } else if roll < 0.975 {
            self.job_activity().into_iter().collect()
        } else {
            self.rare().into_iter().collect()
        }
    }

    fn user_created(&mut self) -> Value {
        let u = self.catalog.users_created;
        self.catalog.users_created += 1;
        let first = vocab::FIRST_NAMES[u % vocab::FIRST_NAMES.len()];
        let last =
            vocab::LAST_NAMES[(u / vocab::FIRST_NAMES.len() + u * 7) % vocab::LAST_NAMES.len()];
        let role = if u == 0 {
            "Admin"
        } else {
            vocab::ROLES[zipf(&mut self.rng, vocab::ROLES.len())]
        };
        let via = ["MANUAL", "BULK", "ACCESS_REQUEST"][if u < self.initial_users {
            u % 2
        } else {
            zipf(&mut self.rng, 3)
        }];
        let groups: Vec<&str> = (0..self.rng.gen_range(1..3))
            .map(|_| vocab::GROUPS[zipf(&mut self.rng, vocab::GROUPS.len())])
            .collect();
        let mut groups = groups;
        groups.dedup();
        json!({"type": "user.created", "userId": self.id("u", u), "email": format!("{}.{}{u}@example.com", first.to_lowercase(), last.to_lowercase()),
               "name": format!("{first} {last}"), "role": role, "groups": groups, "via": via,
               "byUserId": if u > 0 { json!(self.id("u", 0)) } else { Value::Null }})
    }

    fn metaproperties(&mut self) -> Value {
        if self.rng.gen_bool(0.15) {
            return json!({});
        }
        let region = vocab::REGIONS[zipf(&mut self.rng, vocab::REGIONS.len())];
        let mut brands = vec![vocab::BRANDS[zipf(&mut self.rng, vocab::BRANDS.len())]];
        if self.rng.gen_bool(0.15) {
            let other = vocab::BRANDS[self.rng.gen_range(0..vocab::BRANDS.len())];
            if other != brands[0] {
                brands.push(other);
            }
        }
        let mut props = json!({"Region": [region], "Brand": brands});
        if self.rng.gen_bool(0.3) {
            props["Campaign"] =
                json!([vocab::CAMPAIGNS[zipf(&mut self.rng, vocab::CAMPAIGNS.len())]]);
        }
        props
    }

    fn upload(&mut self, user: Option<usize>, source: Option<&str>) -> Value {
        let a = self.catalog.assets.len();
        self.catalog.assets.push(AssetState::Active);
        let kind = ["IMAGE", "VIDEO", "RAW"][zipf(&mut self.rng, 3)];
        let ext = match kind {
            "IMAGE" => ["jpg", "png", "tif"][self.rng.gen_range(0..3)],
            "VIDEO" => "mp4",
            _ => ["pdf", "psd", "zip"][self.rng.gen_range(0..3)],
        };
        let word = vocab::SUBJECTS[zipf(&mut self.rng, vocab::SUBJECTS.len())];
        let dept = vocab::GROUPS[zipf(&mut self.rng, vocab::GROUPS.len())];
        let campaign = vocab::CAMPAIGNS[zipf(&mut self.rng, vocab::CAMPAIGNS.len())];
        let source =
            source.unwrap_or(["WEB", "EXTERNAL_UPLOADER", "MASS_UPLOADER"][zipf(&mut self.rng, 3)]);
        let tags: Vec<&str> = (0..self.rng.gen_range(0..4))
            .map(|_| vocab::TAGS[zipf(&mut self.rng, vocab::TAGS.len())])
            .collect();
        let mut tags = tags;
        tags.sort_unstable();
        tags.dedup();
        let uploader = match (source, user) {
            ("API", _) => Value::Null,
            (_, Some(u)) => json!(self.id("u", u)),
            (_, None) => {
                let u = self.catalog.pick_user(&mut self.rng).unwrap_or(0);
                json!(self.id("u", u))
            }
        };
        json!({"type": "asset.uploaded", "userId": uploader, "assetId": self.id("a", a),
               "filename": format!("{}-{a}.{ext}", word.to_lowercase().replace(' ', "-")), "assetType": kind,
               "folder": format!("/{dept}/{campaign}"), "tags": tags, "metaproperties": self.metaproperties(), "source": source})
    }

    fn search(&mut self) -> Value {
        let kind = [
            "TEXT",
            "FILTER",
            "VISUAL_TEXT",
            "EXPRESSION",
            "VISUAL_SIMILARITY",
        ][zipf(&mut self.rng, 5)];
        let mut search = json!({"type": "search.performed", "kind": kind});
        match kind {
            "TEXT" | "VISUAL_TEXT" => {
                let term = vocab::QUERIES[zipf(&mut self.rng, vocab::QUERIES.len())];
                search["query"] = json!(self.vary(term));
            }
            "EXPRESSION" => {
                let term = vocab::EXPRESSIONS[zipf(&mut self.rng, vocab::EXPRESSIONS.len())];
                search["expression"] = json!(self.vary(term));
            }
            "VISUAL_SIMILARITY" => match self.catalog.pick_asset(&mut self.rng) {
                Some(a) => search["referenceAssetId"] = json!(self.id("a", a)),
                None => {
                    search["kind"] = json!("TEXT");
                    search["query"] = json!("logo");
                }
            },
            _ => {}
        }
        if kind == "FILTER" || self.rng.gen_bool(0.15) {
            let mut filters = vec![
                json!({"field": "Region", "value": vocab::REGIONS[zipf(&mut self.rng, vocab::REGIONS.len())]}),
            ];
            if self.rng.gen_bool(0.5) {
                filters.push(json!({"field": "Brand", "value": vocab::BRANDS[zipf(&mut self.rng, vocab::BRANDS.len())]}));
            }
            if self.rng.gen_bool(0.3) {
                let kind = ["IMAGE", "VIDEO", "RAW"][zipf(&mut self.rng, 3)];
                filters.push(json!({"field": "assetType", "value": kind}));
            }
            search["filters"] = json!(filters);
        }
        // Words the library holds nothing for find nothing: a few every month, and in the
        // last two months a launch nobody tagged yet.
        if matches!(kind, "TEXT" | "VISUAL_TEXT") {
            let missing = if self.today >= self.recent_from && self.rng.gen_bool(0.12) {
                Some(vocab::NEW_MISSING_QUERY)
            } else if self.rng.gen_bool(0.05) {
                Some(vocab::MISSING_QUERIES[zipf(&mut self.rng, vocab::MISSING_QUERIES.len())])
            } else {
                None
            };
            if let Some(term) = missing {
                search["query"] = json!(self.vary(term));
                search["resultCount"] = json!(0);
                return search;
            }
        }
        if self.rng.gen_bool(0.8) {
            let found = if !matches!(kind, "TEXT" | "VISUAL_TEXT") && self.rng.gen_bool(0.06) {
                0
            } else {
                zipf(&mut self.rng, 400) + 1
            };
            search["resultCount"] = json!(found);
        }
        search
    }

    /// The same words typed differently: case and spacing vary, so normalisation matters.
    fn vary(&mut self, term: &str) -> String {
        match self.rng.gen_range(0..10) {
            0 => term.to_uppercase(),
            1 | 2 => {
                let mut t: String = term
                    .split(' ')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect::<String>())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                t.insert(0, ' ');
                t
            }
            3 => format!("{}  ", term.replace(' ', "   ")),
            _ => term.to_owned(),
        }
    }

    fn download(&mut self) -> Vec<Value> {
        let bulk = self.rng.gen_bool(0.04);
        let count = if bulk {
            self.rng.gen_range(4..9)
        } else {
            [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][self.rng.gen_range(0..10)]
        };
        self.next_action += 1;
        let action = self.id("x", self.next_action as usize);
        let variant = if self.rng.gen_bool(0.7) {
            "ORIGINAL"
        } else {
            "DERIVATIVE"
        };
        let mut assets: Vec<usize> = (0..count)
            .filter_map(|_| self.catalog.pick_asset(&mut self.rng))
            .collect();
        assets.sort_unstable();
        assets.dedup();
        assets
            .into_iter()
            .map(|a| json!({"type": "asset.downloaded", "assetId": self.id("a", a), "actionId": action, "bulk": bulk, "variant": variant}))
            .collect()
    }

    fn collection_created(&mut self, user: Option<usize>, public: Option<bool>) -> Value {
        let c = self.catalog.collections.len();
        let public = public.unwrap_or_else(|| self.rng.gen_bool(0.3));
        self.catalog.collections.push(Collection {
            public,
            assets: Vec::new(),
        });
        let name = format!(
            "{} {}",
            vocab::CAMPAIGNS[c % vocab::CAMPAIGNS.len()],
            vocab::COLLECTION_KINDS[c % vocab::COLLECTION_KINDS.len()]
        );
        let mut created = json!({"type": "collection.created", "collectionId": self.id("c", c), "name": name, "public": public});
        if let Some(u) = user {
            created["userId"] = json!(self.id("u", u));
        }
        created
    }

    fn collection_activity(&mut self, user: Option<usize>) -> Option<Value> {
        let roll: f64 = self.rng.r#gen();
        if roll < 0.03 || self.catalog.collections.is_empty() {
            return Some(self.collection_created(user, None));
        }
        if roll < 0.2 {
            let c = self.catalog.pick_collection(&mut self.rng, false)?;
            let a = self.catalog.pick_asset(&mut self.rng)?;
            if !self.catalog.collections[c].assets.contains(&a) {
                self.catalog.collections[c].assets.push(a);
            }
            return Some(
                json!({"type": "asset.added_to_collection", "collectionId": self.id("c", c), "assetId": self.id("a", a)}),
            );
        }
        if roll < 0.23 {
            let c = self.catalog.pick_collection(&mut self.rng, false)?;
            let public = !self.catalog.collections[c].public;
            self.catalog.collections[c].public = public;
            let kind = if public {
                "collection.published"
            } else {
                "collection.unpublished"
            };
            return Some(json!({"type": kind, "collectionId": self.id("c", c)}));
        }
        if roll < 0.8 {
            let external = self.rng.gen_bool(0.65);
            let c = self.catalog.pick_collection(&mut self.rng, external)?;
            let mut viewed = json!({"type": "collection.viewed", "collectionId": self.id("c", c), "viaPublicLink": external});
            if external {
                viewed["userId"] = Value::Null;
            }
            return Some(viewed);
        }
        let c = self.catalog.pick_collection(&mut self.rng, true)?;
        let members = &self.catalog.collections[c].assets;
        let a = match members.get(zipf(&mut self.rng, members.len().max(1))) {
            Some(&a) if !self.catalog.silenced.contains(&a) => a,
            _ => self.catalog.pick_asset(&mut self.rng)?,
        };
        let transformed = self.rng.gen_bool(0.45);
        let mut download = json!({"type": "collection.downloaded", "userId": null, "collectionId": self.id("c", c), "assetId": self.id("a", a),
                                  "variant": if transformed { "TRANSFORMED" } else { "ORIGINAL" }});
        if transformed {
            download["preset"] = json!(vocab::PRESETS[zipf(&mut self.rng, vocab::PRESETS.len())]);
        }
        Some(download)
    }

    fn job_activity(&mut self) -> Option<Value> {
        if self.catalog.open_jobs.is_empty() || self.rng.gen_bool(0.28) {
            let id = self.catalog.jobs_made;
            self.catalog.jobs_made += 1;
            let workflow = zipf(&mut self.rng, vocab::WORKFLOWS.len());
            self.catalog.new_jobs.push(Job {
                id,
                workflow,
                stage: 0,
                moved_today: false,
            });
            let (name, _) = vocab::WORKFLOWS[workflow];
            let subject = vocab::SUBJECTS[self.rng.gen_range(0..vocab::SUBJECTS.len())];
            return Some(
                json!({"type": "job.created", "jobId": self.id("j", id), "name": format!("{subject} #{id}"), "workflow": name}),
            );
        }
        let j = self.rng.gen_range(0..self.catalog.open_jobs.len());
        let job = &mut self.catalog.open_jobs[j];
        if job.moved_today {
            return None;
        }
        job.moved_today = true;
        let job = &self.catalog.open_jobs[j];
        let stages = vocab::WORKFLOWS[job.workflow].1;
        let (id, stage) = (job.id, job.stage);
        if stage + 1 == stages.len() {
            self.catalog.open_jobs.swap_remove(j);
            return Some(json!({"type": "job.finished", "jobId": self.id("j", id)}));
        }
        let back = stage > 0 && self.rng.gen_bool(0.25);
        let to = if back { stage - 1 } else { stage + 1 };
        self.catalog.open_jobs[j].stage = to;
        let kind = if back {
            "job.sent_back"
        } else {
            "job.advanced"
        };
        Some(
            json!({"type": kind, "jobId": self.id("j", id), "fromStage": stages[stage], "toStage": stages[to]}),
        )
    }

    /// Rarer changes: edits, archiving, deletion, user changes, portals.
    fn rare(&mut self) -> Option<Value> {
        let roll: f64 = self.rng.r#gen();
        if roll < 0.6 {
            let a = self.catalog.pick_asset(&mut self.rng)?;
            let asset = self.id("a", a);
            return Some(if roll < 0.3 {
                match self.rng.gen_range(0..3) {
                    0 => {
                        json!({"type": "asset.updated", "assetId": asset, "tags": [vocab::TAGS[zipf(&mut self.rng, vocab::TAGS.len())]]})
                    }
                    1 => {
                        json!({"type": "asset.updated", "assetId": asset, "metaproperties": self.metaproperties()})
                    }
                    _ => {
                        json!({"type": "asset.updated", "assetId": asset, "folder": "/Archive/Reviewed"})
                    }
                }
            } else if roll < 0.47 {
                self.catalog.assets[a] = AssetState::Archived;
                json!({"type": "asset.archived", "assetId": asset})
            } else {
                self.catalog.assets[a] = AssetState::Deleted;
                json!({"type": "asset.deleted", "assetId": asset})
            });
        }
        if roll < 0.97 {
            let u = self.catalog.pick_user(&mut self.rng)?;
            // About one user in ten leaves over the period; the admin never does.
            let deleted = self.catalog.users_deleted.iter().filter(|d| **d).count();
            if roll < 0.95 || u == 0 || deleted * 10 >= self.catalog.users_deleted.len() {
                let role = vocab::ROLES[self.rng.gen_range(0..vocab::ROLES.len())];
                return Some(
                    json!({"type": "user.updated", "userId": self.id("u", u), "role": role, "byUserId": self.id("u", 0)}),
                );
            }
            self.catalog.users_deleted[u] = true;
            return Some(
                json!({"type": "user.deleted", "userId": self.id("u", u), "byUserId": self.id("u", 0)}),
            );
        }
        let new_portal = usize::from(self.catalog.portals.len() < 6);
        let p = self
            .rng
            .gen_range(0..self.catalog.portals.len() + new_portal);
        if p == self.catalog.portals.len() || !self.catalog.portals[p] {
            if p == self.catalog.portals.len() {
                self.catalog.portals.push(true);
            } else {
                self.catalog.portals[p] = true;
            }
            let name = vocab::PORTALS[p % vocab::PORTALS.len()];
            return Some(
                json!({"type": "portal.published", "portalId": self.id("p", p), "name": name, "assetCount": self.rng.gen_range(20..400)}),
            );
        }
        // Two portals stay live: the admin dashboard always has some to show.
        if self.catalog.portals.iter().filter(|live| **live).count() <= 2 {
            return None;
        }
        self.catalog.portals[p] = false;
        Some(json!({"type": "portal.unpublished", "portalId": self.id("p", p)}))
    }
}

impl Iterator for Generator {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        while self.buffer.is_empty() {
            if self.day >= self.days.len() {
                return None;
            }
            self.make_day();
        }
        self.buffer.pop_front()
    }
}
