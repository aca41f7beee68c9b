//! The real event loop (`runtime::run`) with no terminal: keys go in through a channel, and
//! every frame it flushes is kept with the moment it was flushed and the text it showed. Shared
//! by tests and benches (`#[path]`), so both measure the app as it runs.
#![allow(dead_code)]

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc;
use futures::stream::BoxStream;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// A frame as it reached the "screen": when, and every row's text.
#[derive(Clone, Debug)]
pub struct Frame {
    pub at: Instant,
    pub text: String,
}

/// A TestBackend that notes each flushed frame. It is also `Write`, as the runtime needs (for
/// the synchronized-output markers, which go nowhere here).
pub struct Recording {
    inner: TestBackend,
    pub frames: Arc<Mutex<Vec<Frame>>>,
}

impl Recording {
    pub fn new(width: u16, height: u16) -> Recording {
        Recording {
            inner: TestBackend::new(width, height),
            frames: Arc::default(),
        }
    }
}

impl io::Write for Recording {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Backend for Recording {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content).map_err(io::Error::other)
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor().map_err(io::Error::other)
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor().map_err(io::Error::other)
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position().map_err(io::Error::other)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner
            .set_cursor_position(position)
            .map_err(io::Error::other)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear().map_err(io::Error::other)
    }
    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner
            .clear_region(clear_type)
            .map_err(io::Error::other)
    }
    fn size(&self) -> io::Result<Size> {
        self.inner.size().map_err(io::Error::other)
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size().map_err(io::Error::other)
    }
    fn flush(&mut self) -> io::Result<()> {
        let buffer = self.inner.buffer();
        let text = buffer
            .content()
            .chunks(usize::from(buffer.area.width.max(1)))
            .map(|row| row.iter().map(Cell::symbol).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n");
        let frame = Frame {
            at: Instant::now(),
            text,
        };
        ghl_tui::private::lock(&self.frames).push(frame);
        Ok(())
    }
}

/// The app running on a tokio task, fed keys through a channel.
pub struct Headless {
    pub keys: mpsc::UnboundedSender<io::Result<Event>>,
    pub frames: Arc<Mutex<Vec<Frame>>>,
    pub done: tokio::task::JoinHandle<anyhow::Result<ghl_tui::app::State>>,
}

impl Headless {
    /// Runs `state` over `session` at `width`x`height` until quit.
    pub fn start(
        state: ghl_tui::app::State,
        session: ghl_tui::session::Session,
        width: u16,
        height: u16,
    ) -> Headless {
        let backend = Recording::new(width, height);
        let frames = backend.frames.clone();
        let (keys, events) = mpsc::unbounded();
        let mut events: Option<BoxStream<'static, io::Result<Event>>> = Some(Box::pin(events));
        let done = tokio::spawn(async move {
            let mut terminal = Terminal::new(backend)?;
            ghl_tui::runtime::run(
                &mut terminal,
                state,
                session,
                move || {
                    events
                        .take()
                        .unwrap_or_else(|| Box::pin(futures::stream::pending()))
                },
                std::future::pending::<()>(),
            )
            .await
        });
        Headless { keys, frames, done }
    }

    pub fn press(&self, code: KeyCode, modifiers: KeyModifiers) {
        let _ = self
            .keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, modifiers))));
    }

    pub fn char(&self, c: char) {
        self.press(KeyCode::Char(c), KeyModifiers::NONE);
    }

    pub fn ctrl(&self, c: char) {
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn text(&self, s: &str) {
        for c in s.chars() {
            self.char(c);
        }
    }

    /// How many frames have been flushed so far.
    pub fn frame_count(&self) -> usize {
        ghl_tui::private::lock(&self.frames).len()
    }

    /// The first frame from number `from` on that `pred` accepts, waiting at most `wait` for it
    /// (the runtime works on other threads: this only yields).
    pub async fn frame_where(
        &self,
        from: usize,
        wait: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Option<Frame> {
        let deadline = Instant::now() + wait;
        loop {
            let found = ghl_tui::private::lock(&self.frames)
                .iter()
                .skip(from)
                .find(|f| pred(&f.text))
                .cloned();
            if found.is_some() || Instant::now() > deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Waits until a frame shows `what` (failing after 30 s with the last frame).
    pub async fn wait_for(&self, what: &str) -> Frame {
        match self
            .frame_where(0, Duration::from_secs(30), |t| t.contains(what))
            .await
        {
            Some(f) => f,
            None => {
                let last = ghl_tui::private::lock(&self.frames)
                    .last()
                    .map(|f| f.text.clone())
                    .unwrap_or_default();
                panic!("no frame showed {what:?}; the last one:\n{last}")
            }
        }
    }
}
