use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ghl_tui::api::{Client, ClientConfig, Secret};
use ghl_tui::app::State;
use ghl_tui::config::{self, Config};
use ghl_tui::sandbox::{self, FaultRates, Sandbox, SandboxConfig, Seed};
use ghl_tui::store::Store;
use std::sync::{Arc, Mutex};

/// A keyboard-driven terminal client for the GoHighLevel (LeadConnector) Contacts API.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Run on the built-in sandbox with demo data (no account needed).
    #[arg(long)]
    demo: bool,
    /// Faults for the demo sandbox, e.g. `latency=300ms,429=0.05,5xx=0.05,drop=0.02`.
    #[arg(long, value_name = "SPEC", requires = "demo")]
    faults: Option<FaultRates>,
    /// Config file (default: the platform's config directory).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = ghl_tui::logging::init(&config::log_dir());
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
        match cli.command {
            Some(Command::Sandbox { port, faults }) => {
                serve_sandbox(port, faults.unwrap_or_default()).await
            }
            None => run_tui(cli.demo, cli.faults.unwrap_or_default(), cli.config).await,
        }
    });
    // Background requests must not outlive the terminal session.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "exiting with an error");
            eprintln!("ghl-tui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_sandbox(port: u16, faults: FaultRates) -> anyhow::Result<ExitCode> {
    let seed = Seed::demo_today().map_err(anyhow::Error::msg)?;
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
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    Ok(ExitCode::SUCCESS)
}

fn welcome(config_path: Option<&std::path::Path>) -> String {
    let file = config_path.map_or_else(|| "config.toml".to_string(), |p| p.display().to_string());
    format!(
        "ghl-tui needs a GoHighLevel token and a location id to open your account.\n\n\
         Try it now on demo data, no account needed:\n    ghl-tui --demo\n\n\
         Or use a Private Integration token (Settings > Private Integrations, scope contacts.readonly):\n    \
         export {tok}=pit-...\n    export {loc}=<your location id>\n    ghl-tui\n\n\
         The same keys can go in {file}.\n",
        tok = config::ENV_TOKEN,
        loc = config::ENV_LOCATION,
    )
}

/// The outbox and drafts; without them the app still browses, and says so when asked to save.
fn open_store(name: &str) -> Option<Arc<Mutex<Store>>> {
    let path = config::store_path(name);
    match Store::open(&path) {
        Ok(store) => Some(Arc::new(Mutex::new(store))),
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "can't open the local store");
            None
        }
    }
}

async fn run_tui(
    demo: bool,
    faults: FaultRates,
    config_path: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let config_path = config_path.or_else(config::default_config_path);
    let mut _sandbox = None;
    let (client_cfg, label) = if demo {
        let seed = Seed::demo_today().map_err(anyhow::Error::msg)?;
        let sb = Sandbox::demo(&seed, faults).await?;
        let cfg = ClientConfig::new(
            sb.base_url(),
            Secret::new(sandbox::DEMO_TOKEN),
            seed.location_id.clone(),
        );
        _sandbox = Some(sb);
        (cfg, format!("demo · {}", seed.location_name))
    } else {
        let cfg = Config::load(|k| std::env::var(k).ok(), config_path.as_deref())
            .map_err(anyhow::Error::msg)?;
        let (Some(token), Some(location)) = (cfg.token, cfg.location_id) else {
            print!("{}", welcome(config_path.as_deref()));
            return Ok(ExitCode::from(2));
        };
        let label = format!("location {location}");
        (ClientConfig::new(cfg.api_base_url, token, location), label)
    };
    let location = client_cfg.location_id.clone();
    // One outbox per account, so changes never replay against the wrong one.
    let store_name = if demo {
        "demo".to_string()
    } else {
        location.clone()
    };
    let client = Client::new(client_cfg)?;
    let state = State::new(label, location, chrono::Utc::now().naive_utc());
    let termination = ghl_tui::runtime::termination();
    let mut guard = ghl_tui::terminal::Guard::enter()?;
    let store = open_store(&store_name);
    let result = ghl_tui::runtime::run(
        &mut guard.terminal,
        state,
        client,
        store,
        crossterm::event::EventStream::new,
        termination,
    )
    .await;
    drop(guard);
    result.map(|()| ExitCode::SUCCESS)
}
