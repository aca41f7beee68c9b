//! Sending the outbox from the event loop's side: one replay at a time for the location in
//! use (a request while one runs makes it go round again), and for each location left behind
//! a task that keeps sending what it still had until it is empty.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::Tx;
use super::pending::pending_views;
use crate::api::Client;
use crate::app::Msg;
use crate::store::StoreHandle;

/// Starts replays of one location's outbox. Cheap to clone, callable from any thread (the
/// store's owner kicks it once a change is recorded).
#[derive(Clone)]
pub struct Replayer {
    client: Client,
    store: StoreHandle,
    tx: Tx,
    running: Arc<AtomicBool>,
    again: Arc<AtomicBool>,
    tokio: tokio::runtime::Handle,
}

impl Replayer {
    /// Must be made inside the tokio runtime, whose tasks it starts.
    pub fn new(client: Client, store: StoreHandle, tx: Tx) -> Replayer {
        Replayer {
            client,
            store,
            tx,
            running: Arc::default(),
            again: Arc::default(),
            tokio: tokio::runtime::Handle::current(),
        }
    }

    /// Sends what waits, now or right after the replay under way.
    pub fn kick(&self) {
        if self.running.swap(true, Ordering::SeqCst) {
            self.again.store(true, Ordering::SeqCst);
            return;
        }
        let me = self.clone();
        self.tokio.spawn(async move {
            loop {
                let sent = match crate::sync::replay(&me.client, &me.store).await {
                    Ok(sent) => sent,
                    Err(e) => {
                        let _ = me.tx.send(Msg::StoreDown(me.store.why(e)));
                        Vec::new()
                    }
                };
                match me.store.try_call(pending_views).await {
                    Ok(pending) => {
                        let _ = me.tx.send(Msg::Synced { sent, pending });
                    }
                    Err(why) => {
                        let _ = me.tx.send(Msg::StoreDown(why));
                    }
                }
                let _ = me.tx.send(Msg::Budget(me.client.budget()));
                if me.again.swap(false, Ordering::SeqCst) {
                    continue;
                }
                me.running.store(false, Ordering::SeqCst);
                // A request that came between the check and the store found `running` still
                // set and only raised `again`: take it, unless another replay already has.
                if me.again.swap(false, Ordering::SeqCst)
                    && !me.running.swap(true, Ordering::SeqCst)
                {
                    continue;
                }
                break;
            }
        });
    }
}

/// Sends the outbox of a location the user has left until it is empty, waiting longer after
/// each pass that leaves something (2 s up to a minute), and says after each pass what is
/// still waiting and what was refused (refused changes are drafts in that location's store,
/// offered when it is opened again).
pub async fn drain(
    location: String,
    client: Client,
    store: StoreHandle,
    tx: Tx,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut wait = Duration::from_secs(2);
    while !*stop.borrow() {
        if let Err(e) = crate::sync::replay(&client, &store).await {
            tracing::error!(error = %e, %location, "outbox of a location left behind");
        }
        let counts = store
            .try_call(|s| Ok((s.pending_count()?, s.rejected_count()?)))
            .await;
        let (waiting, refused) = match counts {
            Ok(counts) => counts,
            Err(e) => {
                tracing::error!(error = %e, %location, "outbox of a location left behind");
                return;
            }
        };
        tracing::info!(%location, waiting, refused, "sent what a location left behind had");
        let _ = tx.send(Msg::Elsewhere {
            location: location.clone(),
            waiting,
            refused,
        });
        if waiting == 0 {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}
