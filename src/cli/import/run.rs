//! Sending the checked rows: a few at once under the burst limit (and never into the team's
//! share of the day), each counted once answered, in the file's order, with a checkpoint
//! after each so a kill loses nothing but the rows on their way.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use futures::stream::FuturesOrdered;

use super::prepare::Prepared;
use super::refused::RefusedFile;
use super::rows::Table;
use super::send::{self, Sent};
use super::state::Progress;
use crate::api::{ApiError, Client};
use crate::cli::export::allowance::Allowance;
use crate::cli::export::checkpoint;

/// Rows sent at once: enough to keep the burst limit's pace at a second of latency.
const AT_ONCE: usize = 4;

/// How the sending ended.
pub enum End {
    Finished,
    Paused,
    Stopped(ApiError),
    Io(PathBuf, std::io::Error),
}

pub struct Job<'a> {
    pub client: &'a Client,
    pub table: &'a Table,
    pub out: &'a mut RefusedFile,
    pub progress: &'a mut Progress,
    pub progress_path: &'a Path,
    pub allowance: &'a mut Allowance,
    pub bar: &'a indicatif::ProgressBar,
}

impl Job<'_> {
    /// Sends `rows` in order, a few at once, and counts each once it is answered.
    pub async fn run(&mut self, rows: &[Prepared]) -> End {
        let mut queue = rows.iter().peekable();
        let mut in_flight = FuturesOrdered::new();
        let mut busy = 0;
        let mut paused = false;
        loop {
            while !paused && in_flight.len() < AT_ONCE {
                let Some(row) = queue.peek() else { break };
                if !self
                    .allowance
                    .may_send(self.client.budget(), busy, row.requests())
                {
                    paused = true;
                    break;
                }
                busy += row.requests();
                self.allowance.started(row.requests());
                let (client, row) = (self.client, *row);
                in_flight.push_back(async move { (row, send::send(client, row).await) });
                queue.next();
            }
            let Some((row, sent)) = in_flight.next().await else {
                return if paused { End::Paused } else { End::Finished };
            };
            busy -= row.requests();
            match sent {
                (Sent::Done { created }, n) => {
                    self.progress.requests += n;
                    if created {
                        self.progress.created += 1;
                    } else {
                        self.progress.updated += 1;
                    }
                }
                (Sent::Refused(why), n) => {
                    self.progress.requests += n;
                    self.progress.refused += 1;
                    let why = format!("refused by the API: {why}");
                    if let Err(e) = self.out.add(&self.table.rows[row.index], &why) {
                        return End::Io(self.out.path.clone(), e);
                    }
                }
                // The rows after it are sent again on the next run; upsert makes that safe.
                (Sent::Stopped(e), _) => return End::Stopped(e),
            }
            self.progress.sent += 1;
            self.progress.refused_len = self.out.len;
            if let Err(e) = checkpoint::save(self.progress_path, self.progress) {
                return End::Io(self.progress_path.to_path_buf(), e);
            }
            self.bar.inc(1);
        }
    }
}
