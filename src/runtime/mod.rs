//! The event loop: terminal events, API results, signals and a tick become messages; keys
//! become actions (`app::keys`); update turns messages into effects; effects run on tokio and
//! report back as messages; the view draws and what it measured goes back as a message. One
//! owner of the state, one draw per batch of messages.

mod executor;
mod finder;
mod local;
mod pending;
mod replay;
mod syncer;

pub use executor::Executor;
pub use syncer::{FIRST_SCREEN, load as load_replica, peek as peek_replica};

use std::io::Write;
use std::time::Duration;

use crossterm::event::Event;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::task::Poll;
use tokio::sync::mpsc;

use crate::app::geometry::Geometry;
use crate::app::{self, Effect, Msg, State};
use crate::session::Session;

/// While the selection moves faster than a person reads (`State::moving`), frames come at most
/// this often: the keys still move the cursor at once, and the screen catches up ten times a
/// second instead of once a key, which a slow link has to carry.
const BURST_FRAME: Duration = Duration::from_millis(100);

/// How long the way out waits for the store to finish writing (a stuck disk must not keep a
/// closed SSH session's process alive for ever).
const FLUSH_AT_EXIT: Duration = Duration::from_secs(5);

/// Sends results back to the loop, marked with the location they belong to: answers for a
/// location the user has left are dropped, however late they come.
#[derive(Clone)]
pub struct Tx {
    epoch: u64,
    tx: mpsc::UnboundedSender<(u64, Msg)>,
}

/// Marks messages that hold whatever location is current (news from locations left behind).
pub(crate) const ANY_EPOCH: u64 = u64::MAX;

impl Tx {
    pub fn send(&self, msg: Msg) -> Result<(), Box<mpsc::error::SendError<(u64, Msg)>>> {
        self.tx.send((self.epoch, msg)).map_err(Box::new)
    }

    fn anywhere(&self) -> Tx {
        Tx {
            epoch: ANY_EPOCH,
            tx: self.tx.clone(),
        }
    }
}

pub(crate) fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
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

