use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Offset;
use clap::{Parser, Subcommand};
use ghl_tui::api::{Client, ClientConfig, Secret};
use ghl_tui::app::State;
use ghl_tui::config::{self, Config};
use ghl_tui::sandbox::{self, FaultRates, Sandbox, SandboxConfig, Seed};
use ghl_tui::session::{AgencySwitcher, LocalStore, Session};
use std::sync::Arc;

/// A keyboard-driven terminal client for the GoHighLevel (LeadConnector) Contacts API.
#[derive(Parser, Debug)]
#[command(version, about, after_help = ghl_tui::cli::EXIT_CODES_HELP, after_long_help = long_help())]
struct Cli {
    /// Run on the built-in sandbox with demo data (no account needed).
    #[arg(long)]
    demo: bool,
    /// Faults for the demo sandbox, e.g. `latency=300ms,429=0.05,5xx=0.05,drop=0.02`.
    #[arg(long, value_name = "SPEC", requires = "demo")]
    faults: Option<FaultRates>,
    /// Serve the demo a synthetic account of this many contacts instead of the shipped one.
    #[arg(long, value_name = "N", requires = "demo")]
    contacts: Option<usize>,
    /// Config file (default: the platform's config directory).
    #[arg(long, value_name = "PATH", global = true)]
    config: Option<PathBuf>,
    /// Keeps several accounts apart: each profile has its own sign-in.
    #[arg(long, value_name = "NAME", default_value = "default", global = true)]
    profile: String,
    /// Presenter mode from the start: emails, phones, addresses and fields masked (P toggles).
    #[arg(long)]
    mask: bool,
    /// Colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto", global = true)]
    color: ghl_tui::look::ColorWhen,
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Every setting the environment can give (`GHL_*`), also a flag; each may be in
/// `config.toml` too, which both override. The token and the client secret never show their
/// values in the help.
#[derive(clap::Args, Debug, Default)]
#[command(next_help_heading = "Settings (flag, environment, or config.toml)")]
struct Settings {
    /// The API's address (a sandbox, or a white-label's).
    #[arg(long, global = true, value_name = "URL", env = "GHL_API_BASE_URL")]
    api_base_url: Option<String>,
    /// A Private Integration token (or any bearer token) instead of the stored sign-in; prefer
    /// the variable, since a flag's value shows in `ps`.
    #[arg(
        long,
        global = true,
        value_name = "TOKEN",
        env = "GHL_TOKEN",
        hide_env_values = true
    )]
    api_token: Option<String>,
    /// The location (sub-account) to open.
    #[arg(long, global = true, value_name = "ID", env = "GHL_LOCATION_ID")]
    location_id: Option<String>,
    /// The OAuth app `login` signs in with.
    #[arg(long, global = true, value_name = "ID", env = "GHL_CLIENT_ID")]
    client_id: Option<String>,
    /// The OAuth app's secret; prefer the variable, since a flag's value shows in `ps`.
    #[arg(
        long,
        global = true,
        value_name = "SECRET",
        env = "GHL_CLIENT_SECRET",
        hide_env_values = true
    )]
    client_secret: Option<String>,
    /// The marketplace app's id (default: the client id's first part).
    #[arg(long, global = true, value_name = "ID", env = "GHL_APP_ID")]
    app_id: Option<String>,
    #[arg(long, global = true, value_name = "URL", env = "GHL_AUTHORIZE_URL")]
    authorize_url: Option<String>,
    #[arg(long, global = true, value_name = "URL", env = "GHL_TOKEN_URL")]
    token_url: Option<String>,
    #[arg(long, global = true, value_name = "URL", env = "GHL_REDIRECT_URI")]
    redirect_uri: Option<String>,
    /// Who you are in the location (a user id): "mine" in the queue and `tasks --mine`.
    #[arg(long, global = true, value_name = "ID", env = "GHL_USER_ID")]
    user_id: Option<String>,
    /// auto, queue or contacts: what the app opens on.
    #[arg(long, global = true, value_name = "VIEW", env = "GHL_START_VIEW")]
    start_view: Option<String>,
    /// mdy, dmy or ymd: how numeric dates are typed.
    #[arg(long, global = true, value_name = "ORDER", env = "GHL_DATE_ORDER")]
    date_order: Option<String>,
    /// full, viewed or off: what is kept of the account on this machine.
    #[arg(long, global = true, value_name = "MODE", env = "GHL_CACHE")]
    cache: Option<String>,
    /// Seconds between background syncs.
    #[arg(long, global = true, value_name = "SECS", env = "GHL_SYNC_INTERVAL")]
    sync_interval: Option<String>,
    /// Hours between reconciliations (which find deleted contacts).
    #[arg(long, global = true, value_name = "HOURS", env = "GHL_RECONCILE_HOURS")]
    reconcile_hours: Option<String>,
    /// `file` keeps sign-ins in a 0600 file even where an OS keyring answers.
    #[arg(long, global = true, value_name = "STORE", env = "GHL_TOKEN_STORE")]
    token_store: Option<String>,
    /// The GHL web app's address, where `O` opens a contact (a white-label's own).
    #[arg(long, global = true, value_name = "URL", env = "GHL_WEB_URL")]
    web_url: Option<String>,
    /// The log's level and filter (e.g. debug, or ghl_tui=trace).
    #[arg(long, global = true, value_name = "FILTER", env = "GHL_TUI_LOG")]
    log: Option<String>,
}

