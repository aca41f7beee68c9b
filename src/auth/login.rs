//! `ghl-tui login`: how the approval gets back to us. On a desktop the browser opens and a
//! listener on 127.0.0.1 catches the redirect; over SSH, or with no browser to open, the user
//! pastes back the address the browser was sent to (or just the code). Either way the answer
//! must carry the `state` we sent, so nobody else's sign-in can be slipped in.

use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the approval comes back, and why that way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Open the browser with this command (the URL is appended) and listen for the redirect.
    Browser { opener: Vec<String> },
    /// Print the URL and read the answer from the terminal.
    Paste,
}

/// Picks the mode from the environment; the second value is the reason, told to the user.
pub fn choose_mode(no_browser: bool, env: impl Fn(&str) -> Option<String>) -> (Mode, String) {
    if no_browser {
        return (Mode::Paste, "--no-browser was given".into());
    }
    if let Some(why) = crate::launch::no_browser_here(&env) {
        return (Mode::Paste, why.into());
    }
    if let Some(cmd) = env("BROWSER").filter(|v| !v.trim().is_empty()) {
        // Split as a shell would: `"/opt/My Browser/b" --new-window`.
        let opener = crate::launch::browser_words(Some(&cmd));
        return (Mode::Browser { opener }, "opening $BROWSER".into());
    }
    if cfg!(target_os = "macos") {
        return (
            Mode::Browser {
                opener: vec!["open".into()],
            },
            "opening your browser".into(),
        );
    }
    if cfg!(windows) {
        return (
            Mode::Browser {
                opener: vec!["rundll32".into(), "url.dll,FileProtocolHandler".into()],
            },
            "opening your browser".into(),
        );
    }
    (
        Mode::Browser {
            opener: vec!["xdg-open".into()],
        },
        "opening your browser".into(),
    )
}

/// Starts the browser on `url`; an error means the caller should fall back to pasting.
pub fn open_browser(opener: &[String], url: &str) -> Result<(), String> {
    let (program, args) = opener.split_first().ok_or("no browser command")?;
    std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("could not run {program}: {e}"))
}

/// What came back from the authorize page.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Code(String),
    /// The user (or the server) turned the request down.
    Denied(String),
}

/// Reads a redirect target (`/callback?code=..&state=..`) or a whole URL, checking `state`.
/// A bare code is accepted only when `bare_ok` (the user pasted it from their own browser).
pub fn read_answer(text: &str, expected_state: &str, bare_ok: bool) -> Result<Answer, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("nothing was pasted".into());
    }
    let looks_like_url = text.contains('?') || text.contains("code=") || text.contains("error=");
    if !looks_like_url {
        let is_code = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c));
        return if bare_ok && is_code {
            Ok(Answer::Code(text.to_string()))
        } else {
            Err("that is neither the address the browser was sent to nor a code".into())
        };
    }
    let query = text.split_once('?').map_or(text, |(_, q)| q);
    let query = query.split('#').next().unwrap_or(query);
    let mut code = None;
    let mut state = None;
    let mut error = None;
    for (k, v) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => error = Some(v.into_owned()),
            _ => {}
        }
    }
    let ours = state.as_deref() == Some(expected_state);
    if let Some(error) = error {
        // Only our own sign-in can be turned down: a stray request to the listener must not
        // end the wait. The user's own paste is theirs to make.
        return if ours || bare_ok {
            Ok(Answer::Denied(crate::sanitize::line(&error).into_owned()))
        } else {
            Err("a refusal that is not for this sign-in (its state does not match)".into())
        };
    }
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Err("the address has no code in it".into());
    };
    match state {
        Some(_) if ours => Ok(Answer::Code(code)),
        Some(_) => Err(
            "the address belongs to another sign-in (its state does not match); \
             use the newest link"
                .into(),
        ),
        None => Err("the address has no state; paste the whole address".into()),
    }
}

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>ghl-tui</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h2>Signed in to ghl-tui</h2>\
<p>You can close this tab and go back to the terminal.</p>";

