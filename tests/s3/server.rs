//! A local S3-compatible server for tests and benches: moto's standalone server from the
//! venv `.ci/setup-s3` makes, started on a free port and killed on drop; and a raw
//! HTTP/1.1 client for setting up fixtures.
//!
//! Two moto habits the raw client works around:
//! - moto does not check signatures, but a request *without* an `Authorization` header is
//!   anonymous: it gets 403 on a private bucket, and s3control paths are not routed to
//!   s3control at all. So every request carries a dummy SigV4 header.
//! - moto's web layer (werkzeug) swallows a body sent as form data
//!   (`Content-Type: application/x-www-form-urlencoded`, what `curl -d` sends), storing an
//!   empty object. The raw client sends no Content-Type unless asked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server, killed on drop.
pub struct Moto {
    /// Its port on 127.0.0.1.
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl Moto {
    /// Starts moto on a free port and waits until it answers `GET /`.
    ///
    /// Panics with a pointer to `.ci/setup-s3` when the venv is missing.
    pub fn start() -> Moto {
        let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/venv-s3/bin/moto_server");
        assert!(
            bin.exists(),
            "{} is missing: run .ci/setup-s3 first (it installs moto in a venv)",
            bin.display()
        );
        // The port is free when we look but not reserved: another process may take it
        // before moto binds. Then moto exits at once, and we try again with a new port.
        // (No panic!/eprintln! here: benches/s3.rs includes this file and denies them.)
        let mut failures = String::new();
        let mut attempts = 0;
        loop {
            assert!(attempts < 5, "moto did not start:\n{failures}");
            attempts += 1;
            match Moto::try_start(&bin) {
                Ok(moto) => return moto,
                Err(failure) => failures.push_str(&failure),
            }
        }
    }

    /// One attempt; on failure, what went wrong and moto's log.
    fn try_start(bin: &std::path::Path) -> Result<Moto, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("s3pii-moto-{port}.log"));
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap();
        // From here on, dropping `moto` kills the child and removes the log.
        let mut moto = Moto { port, child, log };
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = try_request(port, "GET", "/", &[], b"") {
                return Ok(moto);
            }
            let failure = if let Ok(Some(status)) = moto.child.try_wait() {
                format!("moto on port {port} exited ({status})")
            } else if started.elapsed() > Duration::from_secs(30) {
                format!("moto on port {port} did not answer within 30 s")
            } else {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            let log = std::fs::read_to_string(&moto.log).unwrap_or_default();
            return Err(format!("{failure}; its log:\n{log}\n"));
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// One HTTP/1.1 request to `127.0.0.1:port` with `Connection: close`; returns the status
/// and the body — for `HEAD`, the response head instead (status line and headers as
/// sent), so tests can read headers.
///
/// Adds `Host`, `Content-Length` (always: moto answers 411 to a bodiless `PUT` without
/// it) and a dummy `Authorization` unless `headers` has one. Panics when the server
/// cannot be reached or the answer is not HTTP.
pub fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    try_request(port, method, path, headers, body)
        .map_err(|e| format!("{method} {path} to 127.0.0.1:{port}: {e}"))
        .unwrap()
}

/// [`raw_request`] without the panics.
fn try_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        head.push_str("Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n");
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;

    let mut reader = BufReader::new(stream);
    // Skip interim 1xx answers (100 Continue), which have a head and no body.
    let (status, response_head) = loop {
        let response_head = read_head(&mut reader)?;
        let status: u16 = response_head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad_data(format!("not an HTTP answer: {response_head:?}")))?;
        if !(100..200).contains(&status) {
            break (status, response_head);
        }
    };
    if method == "HEAD" {
        return Ok((status, response_head.into_bytes()));
    }
    let header = |name: &str| {
        response_head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let mut out = Vec::new();
    if status == 204 || status == 304 {
        // No body, whatever the headers say.
    } else if header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = size.trim();
            let hex = size.split(';').next().unwrap_or("").trim();
            let n = usize::from_str_radix(hex, 16)
                .map_err(|_| bad_data(format!("bad chunk size line {size:?}")))?;
            if n == 0 {
                // Trailers (if any) end with an empty line; the connection closes anyway.
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            out.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = header("content-length") {
        let n: usize = n
            .parse()
            .map_err(|_| bad_data(format!("bad Content-Length {n:?}")))?;
        out.resize(n, 0);
        reader.read_exact(&mut out)?;
    } else {
        reader.read_to_end(&mut out)?;
    }
    Ok((status, out))
}

/// Reads a response head up to the empty line; returns it with CRLF line ends, without
/// the empty line.
fn read_head(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("connection closed inside the response head: {head:?}"),
            ));
        }
        if line == "\r\n" || line == "\n" {
            return Ok(head);
        }
        head.push_str(&line);
    }
}

fn bad_data(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}
