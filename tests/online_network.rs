//! Networks people really have (issue 14): `palisade audit --online` behind a corporate
//! TLS-inspecting proxy. The proxy is a CONNECT proxy on loopback; behind it an HTTPS server for
//! `palisade.test` presents a certificate from a private CA that only the "system store" trusts
//! (given through `SSL_CERT_FILE`, which the system-roots loader honours). Loopback servers are in
//! `NO_PROXY`. The audit runs as a subprocess, so the environment is its own.

mod online_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use online_common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const PAGE: &str = "<ul><li>X: @KFordPolice</li></ul>";

fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/online/tls")
        .join(name)
}

/// An HTTPS server with the test CA's certificate for `palisade.test`, answering every request
/// with `PAGE`.
fn https_server() -> SocketAddr {
    let cert = CertificateDer::from(std::fs::read(tls_file("server.der")).unwrap());
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(
        std::fs::read(tls_file("server.key.der")).unwrap(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that distrusts the certificate ends the handshake: nothing to serve.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                        PAGE.len()
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    addr
}

/// A CONNECT proxy that tunnels every CONNECT to `upstream` (whatever host it names) and refuses
/// anything else; records the first line of each request it gets.
fn connect_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let log = log.clone();
            std::thread::spawn(move || tunnel(client, upstream, &log));
        }
    });
    (addr, seen)
}

fn tunnel(mut client: TcpStream, upstream: SocketAddr, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
    }
    log.lock().unwrap().push(first.trim().to_string());
    if !first.starts_with("CONNECT ") {
        let _ = client.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c_read, &mut s_write);
        let _ = s_write.shutdown(std::net::Shutdown::Write);
    });
    let (mut s_read, mut c_write) = (server, client);
    let _ = std::io::copy(&mut s_read, &mut c_write);
    let _ = c_write.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    let _ = reader.read(&mut [0u8; 1]);
}

fn inventory_file(dir: &Path) -> PathBuf {
    let path = dir.join("inventory.yaml");
    std::fs::write(
        &path,
        "organisation:\n  name: Kestrelford Constabulary\n  email_domains: [kestrelford.police.uk]\n  official_accounts_page: https://palisade.test/social\naccounts:\n  - {id: k-x, platform: x, handle: KFordPolice, status: active}\n  - {id: k-ig, platform: instagram, handle: KFordPolice, status: active}\n  - {id: k-bsky, platform: bluesky, handle: kestrelford.bsky.social, status: active}\n",
    )
    .unwrap();
    path
}

/// `palisade audit --online` with only the variables given (and none inherited that would
/// change the network), returning (BRAND-02 result of k-x as JSON, stderr).
fn audit(dir: &Path, vars: &[(&str, String)]) -> (serde_json::Value, String) {
    let mut cmd = Command::cargo_bin("palisade").unwrap();
    for v in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HIBP_API_KEY",
        "PALISADE_MASTODON_API",
        "REQUEST_METHOD",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("PALISADE_CACHE_DIR", dir.join("cache"));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["audit", "--online", "--refresh", "--format", "json"])
        .args(["--as-of", "2026-10-01", "--fail-on", "never"])
        .arg(inventory_file(dir))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let brand = |id: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check_id"] == "BRAND-02" && r["account_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("BRAND-02 for {id}"))
    };
    let mut both = brand("k-x");
    both["instagram"] = brand("k-ig");
    both["sources"] = report["sources"].clone();
    (both, stderr)
}

#[test]
fn behind_a_tls_inspecting_proxy_with_the_system_store_and_no_proxy() {
    let https = https_server();
    let (proxy, proxied) = connect_proxy(https);
    let bsky = start(Data::default(), Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let proxy_url = format!("http://{proxy}");
    let network = |with_ca: bool| {
        let mut v = vec![
            ("HTTPS_PROXY", proxy_url.clone()),
            ("HTTP_PROXY", proxy_url.clone()),
            ("NO_PROXY", "127.0.0.1,localhost".to_string()),
            ("PALISADE_BLUESKY_API", bsky.base()),
        ];
        if with_ca {
            v.push((
                "SSL_CERT_FILE",
                tls_file("ca.pem").to_string_lossy().into_owned(),
            ));
        }
        v
    };

    let (brand, stderr) = audit(dir.path(), &network(true));
    assert_eq!(brand["status"], "pass", "{brand}");
    assert_eq!(
        brand["instagram"]["status"], "fail",
        "the page names X only: {brand}"
    );
    let seen = proxied.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|l| l.starts_with("CONNECT palisade.test:443 ")),
        "HTTPS_PROXY: {seen:?}"
    );
    assert!(
        seen.iter().all(|l| l.starts_with("CONNECT palisade.test")),
        "NO_PROXY keeps loopback direct: {seen:?}"
    );
    assert!(bsky.requests() > 0, "the Bluesky server was asked directly");
    // stderr is a pipe here: no progress line, no escape codes.
    assert!(
        !stderr.contains("look-ups") && !stderr.contains('\u{1b}'),
        "{stderr}"
    );

    // Without the organisation's CA the inspected connection is not trusted: BRAND-02 cannot
    // say, so it is an error, never a pass.
    let (brand, _) = audit(dir.path(), &network(false));
    assert_eq!(brand["status"], "error", "{brand}");
    let page = brand["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .unwrap_or("")
                .starts_with("official accounts page")
        })
        .cloned()
        .unwrap();
    assert_eq!(page["ok"], false, "{page}");
    assert!(
        page["detail"].as_str().unwrap().contains("certificate"),
        "the reason is the untrusted certificate: {page}"
    );
}
