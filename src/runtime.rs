//! The event loop: terminal events, API results, signals and a tick become messages; update
//! turns them into effects; effects run on tokio and report back as messages. One owner of the
//! state, one draw per batch of messages.

use std::io::Write;
use std::time::Duration;

use crossterm::event::Event;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::Client;
use crate::app::{self, Effect, Msg, Parts, State};

/// Runs effects against the API and reports each result as a message.
pub struct Executor {
    client: Client,
    tx: mpsc::UnboundedSender<Msg>,
    /// The requests of the contact whose parts are loading; replaced by the next load.
    contact_jobs: Vec<JoinHandle<()>>,
}

impl Executor {
    pub fn new(client: Client, tx: mpsc::UnboundedSender<Msg>) -> Self {
        Executor {
            client,
            tx,
            contact_jobs: Vec::new(),
        }
    }

    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::FetchPage {
                generation,
                request,
            } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result = client.search(&request).await;
                    let _ = tx.send(Msg::Budget(client.budget()));
                    let _ = tx.send(Msg::Page {
                        generation,
                        request,
                        result,
                    });
                });
            }
            Effect::LoadContact { id, parts } => self.load_contact(id, parts),
            Effect::FetchFields => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result = client.custom_fields().await;
                    let _ = tx.send(Msg::Fields(result));
                });
            }
            Effect::Settle { generation, after } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::Settled(generation));
                });
            }
            Effect::Quit => {}
        }
    }

    fn load_contact(&mut self, id: String, parts: Parts) {
        // Newest load wins: the user moved on, so the old answers are not worth waiting for.
        for job in self.contact_jobs.drain(..) {
            job.abort();
        }
        macro_rules! part {
            ($want:expr, $call:ident, $msg:ident) => {
                if $want {
                    let (client, tx, id) = (self.client.clone(), self.tx.clone(), id.clone());
                    self.contact_jobs.push(tokio::spawn(async move {
                        let result = client.$call(&id).await;
                        let _ = tx.send(Msg::Budget(client.budget()));
                        let _ = tx.send(Msg::$msg { id, result });
                    }));
                }
            };
        }
        part!(parts.detail, contact, Contact);
        part!(parts.tasks, tasks, Tasks);
        part!(parts.notes, notes, Notes);
        part!(parts.appointments, appointments, Appointments);
    }
}

fn event_to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        _ => None,
    }
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Resolves on SIGTERM or SIGHUP (a closed SSH session). The handlers are installed when this
/// is called, not when it is first polled, so call it before the terminal enters raw mode: a
/// signal in between would otherwise kill the process with the terminal left broken.
pub fn termination() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let hup = signal(SignalKind::hangup()).ok();
        async move {
            match (term, hup) {
                (Some(mut term), Some(mut hup)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = hup.recv() => {}
                    }
                }
                _ => std::future::pending::<()>().await,
            }
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>()
}

/// Runs the app until the user quits, the terminal closes or a signal arrives.
pub async fn run<B, E, S>(
    terminal: &mut Terminal<B>,
    mut state: State,
    client: Client,
    mut events: E,
    termination: S,
) -> anyhow::Result<()>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    S: std::future::Future<Output = ()>,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut exec = Executor::new(client, tx);
    let size = terminal.size()?;
    state.size = (size.width, size.height);
    for effect in app::init(&mut state) {
        exec.run(effect);
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_clock = std::time::Instant::now();
    tokio::pin!(termination);
    let mut dirty = true;
    loop {
        if dirty {
            draw(terminal, &state)?;
            dirty = false;
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => event_to_msg(ev),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "terminal input failed");
                    return Err(e.into());
                }
                // Input closed: the terminal is gone.
                None => break,
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = tick.tick() => {
                // Idle screens are not redrawn for the spinner; the clock moves once a minute
                // so overdue marks stay true.
                if state.is_busy() || last_clock.elapsed() >= Duration::from_secs(60) {
                    last_clock = std::time::Instant::now();
                    Some(Msg::Tick(now()))
                } else {
                    None
                }
            }
            _ = &mut termination => Some(Msg::Shutdown),
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        for msg in batch {
            dirty = true;
            for effect in app::update(&mut state, msg) {
                exec.run(effect);
            }
        }
        if state.quit {
            break;
        }
    }
    Ok(())
}

fn draw<B>(terminal: &mut Terminal<B>, state: &State) -> anyhow::Result<()>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
{
    // Synchronized output: the terminal shows the finished frame at once, never a half-drawn
    // one, which matters on slow links.
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| crate::ui::view(state, f))?;
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}
