//! Other programs the app starts: the editor (`$VISUAL`, `$EDITOR`) and the browser
//! (`$BROWSER`, else the platform's opener). A variable may hold a command with arguments and
//! quoted paths (`code --wait`, `"/Applications/My Editor.app/x" -w`), split as a shell would.

use std::process::{Command, Stdio};

/// `spec` as a command to run: its program and arguments, split as a shell would.
pub fn command(spec: &str) -> Result<Command, String> {
    let words = shell_words::split(spec).map_err(|e| format!("{spec:?}: {e}"))?;
    let (program, args) = words
        .split_first()
        .ok_or_else(|| "an empty command".to_string())?;
    let mut cmd = Command::new(program);
    cmd.args(args);
    Ok(cmd)
}

/// Why a browser opened from here would not reach the user, if it would not: over SSH it
/// opens on the far machine, and on Linux without a graphical session it cannot open at all.
pub fn no_browser_here(env: impl Fn(&str) -> Option<String>) -> Option<&'static str> {
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT") {
        return Some("this is an SSH session: a browser here would open on the far machine");
    }
    let graphical_elsewhere = cfg!(target_os = "macos") || cfg!(windows);
    if !graphical_elsewhere
        && !set("DISPLAY")
        && !set("WAYLAND_DISPLAY")
        && env("BROWSER").is_none()
    {
        return Some("there is no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)");
    }
    None
}

/// The editor the user chose, else `vi`.
pub fn editor() -> String {
    std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// The browser command for `url`: `$BROWSER` (the first of a `:`-separated list, `%s` for
/// where the address goes, else it comes last), else the platform's opener.
pub fn browser_command(browser: Option<&str>, url: &str) -> Result<Command, String> {
    if let Some(spec) = browser
        .and_then(|b| b.split(':').find(|s| !s.trim().is_empty()))
        .map(str::trim)
    {
        if spec.contains("%s") {
            return command(&spec.replace("%s", &shell_words::quote(url)));
        }
        let mut cmd = command(spec)?;
        cmd.arg(url);
        return Ok(cmd);
    }
    let mut cmd = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        Command::new("xdg-open")
    };
    cmd.arg(url);
    Ok(cmd)
}

/// The browser command's words, for `login`'s own start of it.
pub fn browser_words(browser: Option<&str>) -> Vec<String> {
    match browser_command(browser, "") {
        Ok(cmd) => std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|w| !w.is_empty())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Opens `url` without waiting for the browser, and with nothing it prints reaching the
/// screen the app draws on.
pub fn browse(url: &str) -> Result<(), String> {
    let browser = std::env::var("BROWSER").ok();
    let mut cmd = browser_command(browser.as_deref(), url)?;
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // An opener that finds no browser says so by exiting at once with a failure (xdg-open
    // does); a browser that stays open is not waited for beyond a moment.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < until {
        match child.try_wait() {
            Ok(Some(status)) if !status.success() => {
                return Err(format!("{program} exited with {status}"));
            }
            Ok(Some(_)) => return Ok(()),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
    // Still running: reaped when it ends, so it leaves no zombie behind.
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &Command) -> Vec<String> {
        std::iter::once(c.get_program())
            .chain(c.get_args())
            .map(|s| s.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn commands_split_as_a_shell_would() {
        let c = command(r#""/opt/My Editor/bin/ed" --wait -n"#).expect("a command");
        assert_eq!(words(&c), ["/opt/My Editor/bin/ed", "--wait", "-n"]);
        assert!(command("").is_err());
        assert!(command("vim 'unclosed").is_err());
        let url = "https://app.example.com/v2/location/L/contacts/detail/C";
        let b = browser_command(Some("firefox --new-tab"), url).expect("browser");
        assert_eq!(words(&b), ["firefox", "--new-tab", url]);
        let b = browser_command(Some("lynx -dump %s:w3m"), url).expect("browser");
        assert_eq!(words(&b), ["lynx", "-dump", url]);
        let b = browser_command(None, url).expect("opener");
        assert_eq!(words(&b).last().map(String::as_str), Some(url));
    }
}
