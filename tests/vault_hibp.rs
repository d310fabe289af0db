//! MAIL-05: breached login/recovery addresses via the Have I Been Pwned v3 API, against a
//! server on loopback that checks the API key header.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use jiff::civil::date;
use palisade::checks::credentials::hibp_email_breach;
use palisade::engine::Context;
use palisade::model::results::Status;
use palisade::model::*;
use palisade::vault::hibp::{check_email_breaches, EmailBreaches, HibpConfig};
use secrecy::SecretString;

const KEY: &str = "planted-hibp-key-123";

fn account(id: &str, login: Option<&str>, recovery: Option<&str>) -> Account {
    Account {
        security: Security {
            login_email: login.map(String::from),
            recovery_email: recovery.map(String::from),
            ..Default::default()
        },
        ..Account::new(id, Platform::X, "WestmerePolice")
    }
}

/// Answers `/breachedaccount/ADDR` with `status` from `answers` (404 otherwise) when the key is
/// right, 401 when not. Records the request paths.
fn server(answers: Vec<(&'static str, u16, &'static str)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut key_ok = false;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    key_ok |= k.eq_ignore_ascii_case("hibp-api-key") && v.trim() == KEY;
                }
            }
            let (status, body) = if !key_ok {
                (401, "")
            } else {
                answers
                    .iter()
                    .find(|(addr, _, _)| path.contains(addr))
                    .map(|(_, s, b)| (*s, *b))
                    .unwrap_or((404, ""))
            };
            log.lock().unwrap().push(path);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, seen)
}

fn inventory() -> Inventory {
    Inventory {
        accounts: vec![
            account(
                "a",
                Some("SocialMedia@westmere.police.uk"),
                Some("it@westmere.police.uk"),
            ),
            account("b", Some("it@westmere.police.uk"), None),
            account("c", None, None),
        ],
        ..Default::default()
    }
}

#[test]
fn breached_address_fails_clean_passes_missing_skips() {
    let (base, seen) = server(vec![(
        "socialmedia%40westmere.police.uk",
        200,
        r#"[{"Name":"Adobe"},{"Name":"LinkedIn"}]"#,
    )]);
    let inv = inventory();
    let cfg = HibpConfig {
        base_url: base,
        api_key: SecretString::from(KEY.to_string()),
    };
    let found = check_email_breaches(&inv, &cfg);
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.email_breaches = Some(found.clone());
    let a = hibp_email_breach(&ctx, &inv.accounts[0]);
    assert_eq!(a.status, Status::Fail, "{}", a.message);
    assert!(a.message.contains("Adobe") && a.message.contains("login_email"));
    assert_eq!(
        hibp_email_breach(&ctx, &inv.accounts[1]).status,
        Status::Pass
    );
    assert_eq!(
        hibp_email_breach(&ctx, &inv.accounts[2]).status,
        Status::Skipped
    );
    // Each distinct address asked once, lower-cased and encoded.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen
        .iter()
        .all(|p| p.starts_with("/breachedaccount/") && p.contains("%40")));
    // The key never reaches facts, outcomes or Debug.
    let all = format!(
        "{} {:?} {:?} {:?}",
        serde_json::to_string(&found).unwrap(),
        found,
        a,
        cfg
    );
    assert!(!all.contains(KEY));
}

#[test]
fn refused_key_is_an_error_and_no_key_skips() {
    let (base, _) = server(vec![]);
    let inv = inventory();
    let cfg = HibpConfig {
        base_url: base,
        api_key: SecretString::from("wrong".to_string()),
    };
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    assert_eq!(
        hibp_email_breach(&ctx, &inv.accounts[0]).status,
        Status::Skipped
    );
    ctx.email_breaches = Some(check_email_breaches(&inv, &cfg));
    let o = hibp_email_breach(&ctx, &inv.accounts[0]);
    assert_eq!(o.status, Status::Error);
    assert!(o.message.contains("API key"), "{}", o.message);
}

// ---- issue 15: the key, the address and the verdict stay with the API ----

/// One request as a raw server saw it.
#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A server that answers every request with `answer(request)` (raw bytes written as they are)
/// and records what it was sent.
fn raw_server(
    answer: impl Fn(&Request) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (log, answer) = (log.clone(), answer.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                }
                let req = Request { path, headers };
                let out = answer(&req);
                log.lock().unwrap().push(req);
                let _ = stream.write_all(out.as_bytes());
            });
        }
    });
    (base, seen)
}

fn keyed(base: String) -> HibpConfig {
    HibpConfig {
        base_url: base,
        api_key: SecretString::from(KEY.to_string()),
    }
}

fn mail05(inv: &Inventory, found: EmailBreaches) -> palisade::engine::Outcome {
    let mut ctx = Context::new(inv, date(2026, 10, 1));
    ctx.email_breaches = Some(found);
    hibp_email_breach(&ctx, &inv.accounts[1])
}

const NOT_FOUND: &str = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

#[test]
fn a_redirect_to_another_origin_is_refused_and_is_an_error() {
    // The other origin is a second loopback server: it must hear nothing, and its 404 must not
    // read as "in no breach".
    let (elsewhere, heard) = raw_server(|_| NOT_FOUND.to_string());
    let target = elsewhere.clone();
    let (base, _) = raw_server(move |r| {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {target}{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            r.path
        )
    });
    let inv = inventory();
    let found = check_email_breaches(&inv, &keyed(base));
    let heard = heard.lock().unwrap();
    assert!(
        heard.is_empty(),
        "the other origin was sent {:?}",
        heard.iter().map(|r| &r.headers).collect::<Vec<_>>()
    );
    let o = mail05(&inv, found);
    assert_eq!(o.status, Status::Error, "{}", o.message);
    assert!(o.message.contains("redirect"), "{}", o.message);
    assert!(!o.message.contains(KEY));
}

#[test]
fn a_redirect_within_the_api_sends_no_referer() {
    let (base, seen) = raw_server(|r| {
        if r.path.starts_with("/moved/") {
            NOT_FOUND.to_string()
        } else {
            format!(
                "HTTP/1.1 301 Moved\r\nLocation: /moved{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                r.path
            )
        }
    });
    let inv = inventory();
    let found = check_email_breaches(&inv, &keyed(base));
    assert_eq!(mail05(&inv, found).status, Status::Pass);
    let seen = seen.lock().unwrap();
    assert!(seen.iter().any(|r| r.path.starts_with("/moved/")));
    for r in seen.iter() {
        assert_eq!(r.header("referer"), None, "{r:?}");
        assert_eq!(
            r.header("hibp-api-key"),
            Some(KEY),
            "same origin: the key goes along"
        );
    }
}

#[test]
fn an_endless_answer_is_cut_at_the_cap_and_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
                );
                let chunk = vec![b' '; 64 * 1024];
                // Until the client hangs up.
                while stream.write_all(&chunk).is_ok() {}
            });
        }
    });
    let inv = inventory();
    let started = std::time::Instant::now();
    let found = check_email_breaches(&inv, &keyed(base));
    let took = started.elapsed();
    let o = mail05(&inv, found);
    assert_eq!(o.status, Status::Error, "{}", o.message);
    assert!(o.message.contains("larger than"), "{}", o.message);
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_web_page_404_is_not_the_api_s_answer() {
    let (base, _) = raw_server(|_| {
        let page = "<html><body><h1>404</h1> Page not found</body></html>";
        format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        )
    });
    let inv = inventory();
    let o = mail05(&inv, check_email_breaches(&inv, &keyed(base)));
    assert_eq!(o.status, Status::Error, "{}", o.message);
    assert!(o.message.contains("not the API's answer"), "{}", o.message);
}
