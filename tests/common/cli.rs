//! The real binary run as a script runs it, in a home of its own, against a sandbox: for the
//! scripting, export and import tests.

use std::path::PathBuf;
use std::process::{Child, Output, Stdio};

use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox};

pub struct Home {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub location: String,
}

impl Home {
    pub fn new(sb: &Sandbox) -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            base: sb.base_url(),
            location: sb.location_id().to_string(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name` in the home; gives its path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p.to_str().expect("path").to_string()
    }

    /// `ghl-tui ARGS` signed in with `token`, stdout and stderr kept, no stdin.
    pub fn command(&self, token: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = super::ghl_tui(self.dir.path(), &self.base);
        cmd.env("GHL_TOKEN", token)
            .env("GHL_LOCATION_ID", &self.location)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(DEMO_TOKEN, args)
            .output()
            .expect("run ghl-tui")
    }

    /// Started and left running (to be killed), its stdout thrown away.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(DEMO_TOKEN, args)
            .stdout(Stdio::null())
            .spawn()
            .expect("run ghl-tui")
    }
}
