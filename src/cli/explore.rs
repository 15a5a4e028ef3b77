//! `explore`: the model live in a browser. A small HTTP/1.1 server on
//! 127.0.0.1 (std's `TcpListener`, one request per connection, no
//! dependency: see [`read_request`]) serves one self-contained page and a
//! JSON API:
//!
//! - `GET /api/setup`: the scenario's controls and arms;
//! - `POST /api/run` (settings): checks them with the scenario validator and
//!   starts a run, cancelling the one before; `GET /api/update?run=ID&after=V`
//!   waits (up to 10 s) for the run's next update: its charts and numbers
//!   after the replicates done so far, so that the first picture appears
//!   after the first 100 replicates and the intervals narrow as more finish;
//! - `GET /api/chart/ID.png|svg?run=ID`: a chart of the run's latest update;
//! - `POST /api/export` (settings): the scenario as a TOML file;
//! - `POST /api/story` (settings): the workshop's steps as HTML slides.
//!
//! One run at a time, newest first; four handler threads; request heads of
//! at most 16 KiB and bodies of at most 64 KiB, refused unread beyond that;
//! a client whose request has not arrived whole in 10 seconds is dropped; on loopback, a request
//! whose Host is not this server's is refused (so that no other site can
//! drive it through the browser). Ctrl-C stops it cleanly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use empathy_gap::explore::{self, Settings, Setup};
use empathy_gap::model::World;
use empathy_gap::output::{self, RunBytes};
use empathy_gap::report;
use empathy_gap::report::RunFiles;
use empathy_gap::runner::{self, Results, RunOptions};
use empathy_gap::scenario::{Budget, Override, Scenario};
use empathy_gap::workshop::html::{blocks_html, tone_style};

use super::folder::listen_for_interruptions;
use super::scenarios::{Source, load};
use super::workshop::story_sections;
use super::{Failure, thread_count};

/// The page, with its style and script inline: nothing is fetched.
const PAGE: &str = include_str!("explore_page.html");

/// Request bodies beyond this are refused unread.
const MAX_BODY: u64 = 64 * 1024;
/// A request line and headers beyond this are refused.
const MAX_HEAD: u64 = 16 * 1024;
/// A client that sends nothing for this long is dropped.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests handled at once; more wait in the listener's queue.
const HANDLERS: usize = 4;
/// How long an update request waits for news before answering "waiting".
const LONG_POLL: Duration = Duration::from_secs(10);
/// Updates of a run are at least this far apart (the last always comes).
const UPDATE_EVERY: Duration = Duration::from_millis(120);

pub(crate) struct ExploreArgs {
    pub scenario: String,
    pub host: String,
    pub port: u16,
    pub open: bool,
    pub threads: Option<usize>,
}

/// The latest update of the current run.
struct Update {
    run: u64,
    version: u64,
    json: String,
    files: Arc<RunBytes>,
}

#[derive(Default)]
struct Runs {
    /// The run the page asked for last; older ones are cancelled.
    current: u64,
    cancel: Option<Arc<AtomicBool>>,
    /// The next run for the worker to start.
    pending: Option<(u64, Scenario)>,
    latest: Option<Arc<Update>>,
}

struct App {
    source: Source,
    setup: Setup,
    budget: Budget,
    threads: usize,
    /// The simulation's workers, started once for every run.
    pool: rayon::ThreadPool,
    /// `host:port` as the page's requests may name it; empty: any.
    hosts: Vec<String>,
    runs: Mutex<Runs>,
    /// Signalled on every new update and every new run.
    changed: Condvar,
    next_run: AtomicU64,
    story_busy: Mutex<()>,
    stop: Arc<AtomicBool>,
}

