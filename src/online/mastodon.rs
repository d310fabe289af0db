//! Mastodon's public REST API: account lookup by `user@instance` and account search. Reads the
//! documented `Account` entity: display name, bio, profile `fields` with `verified_at` (a rel="me"
//! link the instance has confirmed), `suspended` and `moved`.

use std::sync::Arc;

use reqwest::Url;
use serde_json::Value;

use super::bluesky::Meta;
use super::http::{Api, FetchError, Fetched, Http};

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// HTML, as the API returns it.
    pub value: String,
    pub verified_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    /// `user@instance`, always with the instance.
    pub acct: String,
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub url: Option<String>,
    pub fields: Vec<Field>,
    pub suspended: bool,
    /// `user@instance` of the account this one moved to.
    pub moved_to: Option<String>,
}

impl Account {
    /// The link targets of the profile fields the instance verified (rel="me" back-links).
    pub fn verified_links(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.verified_at.is_some())
            .flat_map(|f| hrefs(&f.value))
            .collect()
    }
}

/// `href` values in a fragment of HTML (the API's field values are small, trusted-shape HTML).
fn hrefs(html: &str) -> Vec<String> {
    let fragment = scraper::Html::parse_fragment(html);
    let links = scraper::Selector::parse("a[href]").ok();
    let mut out: Vec<String> = links
        .map(|sel| {
            fragment
                .select(&sel)
                .filter_map(|a| a.value().attr("href"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty() {
        // Plain text values ("westmere.police.uk") are verified too when the instance says so.
        let text = fragment.root_element().text().collect::<String>();
        let t = text.trim();
        if !t.is_empty() && !t.contains(' ') {
            out.push(t.to_string());
        }
    }
    out
}

#[derive(Clone)]
pub struct Mastodon {
    api: Api,
}

impl Mastodon {
    pub fn new(http: Arc<Http>, base: &str) -> Result<Self, FetchError> {
        Ok(Mastodon {
            api: Api::new(http, base, "the Mastodon API base is not a URL")?,
        })
    }

    /// The same client for nice-to-have look-ups (look-alike probes, searches by handle): they
    /// give way to the essential ones when the host's request budget runs low.
    pub fn optional(&self) -> Self {
        Mastodon {
            api: self.api.optional(),
        }
    }

    pub fn host(&self) -> &str {
        self.api.host()
    }

    async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        self.api.get(url).await
    }

    fn endpoint(&self, path: &str, params: &[(&str, &str)]) -> String {
        self.api.url(path, params)
    }

    /// `None` when the instance says there is no such account.
    pub async fn lookup(&self, acct: &str) -> Result<(Option<Account>, Meta), FetchError> {
        let fetched = self
            .get(&self.endpoint("/api/v1/accounts/lookup", &[("acct", acct)]))
            .await?;
        let meta = Meta::from(&fetched);
        if matches!(fetched.status, 404 | 410) {
            return Ok((None, meta));
        }
        let json = fetched.json(self.api.host())?;
        if !fetched.ok() {
            let message = json
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("bad request");
            return Err(FetchError::malformed(
                self.api.host(),
                format!("lookup refused: {message}"),
            ));
        }
        let fallback = acct.split_once('@').map(|(_, i)| i.to_string());
        Ok((Some(self.account(&json, fallback.as_deref())?), meta))
    }

    pub async fn search(&self, q: &str) -> Result<(Vec<Account>, Meta), FetchError> {
        let fetched = self
            .get(&self.endpoint(
                "/api/v2/search",
                &[
                    ("type", "accounts"),
                    ("q", q),
                    ("limit", "40"),
                    ("resolve", "false"),
                ],
            ))
            .await?;
        let meta = Meta::from(&fetched);
        let json = fetched.json(self.api.host())?;
        if !fetched.ok() {
            let message = json
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("bad request");
            return Err(FetchError::malformed(
                self.api.host(),
                format!("search refused: {message}"),
            ));
        }
        let list = json
            .get("accounts")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                FetchError::malformed(self.api.host(), "no `accounts` array in the answer")
            })?;
        let accounts = list
            .iter()
            .map(|a| self.account(a, None))
            .collect::<Result<_, _>>()?;
        Ok((accounts, meta))
    }

    fn account(&self, a: &Value, instance_hint: Option<&str>) -> Result<Account, FetchError> {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(id), Some(acct)) = (
            a.get("id").and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_u64().map(|n| n.to_string()))
            }),
            text(a, "acct"),
        ) else {
            return Err(FetchError::malformed(
                self.api.host(),
                "an account without `id` or `acct`",
            ));
        };
        let url = text(a, "url");
        let acct = full_acct(&acct, url.as_deref(), instance_hint);
        let fields = a
            .get("fields")
            .and_then(Value::as_array)
            .map(|fs| {
                fs.iter()
                    .map(|f| Field {
                        name: text(f, "name").unwrap_or_default(),
                        value: text(f, "value").unwrap_or_default(),
                        verified_at: text(f, "verified_at"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let moved_to = a.get("moved").filter(|m| m.is_object()).and_then(|m| {
            let acct = text(m, "acct")?;
            Some(full_acct(&acct, text(m, "url").as_deref(), None))
        });
        Ok(Account {
            id,
            acct,
            display_name: text(a, "display_name").filter(|s| !s.trim().is_empty()),
            note: text(a, "note"),
            url,
            fields,
            suspended: a.get("suspended").and_then(Value::as_bool).unwrap_or(false),
            moved_to,
        })
    }
}

/// Local accounts come back as `user`; the instance is the host of their profile URL.
fn full_acct(acct: &str, url: Option<&str>, hint: Option<&str>) -> String {
    if acct.contains('@') {
        return acct.to_string();
    }
    let instance = url
        .and_then(|u| Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .or_else(|| hint.map(str::to_string));
    match instance {
        Some(i) => format!("{acct}@{i}"),
        None => acct.to_string(),
    }
}
