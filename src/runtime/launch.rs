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
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    cmd.arg(url);
    Ok(cmd)
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
    // Reaped when it ends, so it leaves no zombie behind.
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