pub(crate) fn explore(args: &ExploreArgs) -> Result<(), Failure> {
    let threads = thread_count(args.threads)?;
    let budget = Budget::of_this_machine(threads);
    let source = load(&args.scenario, &[], Some(&budget))
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let address = format!("{}:{}", args.host, args.port);
    let listener = TcpListener::bind(&address).map_err(|error| {
        Failure::BadInput(format!(
            "--host {} --port {}: cannot listen there: {error}; choose another --port (or --host)",
            args.host, args.port
        ))
    })?;
    let port = listener
        .local_addr()
        .map_or(args.port, |address| address.port());
    listener
        .set_nonblocking(true)
        .map_err(|error| Failure::Runtime(format!("cannot listen: {error}")))?;
    let url = format!("http://{}:{port}/", url_host(&args.host));
    // On loopback, only this machine's own names for it; on another
    // address (`--host`, the user's choice), whatever name reaches it.
    let hosts = match args.host.as_str() {
        "127.0.0.1" | "localhost" | "::1" => vec![
            format!("{}:{port}", url_host(&args.host)),
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ],
        _ => Vec::new(),
    };
    let pool = runner::pool::<std::convert::Infallible>(threads)
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let app = Arc::new(App {
        setup: explore::setup(&source.scenario),
        source,
        budget,
        threads,
        pool,
        hosts,
        runs: Mutex::new(Runs::default()),
        changed: Condvar::new(),
        next_run: AtomicU64::new(1),
        story_busy: Mutex::new(()),
        stop: Arc::clone(&stop),
    });
    println!(
        "explore {}: open {url} in a browser (Ctrl-C to stop)",
        app.source.label
    );
    if args.open {
        open_browser(&url);
    }
    std::thread::scope(|scope| {
        scope.spawn(|| worker(&app));
        for _ in 0..HANDLERS {
            let (listener, app) = (&listener, &app);
            scope.spawn(move || {
                while !app.stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => serve(app, stream),
                        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            });
        }
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
        // Wake the worker and any waiting update request.
        if let Ok(mut runs) = app.runs.lock()
            && let Some(cancel) = runs.cancel.take()
        {
            cancel.store(true, Ordering::Relaxed);
        }
        app.changed.notify_all();
    });
    println!("explore: stopped");
    Ok(())
}

/// The host as a URL writes it (an IPv6 address in brackets).
fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// Opens `url` in the desktop's browser, or says how to.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let opened = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!("note: --open: could not start `{opener}`; open {url} yourself");
    }
}

/// Runs the newest pending run, updating the page as blocks finish.
fn worker(app: &App) {
    loop {
        let (run, scenario, cancel) = {
            let mut runs = app.runs.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if app.stop.load(Ordering::Relaxed) {
                    return;
                }
                if let Some((run, scenario)) = runs.pending.take() {
                    let cancel = runs.cancel.clone().unwrap_or_default();
                    break (run, scenario, cancel);
                }
                runs = app
                    .changed
                    .wait_timeout(runs, Duration::from_millis(500))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        };
        simulate(app, run, &scenario, &cancel);
    }
}

fn simulate(app: &App, run: u64, scenario: &Scenario, cancel: &AtomicBool) {
    let world = World::new(scenario);
    let pairs = world.pairs.len();
    let total = scenario.replicates;
    let (arms, weeks) = (scenario.arms.len(), scenario.weeks as usize);
    let mut so_far = Results::new(arms, weeks);
    let mut version = 0;
    let mut last_update: Option<Instant> = None;
    let options = RunOptions {
        threads: app.threads,
        cancel: Some(cancel),
        progress: None,
    };
    let blocks = 0..runner::block_count(total);
    let last_block = blocks.end.saturating_sub(1);
    let mut publish = |results: &Results, done: u64| {
        version += 1;
        let files = Arc::new(explore::run_bytes(scenario, results, pairs));
        let json = explore::update(scenario, results, &files, done, total);
        let update = Arc::new(Update {
            run,
            version,
            json: json.to_string(),
            files,
        });
        let mut runs = app.runs.lock().unwrap_or_else(|e| e.into_inner());
        if runs.current == run {
            runs.latest = Some(update);
            app.changed.notify_all();
        }
    };
    // What the run found was published as it went; a cancelled run says
    // nothing more: a newer one has the page.
    let _ = runner::run_blocks_on(
        &app.pool,
        scenario,
        &world,
        &options,
        blocks,
        |block, stats| {
            so_far.merge(stats);
            let due = last_update.is_none_or(|at| at.elapsed() >= UPDATE_EVERY);
            if block == last_block || due {
                publish(&so_far, ((block + 1) * runner::BLOCK).min(total));
                last_update = Some(Instant::now());
            }
            Ok::<(), std::convert::Infallible>(())
        },
        None,
    );
}

/// A request as read: method, path and query, Host, and body.
struct Request {
    method: String,
    url: String,
    host: Option<String>,
    body: Vec<u8>,
}

/// An answer: status, headers beyond the usual ones, body.
struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn with_header(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }
}

/// Reads one request from `stream`, answers it and closes the connection.
fn serve(app: &App, stream: TcpStream) {
    // Accepted sockets may inherit the listener's non-blocking mode.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(CLIENT_TIMEOUT));
    let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
    let response = match read_request(&stream) {
        Ok(request) => handle(app, &request),
        Err(response) => response,
    };
    write_response(&stream, &response);
}