/// Waits on `listener` for the browser's redirect to `path`. Requests that do not carry our
/// `state` are answered with an error and ignored, so a stray or forged request cannot end
/// the wait. Each connection is read on its own, so an idle one (a browser's preconnect)
/// holds up nothing.
pub async fn catch_redirect(
    listener: TcpListener,
    path: &str,
    expected_state: &str,
) -> Result<Answer, String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Answer>(1);
    loop {
        let (mut sock, _) = tokio::select! {
            accepted = listener.accept() => {
                accepted.map_err(|e| format!("the local listener failed: {e}"))?
            }
            Some(answer) = rx.recv() => return Ok(answer),
        };
        let (tx, path, expected) = (tx.clone(), path.to_string(), expected_state.to_string());
        tokio::spawn(async move {
            let Ok(Ok(target)) =
                tokio::time::timeout(Duration::from_secs(10), request_target(&mut sock)).await
            else {
                return;
            };
            let (req_path, _) = target.split_once('?').unwrap_or((&target, ""));
            if req_path != path {
                let _ = respond(&mut sock, "404 Not Found", "Not found").await;
                return;
            }
            match read_answer(&target, &expected, false) {
                Ok(answer) => {
                    let page = match &answer {
                        Answer::Code(_) => DONE_PAGE.to_string(),
                        Answer::Denied(why) => format!(
                            "<!doctype html><meta charset=utf-8><h2>Sign-in cancelled</h2><p>{}</p>",
                            html_escape(why)
                        ),
                    };
                    let _ = respond(&mut sock, "200 OK", &page).await;
                    let _ = tx.send(answer).await;
                }
                Err(why) => {
                    tracing::warn!(%why, "ignored a request on the sign-in listener");
                    let _ = respond(&mut sock, "400 Bad Request", &html_escape(&why)).await;
                }
            }
        });
    }
}

/// The request line's target of one HTTP request, read up to the end of its headers.
async fn request_target(sock: &mut tokio::net::TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(target.to_string()),
        _ => Err(std::io::Error::other("not a GET request")),
    }
}

