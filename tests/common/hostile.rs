//! A small hostile HTTP server on 127.0.0.1 for the tests: it answers whatever the test says,
//! headers and bodies no real API would send, redirects elsewhere, or an endless body, and
//! records what it was asked and how much it managed to send.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub enum Answer {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A chunked body that never ends: `chunk` bytes at a time until the client hangs up.
    Endless { chunk: usize },
    /// `answer`, once `gate` is opened (`Notify::notify_one`/`notify_waiters`).
    After {
        gate: Arc<tokio::sync::Notify>,
        answer: Box<Answer>,
    },
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Answer {
        Answer::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Answer {
        if let Answer::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

pub struct Hostile {
    pub addr: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    endless_sent: Arc<AtomicU64>,
    /// Endless bodies whose client hung up.
    endless_ended: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Serves `handler`'s answers. The send buffer is kept small, so what the server "managed
    /// to send" of an endless body is close to what the client read.
    pub async fn start(handler: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Hostile {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_send_buffer_size(16 * 1024).expect("sndbuf");
        socket
            .bind(([127, 0, 0, 1], 0).into())
            .expect("bind 127.0.0.1");
        let listener: TcpListener = socket.listen(64).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let endless_sent = Arc::new(AtomicU64::new(0));
        let endless_ended = Arc::new(AtomicU64::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, sent, ended) = (
            requests.clone(),
            endless_sent.clone(),
            endless_ended.clone(),
        );
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (h, reqs, sent, ended) =
                    (handler.clone(), reqs.clone(), sent.clone(), ended.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &*h, &reqs, &sent, &ended).await;
                });
            }
        });
        Hostile {
            addr,
            requests,
            endless_sent,
            endless_ended,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Bytes of endless bodies written to the socket before the client hung up.
    pub fn endless_sent(&self) -> u64 {
        self.endless_sent.load(Ordering::SeqCst)
    }

    /// How many endless bodies ended because the client hung up.
    pub fn endless_ended(&self) -> u64 {
        self.endless_ended.load(Ordering::SeqCst)
    }
}

async fn serve(
    stream: TcpStream,
    handler: &Handler,
    requests: &Mutex<Vec<Request>>,
    endless_sent: &AtomicU64,
    endless_ended: &AtomicU64,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await?;
    let request = Request {
        method,
        path,
        headers,
        body,
    };
    let answer = handler(&request);
    requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(request);
    let mut stream = reader.into_inner();
    let mut answer = answer;
    while let Answer::After { gate, answer: then } = answer {
        gate.notified().await;
        answer = *then;
    }
    match answer {
        Answer::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} Hostile\r\n");
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Answer::Endless { chunk } => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
                )
                .await?;
            let piece = vec![b' '; chunk];
            let frame = [
                format!("{chunk:x}\r\n").into_bytes(),
                piece,
                b"\r\n".to_vec(),
            ]
            .concat();
            loop {
                if let Err(e) = stream.write_all(&frame).await {
                    endless_ended.fetch_add(1, Ordering::SeqCst);
                    return Err(e);
                }
                endless_sent.fetch_add(chunk as u64, Ordering::SeqCst);
            }
        }
        Answer::After { .. } => unreachable!("opened above"),
    }
    stream.shutdown().await
}