/// The request line, headers and body of one HTTP/1.1 request, within
/// [`MAX_HEAD`] and [`MAX_BODY`]; a body beyond that is refused before a
/// byte of it is read. A chunked body is refused: the page never sends one.
fn read_request(stream: &TcpStream) -> Result<Request, Response> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD));
    let mut line = String::new();
    let bad = || error(400, "a malformed request");
    reader.read_line(&mut line).map_err(|_| bad())?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(url), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !version.starts_with("HTTP/1.") {
        return Err(error(505, "only HTTP/1.x is spoken here"));
    }
    let (method, url) = (method.to_owned(), url.to_owned());
    let (mut host, mut length) = (None, 0u64);
    // A client trickling its head a byte at a time is dropped too.
    let started = Instant::now();
    loop {
        if started.elapsed() > CLIENT_TIMEOUT {
            return Err(error(408, "the request's headers did not arrive in time"));
        }
        let mut header = String::new();
        let read = reader.read_line(&mut header).map_err(|_| bad())?;
        if read == 0 || !header.ends_with('\n') {
            return Err(error(
                431,
                "the request's headers are too long or cut short",
            ));
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(bad());
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => host = Some(value.to_owned()),
            "content-length" => length = value.parse().map_err(|_| bad())?,
            "transfer-encoding" => return Err(error(411, "send the body with a Content-Length")),
            _ => {}
        }
    }
    if length > MAX_BODY {
        return Err(error(413, "the request is too large"));
    }
    // What the head's reader read ahead, then the rest of the body.
    let ahead = reader.buffer().to_vec();
    let mut body = ahead;
    if body.len() as u64 > length {
        body.truncate(length as usize);
    }
    let late = || error(408, "the request's body did not arrive in time");
    let mut rest = stream.take(length - body.len() as u64);
    let mut chunk = [0u8; 8192];
    loop {
        if started.elapsed() > CLIENT_TIMEOUT {
            return Err(late());
        }
        match rest.read(&mut chunk).map_err(|_| late())? {
            0 => break,
            read => body.extend_from_slice(&chunk[..read]),
        }
    }
    if body.len() as u64 != length {
        return Err(error(
            400,
            "the request's body is shorter than its Content-Length",
        ));
    }
    Ok(Request {
        method,
        url,
        host,
        body,
    })
}

