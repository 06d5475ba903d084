//! A fault-injecting HTTP proxy between the scanner and the S3 server: per request it
//! either answers with an S3 error (503 SlowDown, 500), or forwards it and then breaks or
//! slows the response body, or runs a hook first (delete or overwrite the object). Every
//! request gets its own upstream connection and the client connection is closed after
//! each response, so faults never leak into the next request.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do with a matching request.
pub enum Action {
    /// Answer `503 SlowDown`.
    SlowDown,
    /// Answer `500 InternalError`.
    InternalError,
    /// Answer with this status line (`"403 Forbidden"`) and S3 error code.
    Error(&'static str, &'static str),
    /// Forward, relay the response head and this many body bytes, then close.
    ResetAfter(usize),
    /// Forward, relay the body at this rate.
    SlowBody {
        /// Bytes per second.
        bytes_per_sec: usize,
    },
    /// Run the hook, then forward.
    Before(Box<dyn Fn() + Send + Sync>),
}

/// A fault for requests whose method and path match, for the first `times` of them.
pub struct Rule {
    /// `GET`, `PUT`, ...; `""` for any.
    pub method: &'static str,
    /// Substring of the request path (as sent, percent-encoded, with the query).
    pub path_contains: String,
    /// Requests it applies to.
    pub times: usize,
    /// The fault.
    pub action: Action,
}

struct State {
    rules: Vec<Rule>,
    seen: Vec<(String, String)>,
}

/// A running proxy.
pub struct Proxy {
    /// Its port on 127.0.0.1.
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy to `127.0.0.1:upstream`.
    pub fn start(upstream: u16, rules: Vec<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            rules,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, &s);
                });
            }
        });
        Proxy { port, state, stop }
    }

    /// Requests seen with this method whose path contains `path`.
    pub fn served(&self, method: &str, path: &str) -> usize {
        let st = self.state.lock().unwrap();
        st.seen
            .iter()
            .filter(|(m, p)| m == method && p.contains(path))
            .count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads a request or response head: the first line and the header lines.
fn read_head(r: &mut impl BufRead) -> std::io::Result<Option<(String, Vec<String>)>> {
    let mut first = String::new();
    if r.read_line(&mut first)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim_end().to_string());
    }
    Ok(Some((first.trim_end().to_string(), headers)))
}

fn header<'a>(headers: &'a [String], name: &str) -> Option<&'a str> {
    headers.iter().find_map(|h| {
        let (k, v) = h.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads a body by Content-Length or chunked encoding, returning the raw bytes as sent.
fn read_body(r: &mut impl BufRead, headers: &[String], to_eof: bool) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if header(headers, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            body.extend_from_slice(size.as_bytes());
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if n == 0 {
                // Trailers end with an empty line.
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line)?;
                    body.extend_from_slice(line.as_bytes());
                    if line == "\r\n" || line.is_empty() {
                        return Ok(body);
                    }
                }
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
        }
    }
    match header(headers, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        Some(n) => {
            body.resize(n, 0);
            r.read_exact(&mut body)?;
        }
        None if to_eof => {
            r.read_to_end(&mut body)?;
        }
        None => {}
    }
    Ok(body)
}

fn error_response(status: &str, code: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>proxy</RequestId></Error>"
    );
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn serve(client: TcpStream, upstream: u16, state: &Mutex<State>) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = client.try_clone()?;
    let mut reader = BufReader::new(client);
    let Some((request_line, mut headers)) = read_head(&mut reader)? else {
        return Ok(());
    };
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    if header(&headers, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        headers.retain(|h| !h.to_ascii_lowercase().starts_with("expect:"));
    }
    let body = read_body(&mut reader, &headers, false)?;
    // Pick the fault (taking one from its budget) and record the request.
    let mut hook: Option<usize> = None;
    let mut fault: Option<(u8, usize)> = None;
    let mut refusal: Option<(&'static str, &'static str)> = None;
    {
        let mut st = state.lock().unwrap();
        st.seen.push((method.clone(), path.clone()));
        if let Some((i, rule)) = st.rules.iter_mut().enumerate().find(|(_, r)| {
            r.times > 0
                && (r.method.is_empty() || r.method == method)
                && path.contains(&r.path_contains)
        }) {
            rule.times -= 1;
            match rule.action {
                Action::SlowDown => fault = Some((0, 0)),
                Action::InternalError => fault = Some((1, 0)),
                Action::Error(status, code) => refusal = Some((status, code)),
                Action::ResetAfter(n) => fault = Some((2, n)),
                Action::SlowBody { bytes_per_sec } => fault = Some((3, bytes_per_sec)),
                Action::Before(_) => hook = Some(i),
            }
        }
    }
    if let Some((status, code)) = refusal {
        return out.write_all(&error_response(status, code, "Injected by the test proxy."));
    }
    match fault {
        Some((0, _)) => {
            return out.write_all(&error_response(
                "503 Slow Down",
                "SlowDown",
                "Please reduce your request rate.",
            ));
        }
        Some((1, _)) => {
            return out.write_all(&error_response(
                "500 Internal Server Error",
                "InternalError",
                "We encountered an internal error. Please try again.",
            ));
        }
        _ => {}
    }
    if let Some(i) = hook {
        // Other requests wait meanwhile; the hook talks to the server directly.
        let st = state.lock().unwrap();
        if let Action::Before(f) = &st.rules[i].action {
            f();
        }
    }
    // Forward on a fresh connection.
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{request_line}\r\n");
    for h in headers
        .iter()
        .filter(|h| !h.to_ascii_lowercase().starts_with("connection:"))
    {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes())?;
    up.write_all(&body)?;
    let mut up_reader = BufReader::new(up);
    let Some((status_line, response_headers)) = read_head(&mut up_reader)? else {
        return Ok(());
    };
    let response_body = if method == "HEAD" {
        Vec::new()
    } else {
        read_body(&mut up_reader, &response_headers, true)?
    };
    let mut response_head = format!("{status_line}\r\n");
    for h in response_headers
        .iter()
        .filter(|h| !h.to_ascii_lowercase().starts_with("connection:"))
    {
        response_head.push_str(h);
        response_head.push_str("\r\n");
    }
    response_head.push_str("Connection: close\r\n\r\n");
    out.write_all(response_head.as_bytes())?;
    match fault {
        Some((2, n)) => {
            out.write_all(&response_body[..n.min(response_body.len())])?;
            out.flush()?;
            // Close the connection with the body unfinished.
            let _ = out.shutdown(Shutdown::Both);
        }
        Some((3, rate)) => {
            let piece = (rate / 20).max(1);
            for chunk in response_body.chunks(piece) {
                out.write_all(chunk)?;
                out.flush()?;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        _ => out.write_all(&response_body)?,
    }
    out.flush()
}