impl Settings {
    /// The value of `GHL_*` `key`, from its flag or the environment (clap has read both).
    fn get(&self, key: &str) -> Option<String> {
        let v = match key {
            "GHL_API_BASE_URL" => &self.api_base_url,
            "GHL_TOKEN" => &self.api_token,
            "GHL_LOCATION_ID" => &self.location_id,
            "GHL_CLIENT_ID" => &self.client_id,
            "GHL_CLIENT_SECRET" => &self.client_secret,
            "GHL_APP_ID" => &self.app_id,
            "GHL_AUTHORIZE_URL" => &self.authorize_url,
            "GHL_TOKEN_URL" => &self.token_url,
            "GHL_REDIRECT_URI" => &self.redirect_uri,
            "GHL_USER_ID" => &self.user_id,
            "GHL_START_VIEW" => &self.start_view,
            "GHL_DATE_ORDER" => &self.date_order,
            "GHL_CACHE" => &self.cache,
            "GHL_SYNC_INTERVAL" => &self.sync_interval,
            "GHL_RECONCILE_HOURS" => &self.reconcile_hours,
            "GHL_TOKEN_STORE" => &self.token_store,
            "GHL_TUI_LOG" => &self.log,
            "GHL_WEB_URL" => &self.web_url,
            // Anything else (locale variables for the date order, NO_COLOR) is the
            // environment's.
            other => return std::env::var(other).ok(),
        };
        v.clone()
    }
}

/// The settings as parsed, for the places that read them.
static SETTINGS: std::sync::OnceLock<Settings> = std::sync::OnceLock::new();

fn setting(key: &str) -> Option<String> {
    match SETTINGS.get() {
        Some(s) => s.get(key),
        None => std::env::var(key).ok(),
    }
}

const EXAMPLES: &str = "Examples:
  ghl-tui --demo                              the app, on a built-in sandbox
  ghl-tui login                               sign in (OAuth; --token for a Private Integration)
  ghl-tui contacts search jane --json         search, as the API answers
  ghl-tui contacts list --cached --csv > all.csv
  ghl-tui tasks list --due today --mine
  ghl-tui tasks done TASK_ID
  echo 'Called, no answer' | ghl-tui notes add jane@example.com
  ghl-tui tags add CONTACT_ID vip hot --no-wait
  ghl-tui export --deep --format sqlite --out account.sqlite
  ghl-tui import leads.csv --dry-run
  ghl-tui completions zsh > ~/.zfunc/_ghl-tui
  ghl-tui doctor

stdout is data, stderr is talk.

";

/// The long help's end: examples, then the exit codes (kept beside the codes themselves).
fn long_help() -> String {
    format!("{EXAMPLES}{}", ghl_tui::cli::EXIT_CODES_HELP)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the GHL Contacts API sandbox on its own and print how to connect.
    Sandbox {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Faults to inject, e.g. `latency=300ms,429=0.05,5xx=0.05,drop=0.02`.
        #[arg(long, value_name = "SPEC")]
        faults: Option<FaultRates>,
        /// Serve a synthetic account of this many contacts instead of the demo's.
        #[arg(long, value_name = "N")]
        contacts: Option<usize>,
    },
    /// Sign in: OAuth in the browser (or by pasting over SSH), or a Private Integration token.
    Login {
        /// Use a Private Integration token instead, read from stdin (or typed, not shown).
        #[arg(long, conflicts_with_all = ["write", "agency", "no_browser", "minimal"])]
        token: bool,
        /// Also ask for `contacts.write` (the default is read-only, least privilege).
        #[arg(long)]
        write: bool,
        /// Sign in as an agency (Company) and switch between its locations with L.
        #[arg(long)]
        agency: bool,
        /// Print the address instead of opening a browser, and read the answer pasted back.
        #[arg(long)]
        no_browser: bool,
        /// Ask for the contacts scopes alone: no names for fields, tags and users, no
        /// location details, no work queue.
        #[arg(long)]
        minimal: bool,
        /// The location (a token's, or the agency's to start in; default: GHL_LOCATION_ID).
        #[arg(long, value_name = "ID")]
        location: Option<String>,
    },
    /// Forget the stored sign-in of the profile.
    Logout {
        /// Also delete the local copies of the accounts (the replicas). Changes still waiting
        /// to be sent are kept: they live in another file, which this never touches.
        #[arg(long)]
        purge: bool,
    },
    /// Sign-in information.
    Auth {
        #[command(subcommand)]
        what: AuthCommand,
    },
    /// Contacts: list, search, show.
    Contacts {
        #[command(subcommand)]
        what: ghl_tui::cli::script::ContactsCommand,
    },
    /// Tasks across the location: list, done.
    Tasks {
        #[command(subcommand)]
        what: ghl_tui::cli::script::TasksCommand,
    },
    /// Notes: add.
    Notes {
        #[command(subcommand)]
        what: ghl_tui::cli::script::NotesCommand,
    },
    /// Tags on a contact: add, remove.
    Tags {
        #[command(subcommand)]
        what: ghl_tui::cli::script::TagsCommand,
    },
    /// A shell's completions, to stdout (e.g. `ghl-tui completions bash > ~/.local/share/bash-completion/completions/ghl-tui`).
    Completions { shell: clap_complete::Shell },
    /// The manual page, to stdout (`ghl-tui man | man -l -`).
    Man,
    /// Check the set-up: paths, sign-in, the API, the local copy, the terminal. Each line ok,
    /// warn or fail, with what to do.
    Doctor,
    /// Every contact (--deep: with notes, tasks, appointments) to JSON lines, CSV or SQLite.
    Export(ghl_tui::cli::export::ExportArgs),
    /// Contacts from CSV or JSON lines, through upsert, with a report of what became of each.
    Import(ghl_tui::cli::import::ImportArgs),
}

