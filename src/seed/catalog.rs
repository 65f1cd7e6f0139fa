//! The generator's picture of the catalog: who exists, what is uploaded, which
//! collections and jobs are open, and skewed (Zipf-like) picks among them.
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A rank in 0..n, small ranks far likelier (about 1/(rank+1)): popularity is skewed.
pub fn zipf(rng: &mut ChaCha8Rng, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let u: f64 = rng.r#gen();
    let r = ((n as f64 + 1.0).ln() * u).exp() as usize;
    r.saturating_sub(1).min(n - 1)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AssetState {
    Active,
    Archived,
    Deleted,
}

pub struct Job {
    pub id: usize,
    pub workflow: usize,
    pub stage: usize,
    /// Moved today already: one move a day keeps from/to stages in time order.
    pub moved_today: bool,
}

pub struct Collection {
    pub public: bool,
    pub assets: Vec<usize>,
}

/// The catalog as generated so far; memory is O(users + assets + collections + jobs).
pub struct Catalog {
    pub users_created: usize,
    pub users_deleted: Vec<bool>,
    pub assets: Vec<AssetState>,
    pub asset_total: usize,
    pub collections: Vec<Collection>,
    pub open_jobs: Vec<Job>,
    /// Jobs created today: they move from tomorrow on.
    pub new_jobs: Vec<Job>,
    pub jobs_made: usize,
    pub portals: Vec<bool>,
    /// Assets nobody views or downloads any more (from the generator's last months on).
    pub silenced: Vec<usize>,
    /// What existed when the day began: the day's events pick only among these, since
    /// their times are drawn at random and must not precede a creation.
    visible_users: usize,
    visible_assets: usize,
    visible_collections: usize,
}

impl Catalog {
    pub fn new(users: usize, assets: usize) -> Self {
        Catalog {
            users_created: 0,
            users_deleted: vec![false; users],
            assets: Vec::with_capacity(assets),
            asset_total: assets,
            collections: Vec::new(),
            open_jobs: Vec::new(),
            new_jobs: Vec::new(),
            jobs_made: 0,
            portals: Vec::new(),
            silenced: Vec::new(),
            visible_users: 0,
            visible_assets: 0,
            visible_collections: 0,
        }
    }

    /// Starts a day: everything created so far becomes usable.
    pub fn begin_day(&mut self) {
        self.visible_users = self.users_created;
        self.visible_assets = self.assets.len();
        self.visible_collections = self.collections.len();
        self.open_jobs.append(&mut self.new_jobs);
        for job in &mut self.open_jobs {
            job.moved_today = false;
        }
    }

    /// A created, not deleted user, the busiest most often.
    pub fn pick_user(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        for _ in 0..4 {
            let u = zipf(rng, self.visible_users.max(1));
            if u < self.visible_users && !self.users_deleted[u] {
                return Some(u);
            }
        }
        None
    }

    /// An uploaded asset that is not deleted nor silenced (nor, mostly, archived): half
    /// the time an evergreen favourite, half the time something recent.
    pub fn pick_asset(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        let n = self.visible_assets;
        if n == 0 {
            return None;
        }
        for _ in 0..4 {
            let r = zipf(rng, n);
            let a = if rng.gen_bool(0.5) { r } else { n - 1 - r };
            if self.silenced.contains(&a) {
                continue;
            }
            match self.assets[a] {
                AssetState::Active => return Some(a),
                AssetState::Archived if rng.gen_bool(0.1) => return Some(a),
                _ => {}
            }
        }
        None
    }

    pub fn pick_collection(&self, rng: &mut ChaCha8Rng, public_only: bool) -> Option<usize> {
        let n = self.visible_collections;
        if n == 0 {
            return None;
        }
        for _ in 0..6 {
            let c = zipf(rng, n);
            if !public_only || self.collections[c].public {
                return Some(c);
            }
        }
        None
    }
}
