//! A minimal HTTP/1.1 client over one keep-alive loopback connection: enough to post
//! NDJSON and GraphQL to the benchmarked server without a client library. A request
//! can be built once and sent many times (the load test does), so that the client costs
//! little of the CPU it shares with the server.
use anyhow::{Context, bail};
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Connection {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

/// A response: status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Self {
        Connection { addr, stream: None }
    }

    /// The bytes of a request (head and body), built once to be sent many times.
    pub fn request_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Vec<u8> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    /// Sends one request and reads its response; reconnects once when the kept-alive
    /// connection was closed.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<Response> {
        let bytes = self.request_bytes(method, path, headers, body);
        self.send(&bytes).await
    }

    /// Sends the bytes of a request (see [`Self::request_bytes`]) and reads its
    /// response; reconnects once when the kept-alive connection was closed.
    pub async fn send(&mut self, request: &[u8]) -> anyhow::Result<Response> {
        for attempt in 0..2 {
            if self.stream.is_none() {
                let tcp = TcpStream::connect(self.addr)
                    .await
                    .with_context(|| format!("cannot connect to {}", self.addr))?;
                tcp.set_nodelay(true)?;
                self.stream = Some(BufReader::with_capacity(64 * 1024, tcp));
            }
            let Some(stream) = self.stream.as_mut() else {
                continue;
            };
            match exchange(stream, request).await {
                Ok((response, keep)) => {
                    if !keep {
                        self.stream = None;
                    }
                    return Ok(response);
                }
                Err(err) if attempt == 0 && request.len() < 1 << 20 => {
                    tracing::debug!(error = %err, "reconnecting");
                    self.stream = None;
                }
                Err(err) => return Err(err),
            }
        }
        bail!("no response from {}", self.addr)
    }
}

async fn exchange(
    stream: &mut BufReader<TcpStream>,
    request: &[u8],
) -> anyhow::Result<(Response, bool)> {
    stream.get_mut().write_all(request).await?;
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        bail!("the connection closed before a response");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let (mut length, mut chunked, mut keep) = (None, false, true);
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                keep = !value.eq_ignore_ascii_case("close");
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("bad chunk size {line:?}"))?;
            let start = body.len();
            body.resize(start + size, 0);
            stream.read_exact(&mut body[start..]).await?;
            line.clear();
            stream.read_line(&mut line).await?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        stream.read_exact(&mut body).await?;
    } else {
        stream.read_to_end(&mut body).await?;
        keep = false;
    }
    Ok((Response { status, body }, keep))
}
