//! Pages of entities whose stats load together. A list registers the ids of the page it
//! shows (`loaders::load_many` does, for every list that loads its entities at once);
//! the first item of the page that asks for a stat loads it for the whole page, straight
//! from the stat loader, and its siblings read that answer. A page's stats thus cost one
//! statement per stat whatever the page's size, and never wait for a batch to fill by
//! time (the dataloader's delay serves the entities asked for one by one).
use crate::error::AppError;
use async_graphql::dataloader::Loader;
use std::any::Any;
use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Fetched = Arc<dyn Any + Send + Sync>;

/// The ids of one page, and what was loaded for all of them, by the kind of stat.
pub struct Page {
    ids: Vec<String>,
    fetched: Mutex<HashMap<String, Arc<OnceCell<Fetched>>>>,
}

/// The pages of one request, by the table and id of each of their entities.
#[derive(Default)]
pub struct Pages {
    by_id: Mutex<HashMap<(&'static str, String), Arc<Page>>>,
}

impl Pages {
    /// Registers `ids`, entities of `table`, as one page.
    pub fn register(&self, table: &'static str, ids: &[String]) {
        if ids.len() < 2 {
            return;
        }
        let page = Arc::new(Page {
            ids: ids.to_vec(),
            fetched: Mutex::default(),
        });
        let mut by_id = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            by_id.insert((table, id.clone()), page.clone());
        }
    }

    /// The page the entity was listed in, if any.
    pub fn page(&self, table: &'static str, id: &str) -> Option<Arc<Page>> {
        let by_id = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        by_id.get(&(table, id.to_owned())).cloned()
    }
}

impl Page {
    /// The value of `make(id)`, loaded with the same key of every id of the page on the
    /// first call (the key with an empty id tells the kinds of stat apart).
    pub async fn get<L, K, V>(
        &self,
        loader: &L,
        make: impl Fn(String) -> K,
        id: &str,
    ) -> Result<Option<V>, Arc<AppError>>
    where
        L: Loader<K, Value = V, Error = Arc<AppError>>,
        K: Debug + Hash + Eq + Send + Sync + Clone + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let kind = format!("{:?}", make(String::new()));
        let cell = self
            .fetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_default()
            .clone();
        let fetched = cell
            .get_or_try_init(|| async {
                let keys: Vec<K> = self.ids.iter().cloned().map(&make).collect();
                let found = loader.load(&keys).await?;
                Ok::<Fetched, Arc<AppError>>(Arc::new(found))
            })
            .await?;
        Ok(fetched
            .downcast_ref::<HashMap<K, V>>()
            .and_then(|found| found.get(&make(id.to_owned())).cloned()))
    }
}
