//! The search worker: a thread that runs `/` over a large list, so a keystroke never waits
//! for it. Only the newest search matters: any older one still queued is skipped.

use std::sync::mpsc;

use super::Tx;
use crate::app::Msg;
use crate::search::{Index, Query, Searcher};

struct Job {
    generation: u64,
    index: std::sync::Arc<Index>,
    query: Query,
    within: Option<std::sync::Arc<Vec<u32>>>,
    tx: Tx,
}

pub struct Finder {
    jobs: mpsc::Sender<Job>,
}

impl Finder {
    pub fn start() -> Finder {
        let (jobs, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("ghl-tui-search".into())
            .spawn(move || {
                let mut searcher = Searcher::default();
                while let Ok(mut job) = rx.recv() {
                    // Typing ran ahead of the search: only the newest text is searched.
                    while let Ok(newer) = rx.try_recv() {
                        job = newer;
                    }
                    let rows = searcher.search(
                        &job.index,
                        &job.query,
                        job.within.as_deref().map(Vec::as_slice),
                        &[],
                    );
                    let _ = job.tx.send(Msg::Found {
                        generation: job.generation,
                        rows,
                    });
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the search thread");
        }
        Finder { jobs }
    }

    pub fn find(
        &self,
        generation: u64,
        index: std::sync::Arc<Index>,
        query: Query,
        within: Option<std::sync::Arc<Vec<u32>>>,
        tx: Tx,
    ) {
        let job = Job {
            generation,
            index,
            query,
            within,
            tx,
        };
        if self.jobs.send(job).is_err() {
            tracing::error!("the search thread is gone");
        }
    }
}