async fn respond(
    sock: &mut tokio::net::TcpStream,
    status: &str,
    body: &str,
) -> std::io::Result<()> {
    let msg = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    sock.write_all(msg.as_bytes()).await?;
    sock.shutdown().await
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Reads pasted answers from `input` until one is good; a bad paste is explained on `err_out`
/// and asked for again. End of input gives up.
pub async fn read_pasted(
    mut input: impl AsyncBufRead + Unpin,
    expected_state: &str,
    mut tell: impl FnMut(&str),
) -> Result<Answer, String> {
    let mut line = String::new();
    loop {
        line.clear();
        let n = input
            .read_line(&mut line)
            .await
            .map_err(|e| format!("could not read the answer: {e}"))?;
        if n == 0 {
            return Err("no answer was pasted".into());
        }
        if line.trim().is_empty() {
            continue;
        }
        match read_answer(&line, expected_state, true) {
            Ok(answer) => return Ok(answer),
            Err(why) => tell(&format!("{why}. Paste it again:")),
        }
    }
}

/// The loopback listener for `redirect_uri`; port 0 there means any free port, and the
/// returned URI names the one chosen.
pub async fn listen(redirect_uri: &str) -> Result<(TcpListener, String, String), String> {
    let url = oauth2::url::Url::parse(redirect_uri)
        .map_err(|e| format!("the redirect URI is not valid: {e}"))?;
    let host = url.host_str().unwrap_or_default();
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") || url.scheme() != "http" {
        return Err(format!(
            "the redirect URI must be http://127.0.0.1:PORT/... to catch the browser here, \
             not {redirect_uri}; use --no-browser to paste the answer instead"
        ));
    }
    let port = url.port().unwrap_or(80);
    let bind = if host == "[::1]" {
        format!("[::1]:{port}")
    } else {
        format!("127.0.0.1:{port}")
    };
    let listener = TcpListener::bind(&bind)
        .await
        .map_err(|e| format!("can't listen on {bind} for the browser: {e}"))?;
    let actual = listener
        .local_addr()
        .map_err(|e| format!("the local listener failed: {e}"))?
        .port();
    let mut chosen = url.clone();
    let _ = chosen.set_port(Some(actual));
    Ok((listener, chosen.to_string(), url.path().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn ssh_sessions_paste_and_say_why() {
        let (mode, why) = choose_mode(
            false,
            env(&[("SSH_CONNECTION", "1 2 3 4"), ("DISPLAY", ":0")]),
        );
        assert_eq!(mode, Mode::Paste);
        assert!(why.contains("SSH"), "{why}");
        let (mode, why) = choose_mode(true, env(&[("DISPLAY", ":0")]));
        assert_eq!(mode, Mode::Paste);
        assert!(why.contains("--no-browser"), "{why}");
    }

    #[test]
    fn browser_variable_is_a_command_with_arguments() {
        let (mode, _) = choose_mode(false, env(&[("BROWSER", "firefox --new-window")]));
        assert_eq!(
            mode,
            Mode::Browser {
                opener: vec!["firefox".into(), "--new-window".into()]
            }
        );
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn no_display_means_paste() {
        let (mode, why) = choose_mode(false, env(&[]));
        assert_eq!(mode, Mode::Paste);
        assert!(why.contains("DISPLAY"), "{why}");
        let (mode, _) = choose_mode(false, env(&[("WAYLAND_DISPLAY", "wayland-0")]));
        assert_eq!(
            mode,
            Mode::Browser {
                opener: vec!["xdg-open".into()]
            }
        );
    }

    #[test]
    fn answers_must_carry_our_state() {
        let url = "http://127.0.0.1:9/cb?code=abc123&state=s%2B1";
        assert_eq!(
            read_answer(url, "s+1", false),
            Ok(Answer::Code("abc123".into()))
        );
        assert!(
            read_answer(url, "other", false)
                .unwrap_err()
                .contains("state")
        );
        assert!(
            read_answer("http://x/cb?code=abc", "s", true)
                .unwrap_err()
                .contains("no state")
        );
        assert_eq!(
            read_answer("/cb?error=access_denied&state=s", "s", false),
            Ok(Answer::Denied("access_denied".into()))
        );
        // Anyone can send the listener a refusal; only ours ends the wait.
        assert!(read_answer("/cb?error=access_denied", "s", false).is_err());
        assert!(read_answer("/cb?error=access_denied&state=x", "s", false).is_err());
    }

    #[test]
    fn a_bare_code_only_when_pasted() {
        assert_eq!(
            read_answer(" abc-123 \n", "s", true),
            Ok(Answer::Code("abc-123".into()))
        );
        assert!(read_answer("abc-123", "s", false).is_err());
        assert!(read_answer("two words", "s", true).is_err());
    }

    #[tokio::test]
    async fn a_bad_paste_is_explained_and_asked_again() {
        let input: &[u8] =
            b"nonsense here\nhttp://h/cb?code=c1&state=wrong\n\nhttp://h/cb?code=c2&state=ok\n";
        let mut told = Vec::new();
        let got = read_pasted(input, "ok", |m| told.push(m.to_string())).await;
        assert_eq!(got, Ok(Answer::Code("c2".into())));
        assert_eq!(told.len(), 2, "{told:?}");
        let none: &[u8] = b"";
        assert!(read_pasted(none, "ok", |_| {}).await.is_err());
    }

    #[tokio::test]
    async fn the_listener_ignores_strangers_and_takes_our_redirect() {
        let (listener, uri, path) = listen("http://127.0.0.1:0/oauth/callback")
            .await
            .expect("listen");
        assert!(!uri.contains(":0/"), "{uri}");
        let waiting = tokio::spawn(async move { catch_redirect(listener, &path, "st").await });
        let get = |target: String| {
            let uri = uri.clone();
            async move {
                let addr = uri
                    .trim_start_matches("http://")
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                    .await
                    .expect("write");
                let mut out = String::new();
                s.read_to_string(&mut out).await.expect("read");
                out
            }
        };
        assert!(get("/favicon.ico".into()).await.starts_with("HTTP/1.1 404"));
        assert!(
            get("/oauth/callback?code=x&state=forged".into())
                .await
                .starts_with("HTTP/1.1 400")
        );
        // A refusal anyone could send does not end the wait either.
        assert!(
            get("/oauth/callback?error=access_denied".into())
                .await
                .starts_with("HTTP/1.1 400")
        );
        let ok = get("/oauth/callback?code=real&state=st".into()).await;
        assert!(ok.contains("Signed in"), "{ok}");
        assert_eq!(
            waiting.await.expect("join"),
            Ok(Answer::Code("real".into()))
        );
    }
}