#[derive(Subcommand, Debug)]
enum AuthCommand {
    /// Account, location, user type, scopes and expiry (never the token).
    Status,
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let _ = SETTINGS.set(std::mem::take(&mut cli.settings));
    // A config file named but not there is a mistake to say, not a default to fall back on.
    if let Some(path) = cli.config.as_ref().filter(|p| !p.exists()) {
        eprintln!(
            "ghl-tui: --config {}: no such file (leave --config out for {})",
            path.display(),
            config::default_config_path()
                .map_or_else(|| "the defaults".to_string(), |p| p.display().to_string())
        );
        return ExitCode::from(ghl_tui::cli::exit::USAGE);
    }
    let _log = ghl_tui::logging::init(&config::log_dir(), setting("GHL_TUI_LOG").as_deref());
    ghl_tui::terminal::install_panic_hook();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ghl-tui: can't start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        // Opened only by the commands that use it: the keyring is a D-Bus connection away.
        let tokens = || token_store(&cli.profile);
        match cli.command {
            Some(Command::Sandbox {
                port,
                faults,
                contacts,
            }) => serve_sandbox(port, faults.unwrap_or_default(), contacts).await,
            Some(Command::Login {
                token: true,
                location,
                ..
            }) => login(location, cli.config, &tokens()).await,
            Some(Command::Login {
                write,
                agency,
                no_browser,
                minimal,
                location,
                ..
            }) => {
                let how = LoginHow {
                    write,
                    agency,
                    no_browser,
                    minimal,
                    location,
                };
                login_oauth(how, cli.config, &tokens()).await
            }
            Some(Command::Logout { purge }) => {
                let signed_out = report(ghl_tui::auth::commands::logout(&tokens()));
                if purge {
                    let dir = config::store_path("x")
                        .parent()
                        .map(std::path::Path::to_path_buf)
                        .unwrap_or_default();
                    match ghl_tui::store::replica::purge(&dir) {
                        Ok(0) => println!("No local copy of any account to delete."),
                        Ok(n) => println!(
                            "Deleted the local copy of {n} account{} in {}; changes waiting to be sent were kept.",
                            if n == 1 { "" } else { "s" },
                            dir.display()
                        ),
                        Err(e) => {
                            eprintln!("ghl-tui: could not delete the local copies in {}: {e}", dir.display());
                            return Ok(ExitCode::FAILURE);
                        }
                    }
                }
                signed_out
            }
            Some(Command::Auth {
                what: AuthCommand::Status,
            }) => auth_status(cli.config, &tokens()),
            Some(Command::Completions { shell }) => {
                use clap::CommandFactory;
                use std::io::Write;
                // Into memory first: the generator panics on a closed pipe (`| head`).
                let mut script = Vec::new();
                clap_complete::generate(shell, &mut Cli::command(), "ghl-tui", &mut script);
                match std::io::stdout().write_all(&script) {
                    Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                    _ => Ok(ExitCode::SUCCESS),
                }
            }
            Some(Command::Man) => {
                use clap::CommandFactory;
                let page = clap_mangen::Man::new(Cli::command());
                match page.render(&mut std::io::stdout()) {
                    Ok(()) => Ok(ExitCode::SUCCESS),
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
                    Err(e) => Err(e.into()),
                }
            }
            Some(Command::Doctor) => Ok(doctor(cli.config, &cli.profile).await),
            Some(
                cmd @ (Command::Contacts { .. }
                | Command::Tasks { .. }
                | Command::Notes { .. }
                | Command::Tags { .. }
                | Command::Export(_)
                | Command::Import(_)),
            ) => Ok(script(cmd, cli.config, &cli.profile, cli.color).await),
            None => {
                let demo = cli.demo.then_some(cli.contacts);
                let profile = cli.profile.clone();
                let look = ghl_tui::look::Look::with(cli.color, |k| std::env::var(k).ok());
                run_tui(demo, cli.faults.unwrap_or_default(), cli.config, profile, look, cli.mask).await
            }
        }
    });
    // Background requests must not outlive the terminal session.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "exiting with an error");
            eprintln!("ghl-tui: {}", ghl_tui::redact::text(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// At exit, a refresh under way is let finish: the server has spent the old refresh token, and
/// the runtime's shutdown would drop the new pair and sign the user out. The wait is bounded by
/// the token endpoint's own timeout, and said on the (restored) terminal when it is noticeable.
async fn close_sign_in(tokens: &ghl_tui::auth::TokenManager) {
    let closing = tokens.close();
    tokio::pin!(closing);
    let stored = tokio::select! {
        stored = &mut closing => Some(stored),
        () = tokio::time::sleep(std::time::Duration::from_millis(500)) => None,
    };
    let stored = match stored {
        Some(stored) => Some(stored),
        None => {
            eprintln!("ghl-tui: storing the renewed sign-in…");
            tokio::time::timeout(std::time::Duration::from_secs(40), closing)
                .await
                .ok()
        }
    };
    if stored != Some(true) {
        tracing::error!("exiting with a refreshed sign-in not stored");
        eprintln!(
            "ghl-tui: the renewed sign-in could not be stored; if the next start says so, sign in again"
        );
    }
}

/// The profile's sign-in store: the OS keyring if one answers (unless `GHL_TOKEN_STORE=file`),
/// with the 0600 file beside it for when none does.
fn token_store(profile: &str) -> ghl_tui::auth::TokenStore {
    use ghl_tui::auth::{TokenFile, TokenStore, keyring::Keyring};
    let file = TokenFile::new(config::token_path(profile));
    let choice = setting(config::ENV_TOKEN_STORE).unwrap_or_default();
    let keyring = match choice.trim() {
        "file" => None,
        _ => match Keyring::os() {
            Ok(k) => Some(k),
            Err(why) => {
                tracing::info!(%why, "no OS keyring; the sign-in is kept in a 0600 file");
                None
            }
        },
    };
    TokenStore::new(profile, file, keyring)
}

/// The config file given, or the platform's, under the environment.
fn load_config(config_path: Option<PathBuf>) -> anyhow::Result<Config> {
    let path = config_path.or_else(config::default_config_path);
    Config::load(setting, path.as_deref()).map_err(anyhow::Error::msg)
}

/// "Not signed in", for every command that needs a sign-in and has none.
const NOT_SIGNED_IN: u8 = 3;

/// `auth status`: which token is in use and where it comes from; exit 3 when there is none.
fn auth_status(
    config_path: Option<PathBuf>,
    tokens: &ghl_tui::auth::TokenStore,
) -> anyhow::Result<ExitCode> {
    use ghl_tui::auth::commands::{Status, status};
    let cfg = load_config(config_path)?;
    match status(&cfg, tokens) {
        Ok(Status::SignedIn(text)) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Status::NotSignedIn(text)) => {
            println!("{text}");
            Ok(ExitCode::from(NOT_SIGNED_IN))
        }
        Err(e) => {
            eprintln!("ghl-tui: {}", ghl_tui::redact::text(&e));
            Ok(ExitCode::FAILURE)
        }
    }
}

fn report(result: Result<String, String>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("ghl-tui: {}", ghl_tui::redact::text(&e));
            Ok(ExitCode::FAILURE)
        }
    }
}

