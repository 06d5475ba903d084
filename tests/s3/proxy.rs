//! A fault-injecting HTTP/1.1 proxy between the scanner and the S3 server (std only).
//!
//! The scanner is pointed at the proxy as its endpoint (`--endpoint-url
//! http://127.0.0.1:PROXY`), so requests arrive in origin form (`GET /bucket/key?x HTTP/1.1`).
//! Per request the first [`Rule`] that matches and has budget left decides: answer with an
//! S3 error itself, or forward and then cut or slow the response body, or run a hook first
//! (delete or overwrite the object). Requests no rule takes are forwarded unchanged.
//!
//! Every request gets a fresh upstream connection, and the client connection is closed
//! after each response (`Connection: close` both ways), so a fault never leaks into the
//! next request and the framing stays simple. Request and response bodies are relayed
//! verbatim (chunked framing included). Sockets time out after 30 s, so a stuck peer ends
//! the connection thread instead of hanging a test.
//!
//! How faults look to the client:
//! - [`Action::ResetAfter`] relays the head and the first N body bytes, then shuts the socket
//!   down and closes it. std cannot set `SO_LINGER 0`, so that is a FIN, not a TCP reset: the
//!   client sees the connection end before the `Content-Length` it was promised (hyper:
//!   "connection closed before message completed"; curl: exit 18, "transfer closed with N
//!   bytes remaining to read"). If the body is N bytes or shorter it arrives whole.
//! - [`Action::SlowDown`] and friends drain the request body before answering, so closing
//!   the socket never discards unread bytes (which would turn the close into a reset and
//!   could hide the answer from the client).

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Socket read and write timeout, both sides.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What to do with a matching request.
pub enum Action {
    /// Answer `503 Slow Down` with S3's `SlowDown` error.
    SlowDown,
    /// Answer `500 Internal Server Error` with S3's `InternalError` error.
    InternalError,
    /// Answer with this status (`"403 Forbidden"`) and S3 error code (`"AccessDenied"`).
    Error(&'static str, &'static str),
    /// Forward; relay the response head and this many body bytes, then close the
    /// connection (see the module docs).
    ResetAfter(usize),
    /// Forward; relay the response body at about this rate, in pieces every 50 ms.
    SlowBody {
        /// Bytes per second.
        bytes_per_sec: usize,
    },
    /// Run the hook, then forward. The hook runs on the connection's thread with no lock
    /// held; it should talk to the server directly (`raw_request(moto.port, ..)`), not
    /// through the proxy.
    Before(Box<dyn Fn() + Send + Sync>),
}

/// A fault for requests whose method and path match, for the first `times` of them.
pub struct Rule {
    /// `GET`, `PUT`, ...; `""` for any.
    pub method: &'static str,
    /// Substring of the request target as sent: percent-encoded, with the query.
    pub path_contains: String,
    /// How many matching requests it applies to (`usize::MAX`: all).
    pub times: usize,
    /// The fault.
    pub action: Action,
}

/// A rule with its remaining budget; the action is shared so it can run unlocked.
struct Armed {
    method: &'static str,
    path_contains: String,
    left: usize,
    action: Arc<Action>,
}

struct Shared {
    rules: Mutex<Vec<Armed>>,
    /// Every request seen: method and target.
    seen: Mutex<Vec<(String, String)>>,
    stop: AtomicBool,
}

