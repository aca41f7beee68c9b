//! The real state machine and the real effect runner, with no terminal: messages in, effects
//! run against the sandbox over HTTP, their answers fed back, as the event loop does.

use std::time::Duration;

use ghl_tui::app::{self, Effect, Msg, State};
use ghl_tui::runtime::Executor;
use ghl_tui::session::Session;
use tokio::sync::mpsc;

pub struct Driver {
    pub state: State,
    exec: Executor,
    rx: mpsc::UnboundedReceiver<(u64, Msg)>,
}

impl Driver {
    /// Starts as the app does: the store announced, then `init`'s effects run.
    pub fn start(session: Session, mut state: State) -> Driver {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut exec = Executor::new(session, tx);
        exec.announce_store();
        state.sync.syncing_enabled = exec.syncing();
        state.size = (120, 40);
        for effect in app::init(&mut state) {
            exec.run(effect);
        }
        // The background sync, where the session keeps a replica, as the event loop starts it.
        exec.start_sync();
        Driver { state, exec, rx }
    }

    /// One message through `update`, its effects run (an external editor is never opened).
    pub fn send(&mut self, msg: Msg) {
        // Keys become actions first, as in the runtime.
        let Some(msg) = app::keys::resolve(&self.state, msg) else {
            return;
        };
        for effect in app::update(&mut self.state, msg) {
            if !matches!(effect, Effect::OpenEditor { .. }) {
                self.exec.run(effect);
            }
        }
    }

    pub fn key(&mut self, c: char) {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }

    pub fn ctrl(&mut self, c: char) {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    /// Feeds answers back for `time` (while something else is awaited, outside the state).
    #[allow(dead_code)]
    pub async fn pump(&mut self, time: Duration) {
        let end = tokio::time::Instant::now() + time;
        while let Ok(Some((epoch, msg))) = tokio::time::timeout_at(end, self.rx.recv()).await {
            if self.exec.accepts(epoch) {
                self.send(msg);
            }
        }
    }

    /// Feeds answers back until `done` holds (failing after 30 s with `what`).
    pub async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done(&self.state) {
            let next = tokio::time::timeout_at(deadline, self.rx.recv()).await;
            match next {
                Ok(Some((epoch, msg))) => {
                    if self.exec.accepts(epoch) {
                        self.send(msg);
                    }
                }
                Ok(None) => panic!("the effect runner stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; status: {:?}",
                    self.state.status
                ),
            }
        }
    }
}
