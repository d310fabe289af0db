//! The one path from inputs to a [`Report`]: load (inventory, HR export, policy, platform
//! catalogue, check definitions) → gather evidence (vault, network, candidate files) → run the
//! checks → compare with a baseline → redact. `palisade audit`, `validate` and `impersonation`
//! build a [`Plan`] from their flags and call this; so do the tests.
//!
//! Layers: the CLI calls this; this calls the sources (vault, online, impersonation) and the
//! engine; both read only the model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::engine::registry::Registry;
use crate::engine::{runner, Context};
use crate::error::{Code, Diagnostic, Error};
use crate::model::load::{self, Inputs};
use crate::model::results::Report;
use crate::model::{AccountStatus, Inventory, Platform};
use crate::{baseline, impersonation, online, redact, vault};

/// The files an audit reads before anything is checked.
#[derive(Debug, Clone, Default)]
pub struct InputFiles {
    pub inventory: PathBuf,
    pub people: Option<PathBuf>,
    /// HR CSV column renames: ours → the export's header.
    pub people_columns: BTreeMap<String, String>,
    pub policy: Option<PathBuf>,
    /// The organisation's corrections to the platform catalogue.
    pub platforms: Option<PathBuf>,
    pub checks_dirs: Vec<PathBuf>,
}

/// Credential hygiene from a vault export (AUTH-07/08/09).
#[derive(Debug, Clone, Default)]
pub struct VaultPlan {
    pub path: PathBuf,
    pub key_file: Option<PathBuf>,
}

/// What `--online` may use, with the base URLs that stand in for the real services.
#[derive(Debug, Clone, Default)]
pub struct OnlinePlan {
    pub bluesky_api: Option<String>,
    pub mastodon_api: Option<String>,
    pub pwned_api: Option<String>,
    pub cache_dir: Option<PathBuf>,
    pub refresh: bool,
}

/// Everything one audit does, as its flags said.
#[derive(Debug, Clone)]
pub struct Plan {
    pub inputs: InputFiles,
    pub as_of: Date,
    pub vault: Option<VaultPlan>,
    /// Offline Pwned Passwords corpus; it wins over the network for passwords.
    pub pwned_file: Option<PathBuf>,
    pub candidates: Vec<PathBuf>,
    /// `None`: nothing touches the network.
    pub online: Option<OnlinePlan>,
    pub baseline: Option<PathBuf>,
    pub redact: bool,
    /// Show progress on long work (the caller decides: a terminal, and not `--quiet`).
    pub progress: bool,
    /// Run the catalogue of checks. `palisade impersonation` reports only the search, and
    /// compiling and running every check would be most of its time on a small candidates file.
    pub checks: bool,
}

/// A validated inventory with the checks that will run on it.
pub struct Loaded {
    pub registry: Registry,
    pub inventory: Inventory,
}

/// An audit's outcome: the report, and the warnings to show beside it.
pub struct Audit {
    pub report: Report,
    pub warnings: Vec<Diagnostic>,
    /// The platform catalogue the audit used (with `--platforms` corrections), for what a
    /// command says beside the report.
    pub platforms: crate::model::platforms::SharedCatalogue,
}

/// Reads and validates every input; every problem is reported at once (exit 2).
pub fn load(files: &InputFiles) -> crate::Result<Loaded> {
    load_with(files, true)
}