/// A running proxy to `127.0.0.1:upstream`; stops on drop.
pub struct Proxy {
    /// Its port on 127.0.0.1.
    pub port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy to `127.0.0.1:upstream` with these rules (first match wins).
    pub fn start(upstream: u16, rules: Vec<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let rules = rules
            .into_iter()
            .map(|r| Armed {
                method: r.method,
                path_contains: r.path_contains,
                left: r.times,
                action: Arc::new(r.action),
            })
            .collect();
        let shared = Arc::new(Shared {
            rules: Mutex::new(rules),
            seen: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let accept_shared = shared.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if accept_shared.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let shared = accept_shared.clone();
                std::thread::spawn(move || {
                    // Errors here are the client or server going away mid-request: the
                    // connection just ends, as it would with a real server.
                    let _ = serve(conn, upstream, &shared);
                });
            }
        });
        Proxy {
            port,
            shared,
            accept: Some(accept),
        }
    }

    /// Requests seen so far, answered or forwarded, faulted or not.
    #[allow(dead_code)] // not every test uses it
    pub fn requests(&self) -> usize {
        self.shared.seen.lock().unwrap().len()
    }

    /// Requests seen so far (answered or forwarded, faulted or not) with this method
    /// (`""`: any) whose target contains `path_contains`.
    pub fn served(&self, method: &str, path_contains: &str) -> usize {
        self.shared
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p)| (method.is_empty() || m == method) && p.contains(path_contains))
            .count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag. Connections in flight finish on their
        // own (a slow body stops at its next piece).
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A request or response head: the first line and the header lines, without line ends.
struct Head {
    first: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_chunked(&self) -> bool {
        self.get("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    /// The head as sent on, without the hop-by-hop headers `drop` names (lower case),
    /// with `Connection: close` instead.
    fn render(&self, drop: &[&str]) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.first);
        for (k, v) in &self.headers {
            if !drop.contains(&k.to_ascii_lowercase().as_str()) {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        out.push_str("Connection: close\r\n\r\n");
        out.into_bytes()
    }
}

/// Reads a head up to the empty line. `None` when the peer closed before sending anything.
fn read_head(r: &mut impl BufRead) -> std::io::Result<Option<Head>> {
    let mut first = String::new();
    if r.read_line(&mut first)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(Some(Head {
        first: first.trim_end().to_string(),
        headers,
    }))
}

/// How a message body ends.
enum Framing {
    None,
    Length(u64),
    Chunked,
    ToEof,
}

/// Where relayed body bytes go; `send` returns `false` once it wants no more.
trait Sink {
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<bool>;
}

/// Collects the bytes (request bodies, which are small).
impl Sink for Vec<u8> {
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        self.extend_from_slice(bytes);
        Ok(true)
    }
}

/// Copies one body from `r` to `sink` verbatim (chunk-size lines and trailers included),
/// piece by piece as it arrives. Returns `false` if the sink stopped it early.
fn copy_body(
    r: &mut impl BufRead,
    framing: Framing,
    sink: &mut impl Sink,
) -> std::io::Result<bool> {
    match framing {
        Framing::None => Ok(true),
        Framing::Length(n) => copy_bytes(r, Some(n), sink),
        Framing::ToEof => copy_bytes(r, None, sink),
        Framing::Chunked => loop {
            let size_line = read_line(r)?;
            if !sink.send(&size_line)? {
                return Ok(false);
            }
            let text = String::from_utf8_lossy(&size_line);
            let hex = text.trim().split(';').next().unwrap_or("").trim();
            let n = u64::from_str_radix(hex, 16).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("chunk size {text:?}"),
                )
            })?;
            if n == 0 {
                // Trailer lines, then the empty line that ends the body.
                loop {
                    let line = read_line(r)?;
                    if !sink.send(&line)? {
                        return Ok(false);
                    }
                    if line == b"\r\n" || line == b"\n" {
                        return Ok(true);
                    }
                }
            }
            // The chunk and its CRLF.
            if !copy_bytes(r, Some(n + 2), sink)? {
                return Ok(false);
            }
        },
    }
}

/// Copies exactly `n` bytes, or to EOF when `n` is `None`, as they arrive.
fn copy_bytes(r: &mut impl BufRead, n: Option<u64>, sink: &mut impl Sink) -> std::io::Result<bool> {
    let mut left = n.unwrap_or(u64::MAX);
    while left > 0 {
        let available = r.fill_buf()?;
        if available.is_empty() {
            return match n {
                None => Ok(true),
                Some(_) => Err(std::io::ErrorKind::UnexpectedEof.into()),
            };
        }
        let take = available
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let go_on = sink.send(&available[..take])?;
        r.consume(take);
        left -= take as u64;
        if !go_on {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One line including its `\n`; an error at EOF.
fn read_line(r: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    if r.read_until(b'\n', &mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line)
}

/// Writes a response body to the client, cut short or slowed as the rule says.
struct Relay<'a> {
    out: &'a mut TcpStream,
    /// Body bytes still allowed before the cut (`ResetAfter`).
    cut_after: Option<usize>,
    /// Bytes per 50 ms piece (`SlowBody`).
    piece: Option<usize>,
    stop: &'a AtomicBool,
}

impl Sink for Relay<'_> {
    fn send(&mut self, mut bytes: &[u8]) -> std::io::Result<bool> {
        if let Some(left) = &mut self.cut_after {
            let n = bytes.len().min(*left);
            self.out.write_all(&bytes[..n])?;
            *left -= n;
            if *left == 0 {
                return Ok(false);
            }
            return Ok(true);
        }
        if let Some(piece) = self.piece {
            while !bytes.is_empty() {
                if self.stop.load(Ordering::SeqCst) {
                    return Ok(false);
                }
                let n = bytes.len().min(piece);
                self.out.write_all(&bytes[..n])?;
                self.out.flush()?;
                bytes = &bytes[n..];
                std::thread::sleep(Duration::from_millis(50));
            }
            return Ok(true);
        }
        self.out.write_all(bytes)?;
        Ok(true)
    }
}

/// S3's XML error answer; no body for `HEAD` (the client would not read it).
fn error_response(status: &str, code: &str, message: &str, head_only: bool) -> Vec<u8> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>proxy-injected</RequestId></Error>"
    );
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nx-amz-request-id: proxy-injected\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if !head_only {
        out.push_str(&body);
    }
    out.into_bytes()
}