/// Runs the app until the user quits, the terminal closes or a signal arrives; gives back the
/// last state, for what to say after the terminal is restored.
/// `make_events` gives a fresh terminal event stream: the stream is dropped while an external
/// editor runs, so it cannot steal the editor's keystrokes.
pub async fn run<B, E, S, F>(
    terminal: &mut Terminal<B>,
    mut state: State,
    session: Session,
    make_events: F,
    termination: S,
) -> anyhow::Result<State>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    S: std::future::Future<Output = ()>,
    F: FnMut() -> E,
{
    let (tx, rx) = mpsc::unbounded_channel();
    state.switchable = session.switcher.is_some();
    let replica_notice = session.replica.notice.clone();
    let mut exec = Executor::new(session, tx);
    exec.announce_store();
    if let Some(notice) = replica_notice {
        for effect in app::update(&mut state, Msg::ReplicaNotice(notice)) {
            exec.run(effect);
        }
    }
    state.sync.syncing_enabled = exec.syncing();
    // The replica before the first frame: the list is on screen before any request.
    if let Some(msg) = exec.read_replica().await {
        let partial = matches!(&msg, Msg::ReplicaLoaded { list, total, .. } if list.len() < *total);
        for effect in app::update(&mut state, msg) {
            exec.run(effect);
        }
        if partial {
            // The rest of the list, read while the first frame is drawn.
            exec.run(Effect::LoadReplica);
        }
    }
    let driven = drive(
        terminal,
        &mut state,
        &mut exec,
        rx,
        make_events,
        termination,
    );
    let outcome = std::panic::AssertUnwindSafe(driven).catch_unwind().await;
    // Whatever the way out (q, a hangup, SIGTERM, a terminal gone mid-frame, a bug): what was
    // typed and what was saved reach the disk before the process ends.
    exec.flush_store(FLUSH_AT_EXIT);
    match outcome {
        Ok(outcome) => outcome.map(|()| state),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

async fn drive<B, E, S, F>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    exec: &mut Executor,
    mut rx: mpsc::UnboundedReceiver<(u64, Msg)>,
    mut make_events: F,
    termination: S,
) -> anyhow::Result<()>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    S: std::future::Future<Output = ()>,
    F: FnMut() -> E,
{
    let mut events = make_events();
    let size = terminal.size()?;
    state.size = (size.width, size.height);
    for effect in app::init(state) {
        exec.run(effect);
    }
    exec.start_sync();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_clock = std::time::Instant::now();
    tokio::pin!(termination);
    let mut dirty = true;
    let mut drawn_at: Option<tokio::time::Instant> = None;
    // A frame held back during a burst of moves, and when it is due.
    let mut due: Option<tokio::time::Instant> = None;
    let mut shown_title = String::new();
    loop {
        let instant = tokio::time::Instant::now();
        // Only moves in the panes are paced: what is typed (the search line) echoes at once.
        let pacing = state.moving && state.scope() == app::keymap::Scope::Browse;
        let early = drawn_at.is_some_and(|at| pacing && instant < at + BURST_FRAME);
        if dirty && early {
            due = drawn_at.map(|at| at + BURST_FRAME);
        } else if dirty {
            due = None;
            drawn_at = Some(instant);
            let geometry = draw(terminal, state)?;
            dirty = false;
            // The window's title follows the location and the contact, written only when it
            // changes.
            let title = crate::ui::window_title(state);
            if title != shown_title {
                let sequence = crate::terminal::title_sequence(&title);
                let backend = terminal.backend_mut();
                let _ = backend
                    .write_all(sequence.as_bytes())
                    .and_then(|()| Write::flush(backend));
                shown_title = title;
            }
            if geometry != state.geometry {
                // What the view measured comes back as a message; when it moves a cursor (the
                // first frame, a resize), the screen is drawn again to show it.
                let before = (state.list, state.pane_cursor.clone());
                for effect in app::update(state, Msg::Drawn(geometry)) {
                    exec.run(effect);
                }
                dirty = before != (state.list, state.pane_cursor.clone());
            }
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => event_to_msg(ev).map(|m| (exec.epoch(), m)),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "terminal input failed");
                    return Err(e.into());
                }
                // Input closed: the terminal is gone.
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = tick.tick() => {
                exec.poll_waits();
                // Idle screens are not redrawn for the spinner; the clock moves once a minute
                // so overdue marks stay true.
                if state.is_busy() || last_clock.elapsed() >= Duration::from_secs(60) {
                    last_clock = std::time::Instant::now();
                    Some((exec.epoch(), Msg::Tick(now())))
                } else {
                    None
                }
            }
            _ = &mut termination => Some((exec.epoch(), Msg::Shutdown)),
            // The frame held back is due: the loop draws it.
            () = async { match due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            } } => None,
        };
        let mut batch: Vec<(u64, Msg)> = first.into_iter().collect();
        // Keys that came together (a paste of moves, a burst over a slow link) make one frame.
        // Polled with this task's own waker: crossterm's stream keeps the first waker it was
        // polled with until an event comes, so a throwaway one would lose the next wake-up.
        let mut closed = false;
        loop {
            match futures::poll!(events.next()) {
                Poll::Ready(Some(Ok(ev))) => {
                    batch.extend(event_to_msg(ev).map(|m| (exec.epoch(), m)))
                }
                Poll::Ready(Some(Err(e))) => {
                    tracing::error!(error = %e, "terminal input failed");
                    return Err(e.into());
                }
                Poll::Ready(None) => {
                    closed = true;
                    break;
                }
                Poll::Pending => break,
            }
        }
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut quitting = false;
        for (epoch, msg) in batch {
            // Checked here, not when drained: a switch earlier in this batch makes the rest of
            // the old location's answers stale.
            if !exec.accepts(epoch) {
                continue;
            }
            // A key becomes an action for the scope the state is in now (an earlier key of
            // this batch may have opened a dialog).
            let Some(msg) = app::keys::resolve(state, msg) else {
                continue;
            };
            dirty = true;
            for effect in app::update(state, msg) {
                if effect == Effect::Quit {
                    quitting = true;
                    continue;
                }
                if let Effect::Copy { text } = &effect {
                    // Straight to the terminal, between frames: the terminal (or the one at
                    // the other end of SSH, or tmux with set-clipboard on) sets its clipboard.
                    let sequence = crate::terminal::osc52(text);
                    let backend = terminal.backend_mut();
                    if let Err(e) = backend
                        .write_all(sequence.as_bytes())
                        .and_then(|()| Write::flush(backend))
                    {
                        tracing::warn!(error = %e, "could not write the copy to the terminal");
                    }
                } else if let Effect::OpenEditor { text } = effect {
                    // The old stream is dropped first: its reader thread may be blocked in a
                    // poll holding crossterm's global reader lock, which a new stream takes
                    // when created (so creating it first could hang until a key came). The
                    // drop wakes that poll and the thread lets go; the new stream is made once
                    // the editor has exited, so nothing reads the editor's keystrokes.
                    drop(events);
                    // The app is suspended: what was typed is written before the editor runs
                    // (a terminal closed while the editor is open must not take it along).
                    exec.flush_store(FLUSH_AT_EXIT);
                    crate::terminal::settle_input();
                    let result = suspended(terminal, || edit_externally(&text));
                    events = make_events();
                    // The shell's title is back while the editor ran: ours is sent again.
                    shown_title.clear();
                    let result = result?;
                    let _ = exec.tx.send(Msg::EditorDone(result));
                } else {
                    exec.run(effect);
                }
            }
        }
        if quitting || closed {
            return Ok(());
        }
    }
}