/// [`load`], with the checks compiled only when `checks` (or when `--checks-dir` names some:
/// a policy override may name one of them, and only the definitions say which exist).
fn load_with(files: &InputFiles, checks: bool) -> crate::Result<Loaded> {
    let checks = checks || !files.checks_dirs.is_empty();
    // Compiling the checks and reading the inventory are independent, and each takes a few
    // milliseconds even for a small inventory: on two cores, side by side.
    let (registry, inventory) = std::thread::scope(|scope| {
        let registry = scope.spawn(|| {
            if checks {
                Registry::load(&files.checks_dirs)
            } else {
                Ok(Registry::empty())
            }
        });
        let inventory = load::load(&Inputs {
            inventory: &files.inventory,
            people: files.people.as_deref(),
            policy: files.policy.as_deref(),
            people_columns: files.people_columns.clone(),
            platforms: files.platforms.as_deref(),
        });
        // A panic there is a bug, as it was on this thread.
        let registry = registry
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (registry, inventory)
    });
    // Both are read before either error is returned, so a bad check and a bad inventory are
    // reported in one run.
    let (registry, inventory) = match (registry, inventory) {
        (Ok(r), Ok(i)) => (r, i),
        (Err(Error::Input(mut a)), Err(Error::Input(b))) => {
            a.extend(b);
            return Err(Error::Input(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if checks {
        check_overrides(&inventory, |id| registry.get(id).is_some())?;
    } else {
        check_overrides(&inventory, Registry::is_builtin_id)?;
    }
    Ok(Loaded {
        registry,
        inventory,
    })
}

/// `policy.severity_overrides` may only name checks that exist (`is_check`); every key that
/// does not is reported at once.
pub fn check_overrides(inv: &Inventory, is_check: impl Fn(&str) -> bool) -> crate::Result<()> {
    let mut diags = Vec::new();
    for id in inv.policy.severity_overrides.keys() {
        if !is_check(id) {
            let (file, loc) = inv
                .policy
                .severity_override_locs
                .get(id)
                .cloned()
                .unwrap_or_default();
            diags.push(Diagnostic {
                code: Code::UnknownReference,
                file,
                line: loc.line,
                column: loc.column,
                message: format!("`policy.severity_overrides` names `{id}`, which is not a check id (see `palisade checks list`)"),
                snippet: None,
            });
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(diags))
    }
}

/// Runs the whole audit.
pub fn run(plan: &Plan) -> crate::Result<Audit> {
    let Loaded {
        registry,
        inventory: inv,
    } = load_with(&plan.inputs, plan.checks)?;
    let mut ctx = Context::new(&inv, plan.as_of);
    let gathered = gather(plan, &inv, &mut ctx)?;

    let mut report = runner::run(&registry, &ctx);
    report.impersonation = ctx.suspects.clone().unwrap_or_default();
    report.sources = gathered.sources;
    report.defensive_registrations = gathered.defensive;
    report.lookalike_coverage = gathered.coverage;
    report.meta.online = plan.online.is_some();
    if let Some(b) = &plan.baseline {
        let old = baseline::load_results(b)?;
        baseline::apply_baseline(&mut report, &old);
        let known: std::collections::BTreeSet<(String, String)> = old
            .impersonation
            .iter()
            .map(|s| (s.platform.clone(), s.candidate.to_lowercase()))
            .collect();
        for s in &mut report.impersonation {
            s.new = !known.contains(&(s.platform.clone(), s.candidate.to_lowercase()));
        }
        report.meta.baseline = Some(b.display().to_string());
    }
    if plan.redact {
        // Names and addresses: an address's local part is masked where it occurs alone (a URL).
        let people = inv
            .people
            .iter()
            .flat_map(|p| p.name.as_deref().into_iter().chain(p.email.as_deref()));
        redact::redact_knowing(&mut report, people);
    }
    Ok(Audit {
        report,
        warnings: inv.warnings.clone(),
        platforms: inv.platforms.clone(),
    })
}

/// What the sources gave besides what they put in the context.
struct Gathered {
    sources: Vec<crate::model::results::SourceStatus>,
    defensive: Vec<String>,
    coverage: Vec<crate::model::results::LookalikeCoverage>,
}

/// The online settings: environment defaults, then the plan's overrides.
fn online_config(o: &OnlinePlan) -> online::OnlineConfig {
    let mut cfg = online::OnlineConfig::from_env();
    if let Some(u) = &o.bluesky_api {
        cfg.bluesky_api = u.clone();
    }
    if let Some(u) = &o.mastodon_api {
        cfg.mastodon_api = Some(u.clone());
    }
    if let Some(d) = &o.cache_dir {
        cfg.cache_dir = Some(d.clone());
    }
    cfg.refresh = o.refresh;
    cfg
}

/// Fills the context with evidence: the vault's assessments, what `--online` found, and the
/// impersonation suspects from candidate files and online searches.
fn gather(plan: &Plan, inv: &Inventory, ctx: &mut Context) -> crate::Result<Gathered> {
    // One network session for everything online (platforms, pages, breach look-ups): one request
    // budget per host, one cache, one progress line on stderr.
    let online_cfg = plan.online.as_ref().map(online_config);
    let session = match &online_cfg {
        Some(cfg) => Some(
            online::Session::new(cfg, online::Progress::stderr(plan.progress))
                .map_err(|e| Error::Internal(format!("cannot start the network client: {e}")))?,
        ),
        None => None,
    };

    if let Some(v) = &plan.vault {
        let opts = vault::VaultOptions {
            key_file: v.key_file.clone(),
            ..Default::default()
        };
        let loaded = vault::load_vault(&v.path, &opts)?;
        // An offline corpus wins over the network: nothing about a password leaves the machine.
        let source = match (&plan.pwned_file, &plan.online) {
            (Some(f), _) => vault::BreachSource::Offline(f.clone()),
            (None, Some(o)) => vault::BreachSource::online(o.pwned_api.as_deref()),
            (None, None) => vault::BreachSource::None,
        };
        source.validate()?;
        ctx.credentials = Some(vault::assess_with(inv, &loaded, source, session.as_ref()));
    }

    let mut gathered = Gathered {
        sources: Vec::new(),
        defensive: Vec::new(),
        coverage: Vec::new(),
    };
    let mut online_candidates = Vec::new();
    if let (Some(cfg), Some(session)) = (&online_cfg, &session) {
        // Most likely first: only the first few of each handle are probed (OnlineConfig).
        let probes: Vec<(String, Platform, Vec<String>)> = inv
            .accounts
            .iter()
            .filter(|a| {
                matches!(a.platform, Platform::Bluesky | Platform::Mastodon)
                    && a.status != AccountStatus::Closed
            })
            .map(|a| {
                (
                    a.id.clone(),
                    a.platform,
                    impersonation::lookalikes::most_likely_first(&a.handle, a.platform)
                        .into_iter()
                        .map(|l| l.handle)
                        .collect(),
                )
            })
            .collect();
        let evidence = session.gather(inv, cfg, &probes);
        gathered.sources = evidence.sources.clone();
        gathered.defensive = online::defensive_strings(&evidence, &inv.platforms);
        gathered.coverage = evidence.lookalike_coverage.clone();
        online_candidates = evidence.candidates.clone();
        ctx.house_rules_page = evidence.house_rules.clone();
        ctx.online = Some(evidence);
        if let Some(h) = vault::hibp::HibpConfig::from_env() {
            ctx.email_breaches = Some(vault::hibp::check_email_breaches_with(inv, &h, session));
        }
    }
    // The network work is done: clear the progress line before anything else prints.
    drop(session);

    if !plan.candidates.is_empty() || plan.online.is_some() {
        let mut search = impersonation::Search::new(inv, None);
        let mut bad = Vec::new();
        for f in &plan.candidates {
            match search.scan_csv(f, plan.progress) {
                Ok(stats) => bad.extend(stats.bad_rows),
                Err(mut d) => bad.append(&mut d),
            }
        }
        if !bad.is_empty() {
            return Err(Error::Input(bad));
        }
        for c in &online_candidates {
            search.consider(&impersonation::Candidate {
                platform: c.platform,
                handle: c.handle.clone(),
                display_name: c.display_name.clone(),
                bio: c.bio.clone(),
                url: c.url.clone(),
                followers: None,
                created_on: None,
                source: c.source_url.clone(),
            });
        }
        ctx.suspects = Some(search.finish());
    }
    Ok(gathered)
}