/// Takes one request from `client`, applies the first rule with budget, answers, closes.
fn serve(client: TcpStream, upstream: u16, shared: &Shared) -> std::io::Result<()> {
    client.set_read_timeout(Some(TIMEOUT))?;
    client.set_write_timeout(Some(TIMEOUT))?;
    let mut out = client.try_clone()?;
    let mut reader = BufReader::new(client);
    let Some(request) = read_head(&mut reader)? else {
        return Ok(()); // a connection that sent nothing (e.g. Drop waking the accept loop)
    };
    let mut parts = request.first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();

    // With `Expect: 100-continue` the client waits for a go-ahead before the body. Give
    // it here (the Expect header is not forwarded), so the body can be read and relayed.
    if request
        .get("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        out.flush()?;
    }
    let framing = if request.is_chunked() {
        Framing::Chunked
    } else {
        match request.get("content-length").and_then(|v| v.parse().ok()) {
            Some(n) => Framing::Length(n),
            None => Framing::None, // requests without either have no body
        }
    };
    let mut body = Vec::new();
    copy_body(&mut reader, framing, &mut body)?;

    // Record the request and pick its rule, taking one from the rule's budget.
    shared
        .seen
        .lock()
        .unwrap()
        .push((method.clone(), path.clone()));
    let action = {
        let mut rules = shared.rules.lock().unwrap();
        rules
            .iter_mut()
            .find(|r| {
                r.left > 0
                    && (r.method.is_empty() || r.method == method)
                    && path.contains(&r.path_contains)
            })
            .map(|r| {
                r.left -= 1;
                r.action.clone()
            })
    };

    let head_only = method == "HEAD";
    let (mut cut_after, mut piece) = (None, None);
    match action.as_deref() {
        Some(Action::SlowDown) => {
            out.write_all(&error_response(
                "503 Slow Down",
                "SlowDown",
                "Please reduce your request rate.",
                head_only,
            ))?;
            return out.flush();
        }
        Some(Action::InternalError) => {
            out.write_all(&error_response(
                "500 Internal Server Error",
                "InternalError",
                "We encountered an internal error. Please try again.",
                head_only,
            ))?;
            return out.flush();
        }
        Some(Action::Error(status, code)) => {
            out.write_all(&error_response(
                status,
                code,
                "Injected by the test proxy.",
                head_only,
            ))?;
            return out.flush();
        }
        Some(Action::ResetAfter(n)) => cut_after = Some(*n),
        Some(Action::SlowBody { bytes_per_sec }) => piece = Some((bytes_per_sec / 20).max(1)),
        Some(Action::Before(hook)) => hook(),
        None => {}
    }

    // Forward on a fresh connection.
    let up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.set_read_timeout(Some(TIMEOUT))?;
    up.set_write_timeout(Some(TIMEOUT))?;
    let mut up_writer = up.try_clone()?;
    up_writer.write_all(&request.render(&[
        "connection",
        "keep-alive",
        "proxy-connection",
        "expect",
    ]))?;
    up_writer.write_all(&body)?;
    up_writer.flush()?;
    let mut up_reader = BufReader::new(up);
    // Skip interim 1xx answers (none expected: Expect was not forwarded).
    let response = loop {
        let Some(response) = read_head(&mut up_reader)? else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        let status: u16 = response
            .first
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if !(100..200).contains(&status) {
            break (status, response);
        }
    };
    let (status, response) = response;
    let framing = if head_only || status == 204 || status == 304 {
        Framing::None
    } else if response.is_chunked() {
        Framing::Chunked
    } else {
        match response.get("content-length").and_then(|v| v.parse().ok()) {
            Some(n) => Framing::Length(n),
            None => Framing::ToEof, // the upstream closes after it (Connection: close)
        }
    };
    out.write_all(&response.render(&["connection", "keep-alive"]))?;
    let mut relay = Relay {
        out: &mut out,
        cut_after,
        piece,
        stop: &shared.stop,
    };
    let complete = copy_body(&mut up_reader, framing, &mut relay)?;
    out.flush()?;
    if !complete {
        // Cut short (ResetAfter) or stopped (Drop): end the connection mid-body.
        let _ = out.shutdown(Shutdown::Both);
    }
    Ok(())
}