/// Gives the terminal back to the shell while `f` runs (an editor), then takes it again and
/// redraws everything.
fn suspended<B, T>(terminal: &mut Terminal<B>, f: impl FnOnce() -> T) -> anyhow::Result<T>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
{
    crate::terminal::restore()?;
    let out = f();
    crate::terminal::resume()?;
    // `clear()` would ask the terminal where its cursor is and wait for the answer on stdin;
    // a resize to the same size clears and forces a full redraw without asking anything.
    let area = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, area.width, area.height))?;
    Ok(out)
}

/// One frame of `state`, as the event loop draws them: for the frame shown from the replica
/// while the sign-in is still being read.
pub fn draw_once<B>(terminal: &mut Terminal<B>, state: &State) -> anyhow::Result<()>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
{
    draw(terminal, state).map(drop)
}

fn draw<B>(terminal: &mut Terminal<B>, state: &State) -> anyhow::Result<Geometry>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
{
    // Synchronized output: the terminal shows the finished frame at once, never a half-drawn
    // one, which matters on slow links.
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let mut geometry = Geometry::default();
    terminal.draw(|f| geometry = crate::ui::view(state, f))?;
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(geometry)
}

/// Runs `$VISUAL`/`$EDITOR` (else `vi`) on `text` in a private temporary file and returns what
/// the user saved. The caller has left raw mode and the alternate screen.
pub fn edit_externally(text: &str) -> Result<String, String> {
    let editor = crate::launch::editor();
    let mut file = tempfile::Builder::new()
        .prefix("ghl-tui-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| format!("temporary file: {e}"))?;
    // Ending in a line break, as editors and tools expect: a line appended by `echo >>`
    // would otherwise join the last one.
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .map_err(|e| format!("temporary file: {e}"))?;
    file.flush().map_err(|e| format!("temporary file: {e}"))?;
    // The editor may be a command with arguments and quoted paths (`code --wait`).
    let mut cmd = crate::launch::command(&editor)?;
    let program = cmd.get_program().to_string_lossy().into_owned();
    let status = cmd
        .arg(file.path())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{program} exited with {status}; the text was not changed"
        ));
    }
    std::fs::read_to_string(file.path()).map_err(|e| format!("reading back: {e}"))
}