struct LoginHow {
    write: bool,
    agency: bool,
    no_browser: bool,
    minimal: bool,
    location: Option<String>,
}

/// `login`: OAuth with the configured app, the answer caught from the browser or pasted.
async fn login_oauth(
    how: LoginHow,
    config_path: Option<PathBuf>,
    tokens: &ghl_tui::auth::TokenStore,
) -> anyhow::Result<ExitCode> {
    use ghl_tui::auth::{commands, login, oauth};
    let path = config_path.or_else(config::default_config_path);
    let cfg = load_config(path.clone())?;
    let (Some(client_id), Some(client_secret)) = (cfg.client_id.clone(), cfg.client_secret.clone())
    else {
        eprintln!(
            "ghl-tui: OAuth needs your marketplace app's client id and secret: set {} and {} \
             (or client_id and client_secret in {}).\n\
             Without an app, sign in with a Private Integration token: ghl-tui login --token",
            config::ENV_CLIENT_ID,
            config::ENV_CLIENT_SECRET,
            path.as_deref()
                .map_or_else(|| "config.toml".into(), |p| p.display().to_string()),
        );
        return Ok(ExitCode::from(2));
    };
    // Contacts, and the reads that put names to ids, dates to zones and a day to work: with
    // any of them refused the app still works, with less.
    let mut scopes: Vec<String> = if how.minimal {
        vec![ghl_tui::api::rules::SCOPE_CONTACTS_READ.to_string()]
    } else {
        ghl_tui::api::rules::READ_SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    if how.write {
        scopes.push(ghl_tui::api::rules::SCOPE_CONTACTS_WRITE.into());
    }
    if how.agency {
        // Listing the agency's locations and getting a token for one.
        scopes.extend(["oauth.readonly".to_string(), "oauth.write".to_string()]);
    }
    let (mode, why) = login::choose_mode(how.no_browser, |k| std::env::var(k).ok());
    let opts = commands::OAuthLogin {
        settings: oauth::OAuthSettings {
            client_id,
            client_secret,
            authorize_url: cfg.authorize_url.clone(),
            token_url: cfg.token_url.clone(),
            redirect_uri: cfg.redirect_uri.clone(),
            scopes,
            user_type: if how.agency {
                oauth::UserType::Company
            } else {
                oauth::UserType::Location
            },
        },
        mode,
        why,
        app_id: cfg.app_id().unwrap_or_default(),
        api_base_url: cfg.api_base_url.clone(),
        location: how.location,
    };
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    let tell = |m: &str| eprintln!("{m}");
    report(commands::login_oauth(opts, input, tell, tokens).await)
}

/// `login --token`: the token from stdin (a pipe, or typed without echo on a terminal).
async fn login(
    location: Option<String>,
    config_path: Option<PathBuf>,
    tokens: &ghl_tui::auth::TokenStore,
) -> anyhow::Result<ExitCode> {
    use std::io::{BufRead, IsTerminal};
    let cfg = load_config(config_path)?;
    let location = location.or(cfg.location_id).unwrap_or_default();
    let stdin = std::io::stdin();
    let token = if stdin.is_terminal() {
        eprint!("Private Integration token (not shown): ");
        let raw = ghl_tui::terminal::RawMode::enter()?;
        let mut typed = String::new();
        loop {
            match crossterm::event::read()? {
                crossterm::event::Event::Key(k)
                    if k.kind == crossterm::event::KeyEventKind::Press =>
                {
                    match k.code {
                        crossterm::event::KeyCode::Enter => break,
                        crossterm::event::KeyCode::Backspace => {
                            typed.pop();
                        }
                        crossterm::event::KeyCode::Char('c')
                            if k.modifiers
                                .contains(crossterm::event::KeyModifiers::CONTROL) =>
                        {
                            typed.clear();
                            break;
                        }
                        crossterm::event::KeyCode::Char(c) => typed.push(c),
                        _ => {}
                    }
                }
                crossterm::event::Event::Paste(p) => typed.push_str(&p),
                _ => {}
            }
        }
        drop(raw);
        eprintln!();
        typed
    } else {
        stdin.lock().lines().next().transpose()?.unwrap_or_default()
    };
    report(
        ghl_tui::auth::commands::login_with_token(
            &cfg.api_base_url,
            Secret::new(token),
            &location,
            tokens,
        )
        .await,
    )
}

/// The demo's account, or a synthetic one of `contacts` contacts.
fn seed_for(contacts: Option<usize>) -> anyhow::Result<Seed> {
    match contacts {
        Some(n) => {
            // Its own outbox and replica: the shipped demo's would mix with it.
            let _ = DEMO_STORE.set(format!("demo{n}"));
            Ok(Seed::synthetic(n))
        }
        None => Seed::demo_today().map_err(anyhow::Error::msg),
    }
}

/// The file name the demo keeps its outbox and replica under.
static DEMO_STORE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn demo_name(location: &str) -> String {
    let prefix = DEMO_STORE.get().map_or("demo", String::as_str);
    format!("{prefix}-{location}")
}

async fn serve_sandbox(
    port: u16,
    faults: FaultRates,
    contacts: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let seed = seed_for(contacts)?;
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.faults = faults;
    let sb = Sandbox::start(
        &seed,
        cfg,
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
    )
    .await?;
    println!("GHL sandbox listening. Point ghl-tui (or curl) at it:\n");
    println!("  export {}={}", config::ENV_BASE_URL, sb.base_url());
    println!("  export {}={}", config::ENV_TOKEN, sandbox::DEMO_TOKEN);
    println!("  export {}={}", config::ENV_LOCATION, sb.location_id());
    println!("\nA read-only token: {}", sandbox::READONLY_TOKEN);
    println!("\nTo try `ghl-tui login` (OAuth) against it instead of the token:\n");
    println!("  export {}={}", config::ENV_BASE_URL, sb.base_url());
    println!(
        "  export {}={}/oauth/chooselocation",
        config::ENV_AUTHORIZE_URL,
        sb.base_url()
    );
    println!(
        "  export {}={}",
        config::ENV_CLIENT_ID,
        sandbox::DEMO_CLIENT_ID
    );
    println!(
        "  export {}={}",
        config::ENV_CLIENT_SECRET,
        sandbox::DEMO_CLIENT_SECRET
    );
    println!("  ghl-tui login --no-browser [--write] [--agency]");
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    Ok(ExitCode::SUCCESS)
}

fn welcome(config_path: Option<&std::path::Path>) -> String {
    let file = config_path.map_or_else(|| "config.toml".to_string(), |p| p.display().to_string());
    format!(
        "ghl-tui needs a GoHighLevel token and a location id to open your account.\n\n\
         Try it now on demo data, no account needed:\n    ghl-tui --demo\n\n\
         Or sign in with your marketplace app (GHL_CLIENT_ID and GHL_CLIENT_SECRET set):\n    \
         ghl-tui login            (add --write to make changes, --agency for an agency)\n\n\
         or with a Private Integration token (Settings > Private Integrations, scope\n\
         contacts.readonly, and contacts.write to make changes):\n    \
         ghl-tui login --token --location <your location id>\n\n\
         or put it in the environment:\n    \
         export {tok}=pit-...\n    export {loc}=<your location id>\n    ghl-tui\n\n\
         The same keys can go in {file}.\n",
        tok = config::ENV_TOKEN,
        loc = config::ENV_LOCATION,
    )
}

/// The outbox and drafts; without them the app still browses, and refuses to pretend that
/// changes are saved.
fn open_store(name: &str) -> LocalStore {
    LocalStore::open(config::store_path(name))
}

/// The demo signs in the way an agency does, over real OAuth against the in-process sandbox,
/// so `L` switches between its locations. Its tokens live in memory only.
async fn demo_session(sb: &Sandbox, seed: &Seed) -> Result<(Session, String, String), String> {
    use ghl_tui::auth::{TokenManager, agency::Agency, login, oauth};
    let settings = oauth::OAuthSettings {
        client_id: sandbox::DEMO_CLIENT_ID.into(),
        client_secret: Secret::new(sandbox::DEMO_CLIENT_SECRET),
        authorize_url: format!("{}/oauth/chooselocation", sb.base_url()),
        token_url: format!("{}/oauth/token", sb.base_url()),
        redirect_uri: "http://127.0.0.1:9/demo".into(),
        scopes: [
            sandbox::SCOPE_READ,
            sandbox::SCOPE_WRITE,
            sandbox::SCOPE_FIELDS_READ,
            sandbox::SCOPE_TAGS_READ,
            sandbox::SCOPE_LOCATIONS_READ,
            sandbox::SCOPE_USERS_READ,
            sandbox::SCOPE_TASKS_READ,
            sandbox::SCOPE_EVENTS_READ,
            "oauth.readonly",
            "oauth.write",
        ]
        .map(String::from)
        .to_vec(),
        user_type: oauth::UserType::Company,
    };
    let attempt = oauth::start(&settings)?;
    let approved = oauth::http_client()?
        .get(&attempt.url)
        .send()
        .await
        .map_err(|e| format!("demo sign-in: {e}"))?;
    let landed = approved
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let login::Answer::Code(code) = login::read_answer(&landed, &attempt.state, false)? else {
        return Err("demo sign-in was turned down".into());
    };
    let set = oauth::exchange(&settings, &code, chrono::Utc::now().timestamp()).await?;
    let company = set.company_id.clone().unwrap_or_default();
    let manager = TokenManager::new(
        settings.token_url.clone(),
        settings.client_id.clone(),
        settings.client_secret.clone(),
        set,
        None,
    );
    let agency = Agency::new(&sb.base_url(), manager, company, "demo").map_err(|e| e.one_line())?;
    let client = agency
        .client_for(&seed.location_id)
        .map_err(|e| e.one_line())?;
    let mut session = Session::new(client, open_store(&demo_name(&seed.location_id)));
    session.switcher = Some(Arc::new(AgencySwitcher {
        agency,
        open_store: demo_store,
    }));
    Ok((
        session,
        format!("demo · {}", seed.location_name),
        seed.location_id.clone(),
    ))
}

fn demo_store(location: &str) -> LocalStore {
    open_store(&demo_name(location))
}

/// The command that signs this profile in again the way it was signed in.
fn relogin_command(profile: &str, set: &ghl_tui::auth::TokenSet) -> String {
    let mut cmd = "ghl-tui".to_string();
    if profile != "default" {
        cmd.push_str(&format!(" --profile {profile}"));
    }
    cmd.push_str(" login");
    if set.is_agency() {
        cmd.push_str(" --agency");
    }
    if set.scope.split_whitespace().any(|s| s == "contacts.write") {
        cmd.push_str(" --write");
    }
    cmd
}

/// The account to open: the environment and config first, then what `login` stored for the
/// profile. `Ok(None)` when there is nothing to sign in with.
async fn connect(
    cfg: &Config,
    tokens: &ghl_tui::auth::TokenStore,
    stored: std::io::Result<Option<ghl_tui::auth::TokenSet>>,
) -> Result<Option<(Session, String, String)>, String> {
    use ghl_tui::auth::{TokenManager, agency::Agency};
    let stored = stored.map_err(|e| format!("can't read the stored sign-in: {e}"))?;
    let fixed = |token: Secret, location: String| -> Result<_, String> {
        let client = Client::new(ClientConfig::new(&cfg.api_base_url, token, &location))
            .map_err(|e| e.one_line())?;
        Ok(Some((
            Session::new(client, open_store(&location)),
            format!("location · {location}"),
            location,
        )))
    };
    if let Some(token) = cfg.token.clone() {
        let location = cfg
            .location_id
            .clone()
            .or_else(|| stored.as_ref().and_then(|s| s.location_id.clone()));
        return match location {
            Some(location) => fixed(token, location),
            None => Ok(None),
        };
    }
    let Some(set) = stored else {
        return Ok(None);
    };
    if set.refresh_token.is_none() && !set.is_agency() {
        // A Private Integration token: it does not expire.
        let location = cfg.location_id.clone().or(set.location_id.clone());
        return match location {
            Some(location) => fixed(set.access_token, location),
            None => Ok(None),
        };
    }
    let client_id = set
        .client_id
        .clone()
        .or(cfg.client_id.clone())
        .unwrap_or_default();
    let secret = set
        .client_secret
        .clone()
        .or(cfg.client_secret.clone())
        .unwrap_or_else(|| Secret::new(""));
    // The app that signed in names the app id, unless one is configured.
    let app_id = cfg
        .app_id
        .clone()
        .or_else(|| config::app_id_of(&client_id))
        .unwrap_or_default();
    let company = set.company_id.clone().unwrap_or_default();
    let agency = set.is_agency();
    // An OAuth sign-in knows its location (an agency: the one used last); the configured one
    // is only a fallback, or a Location token would be sent to another location.
    let location = set.location_id.clone().or(cfg.location_id.clone());
    let relogin = relogin_command(tokens.profile(), &set);
    let user_id = set.user_id.clone();
    let manager = TokenManager::new(
        cfg.token_url.clone(),
        client_id,
        secret,
        set,
        Some(tokens.clone()),
    );
    manager.relogin_with(relogin);
    if agency {
        let agency = Agency::new(&cfg.api_base_url, manager.clone(), company, app_id)
            .map_err(|e| e.one_line())?;
        let location = match location {
            Some(l) => l,
            None => agency
                .locations()
                .await
                .map_err(|e| format!("could not list the agency's locations: {}", e.one_line()))?
                .first()
                .map(|l| l.id.clone())
                .ok_or("the app is not installed in any location of this agency")?,
        };
        // Lazy: offline at start, the app still opens, shows what failed and keeps the outbox.
        let client = agency.client_for(&location).map_err(|e| e.one_line())?;
        let mut session = Session::new(client, open_store(&location));
        session.switcher = Some(Arc::new(AgencySwitcher { agency, open_store }));
        session.tokens = Some(manager);
        session.user_id = user_id;
        return Ok(Some((session, format!("agency · {location}"), location)));
    }
    let Some(location) = location else {
        return Ok(None);
    };
    let mut client_cfg = ClientConfig::new(&cfg.api_base_url, Secret::new(""), &location);
    client_cfg.source = Some(manager.clone());
    let client = Client::new(client_cfg).map_err(|e| e.one_line())?;
    let mut session = Session::new(client, open_store(&location));
    session.tokens = Some(manager);
    session.user_id = user_id;
    Ok(Some((session, format!("location · {location}"), location)))
}

async fn run_tui(
    demo: Option<Option<usize>>,
    faults: FaultRates,
    config_path: Option<PathBuf>,
    profile: String,
    look: ghl_tui::look::Look,
    mask: bool,
) -> anyhow::Result<ExitCode> {
    let config_path = config_path.or_else(config::default_config_path);
    // Read for the demo too: the user's own settings (date order, and more) apply there.
    let cfg = load_config(config_path.clone())?;
    ghl_tui::terminal::set_mouse(cfg.mouse);
    // Checked before anything connects: a mistake in it is one line, and nothing starts.
    let keymap = match config::load_keymap(config::keymap_path(config_path.as_deref()).as_deref()) {
        Ok(map) => map,
        Err(e) => {
            eprintln!("ghl-tui: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let keymap = Arc::new(keymap);
    let fresh_state = |label: String, location: String| {
        let mut state = State::new(label, location, chrono::Utc::now().naive_utc());
        // The only place the machine's zone is read: everything after works from the state.
        state.zone = chrono::Local::now().offset().fix();
        state.look = ghl_tui::look::Look {
            palette: cfg.theme,
            ..look
        };
        state.mask = mask || cfg.mask;
        state.web_url = cfg.web_url.clone();
        state.no_browser = ghl_tui::launch::no_browser_here(|k| std::env::var(k).ok()).is_some();
        state.date_order = cfg.date_order;
        state.me = cfg.user_id.clone();
        state.outcomes = cfg.outcomes.clone();
        state.start_view = cfg.start_view;
        state.keymap = keymap.clone();
        state
    };
    let mut _sandbox = None;
    let mut guard = None;
    let mut early_replica = None;
    // The demo's sign-in is its company's first user, as its token answer says.
    let mut demo_me = None;
    let (session, label, location) = if let Some(contacts) = demo {
        let seed = seed_for(contacts)?;
        demo_me = seed
            .users
            .first()
            .and_then(|u| u.get("id")?.as_str())
            .map(String::from);
        let sb = Sandbox::demo(&seed, faults).await?;
        let connected = demo_session(&sb, &seed).await.map_err(anyhow::Error::msg)?;
        _sandbox = Some(sb);
        connected
    } else {
        // The stored sign-in is read on its own thread (an OS keyring can take seconds to
        // answer); meanwhile the location last used is shown from its replica.
        let reading = {
            let profile = profile.clone();
            tokio::task::spawn_blocking(move || {
                let tokens = token_store(&profile);
                // For the test of a keyring slow to answer (a locked desktop keyring can take
                // seconds): the sign-in takes this long to read.
                if let Some(ms) = std::env::var("GHL_TEST_SIGN_IN_DELAY_MS")
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
                }
                let stored = tokens.load();
                (tokens, stored)
            })
        };
        let early = cfg
            .location_id
            .clone()
            .or_else(|| config::last_location(&profile));
        if let Some(location) = early {
            let store = config::store_path(&location);
            let opened = ghl_tui::session::open_replica(Some(&store), cfg.sync.cache);
            let peeked = match &opened.replica {
                Some(r) => r
                    .call(ghl_tui::runtime::peek_replica)
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten(),
                None => None,
            };
            if let Some(msg) = peeked {
                let mut state = fresh_state(format!("location · {location}"), location.clone());
                let _ = ghl_tui::app::update(&mut state, msg);
                state.say("Signing in…", false);
                let mut g = ghl_tui::terminal::Guard::enter()?;
                ghl_tui::runtime::draw_once(&mut g.terminal, &state)?;
                guard = Some(g);
            }
            early_replica = Some((location, opened));
        }
        let (tokens, stored) = reading.await?;
        match connect(&cfg, &tokens, stored).await {
            Ok(Some(connected)) => connected,
            Ok(None) => {
                drop(guard);
                print!("{}", welcome(config_path.as_deref()));
                return Ok(ExitCode::from(NOT_SIGNED_IN));
            }
            Err(e) => {
                drop(guard);
                eprintln!("ghl-tui: {e}");
                return Ok(ExitCode::FAILURE);
            }
        }
    };
    if demo.is_none() {
        config::note_last_location(&profile, &location);
    }
    let mut session = session;
    session.sync = cfg.sync.clone();
    session.replica = match early_replica {
        // Opened once: the replica shown while signing in is the one the session goes on with.
        Some((early, opened)) if early == location => opened,
        _ => ghl_tui::session::open_replica(session.store.path.as_deref(), cfg.sync.cache),
    };
    let mut state = fresh_state(label, location);
    // Who "me" is: the config's `user_id`, else the OAuth sign-in's user, else the demo's.
    if state.me.is_none() {
        state.me = session.user_id.clone().or(demo_me);
    }
    if state.me.is_none() {
        state.me = session.remembered_me().await;
    }
    let tokens = session.tokens.clone();
    let termination = ghl_tui::runtime::termination();
    let mut guard = match guard {
        Some(g) => g,
        None => ghl_tui::terminal::Guard::enter()?,
    };
    let result = ghl_tui::runtime::run(
        &mut guard.terminal,
        state,
        session,
        crossterm::event::EventStream::new,
        termination,
    )
    .await;
    drop(guard);
    if let Some(tokens) = tokens {
        close_sign_in(&tokens).await;
    }
    let state = result?;
    for line in ghl_tui::app::locations::left_behind(&state) {
        if line.starts_with(' ') {
            eprintln!("{line}");
        } else {
            eprintln!("ghl-tui: {line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The scripting commands: signed in as the app is, then one thing done. Only data reaches
/// stdout; what went wrong is one line on stderr, and the exit code says which kind.
async fn script(
    cmd: Command,
    config_path: Option<PathBuf>,
    profile: &str,
    color: ghl_tui::look::ColorWhen,
) -> ExitCode {
    use ghl_tui::cli::{Failure, exit};
    let fail = |f: Failure| {
        eprintln!("ghl-tui: {}", ghl_tui::redact::text(&f.message));
        ExitCode::from(f.code)
    };
    let cfg = match load_config(config_path) {
        Ok(c) => c,
        Err(e) => return fail(Failure::new(exit::ERROR, format!("{e:#}"))),
    };
    let tokens = token_store(profile);
    let stored = tokens.load();
    let (mut session, _, _) = match connect(&cfg, &tokens, stored).await {
        Ok(Some(connected)) => connected,
        Ok(None) => {
            return fail(Failure::new(
                exit::NOT_SIGNED_IN,
                "not signed in: run `ghl-tui login` (or set GHL_TOKEN and GHL_LOCATION_ID)",
            ));
        }
        Err(e) => return fail(Failure::new(exit::ERROR, e)),
    };
    session.replica = ghl_tui::session::open_replica(session.store.path.as_deref(), cfg.sync.cache);
    let mut me = cfg.user_id.clone().or(session.user_id.clone());
    if me.is_none() {
        me = session.remembered_me().await;
    }
    let colour = color.color(|k| std::env::var(k).ok());
    use ghl_tui::cli::script::{Script, run};
    let cmd = match cmd {
        Command::Contacts { what } => Script::Contacts(what),
        Command::Tasks { what } => Script::Tasks(what),
        Command::Notes { what } => Script::Notes(what),
        Command::Tags { what } => Script::Tags(what),
        Command::Export(args) => Script::Export(args),
        Command::Import(args) => Script::Import(args),
        _ => return fail(Failure::new(exit::ERROR, "not a scripting command")),
    };
    let result = run(cmd, &session, me.as_deref(), colour).await;
    if let Some(tokens) = &session.tokens {
        close_sign_in(tokens).await;
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(f),
    }
}

/// `doctor`: each fact a line, ok, warn or fail with what to do; exit 1 when anything failed.
async fn doctor(config_path: Option<PathBuf>, profile: &str) -> ExitCode {
    use ghl_tui::cli::doctor::{Check, Status, render, terminal_checks, worst};
    use std::io::IsTerminal;
    let mut checks = Vec::new();
    // The config file: named and missing is a mistake; the default missing is fine.
    let path = config_path.clone().or_else(config::default_config_path);
    match (&config_path, &path) {
        (Some(p), _) if !p.exists() => checks.push(Check::fail(
            "config",
            format!("{} does not exist", p.display()),
            "give the path of an existing file, or leave --config out",
        )),
        (_, Some(p)) if p.exists() => checks.push(Check::ok("config", p.display().to_string())),
        (_, Some(p)) => checks.push(Check::ok(
            "config",
            format!("{} (none: the defaults)", p.display()),
        )),
        (_, None) => checks.push(Check::warn(
            "config",
            "no config directory on this platform",
            "use --config PATH",
        )),
    }
    let cfg = match load_config(config_path) {
        Ok(cfg) => Some(cfg),
        Err(e) => {
            checks.push(Check::fail(
                "config",
                format!("{e:#}"),
                "fix the line named",
            ));
            None
        }
    };
    let data = config::store_path("x")
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    checks.push(Check::ok("data", data.display().to_string()));
    let log = config::log_dir().join(ghl_tui::logging::LOG_FILE);
    let size = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    checks.push(Check::ok(
        "log",
        format!(
            "{} ({} KB; set aside past 5 MB, 3 kept)",
            log.display(),
            size / 1024
        ),
    ));
    let tokens = token_store(profile);
    checks.push(Check::ok("token store", tokens.describe()));
    if let Some(cfg) = &cfg {
        use ghl_tui::auth::commands::{Status as Signed, status};
        match status(cfg, &tokens) {
            Ok(Signed::SignedIn(text)) => {
                let lines: Vec<&str> = text.lines().map(str::trim).collect();
                checks.push(Check::ok("sign-in", lines.join("; ")));
            }
            Ok(Signed::NotSignedIn(text)) => checks.push(Check::fail(
                "sign-in",
                "not signed in",
                text.replace('\n', " "),
            )),
            Err(e) => checks.push(Check::fail("sign-in", e, "ghl-tui login")),
        }
        match connect(cfg, &tokens, tokens.load()).await {
            Ok(Some((mut session, _, location))) => {
                checks.extend(
                    ghl_tui::cli::doctor::session_checks(&mut session, cfg, &location).await,
                );
                if let Some(t) = &session.tokens {
                    close_sign_in(t).await;
                }
            }
            Ok(None) => {}
            Err(e) => checks.push(Check::fail("api", e, "ghl-tui login")),
        }
    }
    let get = |k: &str| std::env::var(k).ok();
    let color = ghl_tui::look::ColorWhen::Auto.color(get);
    let size = std::io::stdout()
        .is_terminal()
        .then(|| crossterm::terminal::size().ok())
        .flatten();
    checks.extend(terminal_checks(get, size, color));
    print!(
        "{}",
        render(&checks, color && std::io::stdout().is_terminal())
    );
    if worst(&checks) == Status::Fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