fn write_response(mut stream: &TcpStream, response: &Response) {
    let reason = match response.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
        response.status,
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    // The page may have gone; nothing to do about it.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&response.body))
        .and_then(|()| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn handle(app: &App, request: &Request) -> Response {
    let url = &request.url;
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    // Another site's page must not drive this server through the browser.
    if !app.hosts.is_empty()
        && !request
            .host
            .as_ref()
            .is_some_and(|host| app.hosts.contains(host))
    {
        return error(403, "this server answers only its own address");
    }
    match (request.method.as_str(), path) {
        ("GET", "/") => page(PAGE.as_bytes(), "text/html; charset=utf-8"),
        ("GET", "/api/setup") => json_response(200, &json!(app.setup)),
        ("GET", "/api/update") => update(app, query),
        ("GET", chart) if chart.starts_with("/api/chart/") => {
            chart_file(app, &chart["/api/chart/".len()..], query)
        }
        ("POST", "/api/run" | "/api/export" | "/api/story") => match read_settings(&request.body) {
            Err(response) => response,
            Ok(settings) => match path {
                "/api/run" => start_run(app, &settings),
                "/api/export" => export(app, &settings),
                _ => story(app, &settings),
            },
        },
        (_, "/" | "/api/setup" | "/api/update" | "/api/run" | "/api/export" | "/api/story") => {
            error(405, "method not allowed")
        }
        _ => error(404, "no such page"),
    }
}

fn page(bytes: &[u8], content_type: &str) -> Response {
    Response {
        status: 200,
        headers: vec![
            ("Content-Type", content_type.to_owned()),
            (
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'".to_owned(),
            ),
        ],
        body: bytes.to_vec(),
    }
}

fn json_response(status: u16, value: &Value) -> Response {
    Response {
        status,
        ..page(value.to_string().as_bytes(), "application/json")
    }
}

fn error(status: u16, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

fn attachment(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    page(&bytes, content_type).with_header(
        "Content-Disposition",
        format!("attachment; filename=\"{name}\""),
    )
}

/// The body's settings, or the response that refuses them.
fn read_settings(body: &[u8]) -> Result<Settings, Response> {
    serde_json::from_slice(body)
        .map_err(|problem| error(400, &format!("the settings are not valid JSON: {problem}")))
}

/// The scenario with the settings, or why not, in one line.
fn prepare(app: &App, settings: &Settings) -> Result<(Scenario, Vec<Override>), Response> {
    let overrides = explore::overrides(settings, &app.setup.controls, &app.source.scenario)
        .map_err(|message| error(400, &message))?;
    let mut scenario = app
        .source
        .reload(&overrides, Some(&app.budget))
        .map_err(|problem| error(400, &problem.to_string()))?;
    if let Some(arms) = &settings.arms {
        explore::keep_arms(&mut scenario, arms).map_err(|message| error(400, &message))?;
    }
    Ok((scenario, overrides))
}

fn start_run(app: &App, settings: &Settings) -> Response {
    let scenario = match prepare(app, settings) {
        Ok((scenario, _)) => scenario,
        Err(response) => return response,
    };
    // The id is taken under the lock, so that ids rise in the order runs
    // become current.
    let mut runs = app.runs.lock().unwrap_or_else(|e| e.into_inner());
    let run = app.next_run.fetch_add(1, Ordering::Relaxed);
    if let Some(cancel) = runs.cancel.replace(Arc::new(AtomicBool::new(false))) {
        cancel.store(true, Ordering::Relaxed);
    }
    runs.current = run;
    runs.pending = Some((run, scenario));
    app.changed.notify_all();
    json_response(200, &json!({ "run": run }))
}

/// Waits for an update of `run` newer than `after`.
fn update(app: &App, query: &str) -> Response {
    let (Some(run), Some(after)) = (number_in(query, "run"), number_in(query, "after")) else {
        return error(400, "give run and after, as numbers");
    };
    let deadline = Instant::now() + LONG_POLL;
    let mut runs = app.runs.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if runs.current != run {
            return json_response(200, &json!({ "superseded": true }));
        }
        if let Some(latest) = runs
            .latest
            .as_ref()
            .filter(|latest| latest.run == run && latest.version > after)
        {
            let body = format!(
                "{{\"run\":{run},\"version\":{},\"update\":{}}}",
                latest.version, latest.json
            );
            return page(body.as_bytes(), "application/json");
        }
        let now = Instant::now();
        if now >= deadline || app.stop.load(Ordering::Relaxed) {
            return json_response(200, &json!({ "waiting": true }));
        }
        runs = app
            .changed
            .wait_timeout(runs, deadline - now)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

fn number_in(query: &str, key: &str) -> Option<u64> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .and_then(|(_, value)| value.parse().ok())
}

fn chart_file(app: &App, file: &str, query: &str) -> Response {
    let Some((id, format)) = file.rsplit_once('.') else {
        return error(404, "no such chart");
    };
    let png = match format {
        "png" => true,
        "svg" => false,
        _ => return error(404, "charts are .png or .svg"),
    };
    let latest = {
        let runs = app.runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.latest.clone()
    };
    let Some(latest) = latest.filter(|latest| Some(latest.run) == number_in(query, "run")) else {
        return error(404, "that run has no chart yet, or a newer run replaced it");
    };
    match report::live_chart_file(&RunFiles::of(&latest.files), id, png) {
        Ok(bytes) => {
            let name = format!("{}-{id}.{format}", output::safe_name(&app.setup.name));
            let kind = if png { "image/png" } else { "image/svg+xml" };
            attachment(bytes, kind, &name)
        }
        Err(problem) => error(404, &problem.to_string()),
    }
}

fn export(app: &App, settings: &Settings) -> Response {
    match prepare(app, settings) {
        Ok((scenario, _)) => match explore::scenario_toml(&scenario) {
            Some(text) => attachment(
                text.into_bytes(),
                "application/toml; charset=utf-8",
                &format!("{}.toml", output::safe_name(&app.setup.name)),
            ),
            None => error(500, "the scenario could not be written as TOML"),
        },
        Err(response) => response,
    }
}

fn story(app: &App, settings: &Settings) -> Response {
    let _busy = match app.story_busy.try_lock() {
        Ok(guard) => guard,
        // A story that failed halfway leaves nothing behind to distrust.
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => {
            return error(
                429,
                "a story is being prepared already; try again in a moment",
            );
        }
    };
    let (_, overrides) = match prepare(app, settings) {
        Ok(prepared) => prepared,
        Err(response) => return response,
    };
    let arms = settings.arms.clone();
    let keep = move |scenario: &mut Scenario| match &arms {
        Some(arms) => explore::keep_arms(scenario, arms),
        None => Ok(()),
    };
    match story_sections(
        &app.source,
        &overrides,
        &keep,
        &app.budget,
        app.threads,
        &app.stop,
    ) {
        Ok(sections) => {
            let slides: Vec<Value> = sections
                .iter()
                .map(|section| {
                    json!({
                        "number": section.number,
                        "title": section.title,
                        "subtitle": section.subtitle,
                        "html": blocks_html(&section.blocks),
                    })
                })
                .collect();
            json_response(200, &json!({ "slides": slides, "style": tone_style() }))
        }
        Err(Failure::BadInput(message)) => error(400, &message),
        Err(Failure::Runtime(message)) => error(500, &message),
        Err(_) => error(503, "stopped"),
    }
}
