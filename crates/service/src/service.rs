//! The service: restores the state, then runs the pipeline, the Firehose endpoints, the
//! notifier loop and the API until SIGTERM or SIGINT, and shuts down in order: the Firehose
//! endpoints stop accepting and answer what is in flight, intake stops and its last batch is
//! committed, the notifier finishes its current send, the API answers what is in flight.
//! SIGHUP does not reload the configuration: it logs that a restart is needed.

use crate::config::{Config, SourceConfig};
use crate::directory::DirectorySource;
use crate::feed::Feeder;
use crate::firehose_source::{FirehoseSource, Intake, RequestPruner};
use crate::pipeline::{Pipeline, Source, Tracked, now_ms};
use crate::ruleset::Rules;
use crate::stdin::StdinSource;
use crate::stream_report::StreamReport;
use anyhow::Context;
use r53guard_api::{ApiState, Metrics, router, serve};
use r53guard_store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The poll interval of a pipeline with no directory source.
const STDIN_POLL: Duration = Duration::from_millis(200);

/// Runs the service described by `config` until a termination signal.
pub async fn run(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let token = crate::token::api_token(&config.api, &config.data_dir)?;
    let rules = Rules::load(&config.rules, now_ms())?;
    let (notifier, routes) = crate::receivers::build(&config)?;

    let store = Store::open(&config.data_dir)?;
    let engine = match store.engine_state()? {
        Some(snapshot) => {
            tracing::info!(bytes = snapshot.len(), "restoring the engine state");
            rules.restore(&snapshot)?
        }
        None => rules.engine()?,
    };
    let rule_info = rules.info(&engine);
    let metrics = Arc::new(Metrics::new());
    let object_metrics = crate::object_sources::metrics(&config, &metrics)?;
    let mut sources = Vec::new();
    let mut poll_interval: Option<Duration> = None;
    let intake = Intake::default();
    let (firehose_stop_tx, firehose_stop_rx) = watch::channel(false);
    let mut firehose_tasks = Vec::new();
    let mut retention: Option<Duration> = None;
    let lookups = Arc::new(Mutex::new(Store::open(&config.data_dir)?));
    for (index, s) in config.sources.iter().enumerate() {
        let source = match s {
            SourceConfig::Directory {
                name,
                path,
                poll_interval: every,
                ..
            } => {
                let positions = store.positions(name)?;
                tracing::info!(source = %name, path = %path.display(), files = positions.len(), "directory source");
                poll_interval = Some(poll_interval.map_or(every.get(), |p| p.min(every.get())));
                Source::Directory(DirectorySource::new(name, path, positions))
            }
            SourceConfig::Stdin { name, .. } => Source::Stdin(StdinSource::start(name)),
            SourceConfig::Firehose(f) => {
                firehose_tasks.push(
                    crate::firehose_endpoint::start(
                        f,
                        index,
                        &intake,
                        Arc::clone(&lookups),
                        firehose_stop_rx.clone(),
                    )
                    .await?,
                );
                let keep = f.request_retention.get();
                retention = Some(retention.map_or(keep, |r| r.max(keep)));
                Source::Firehose(FirehoseSource::new(&f.name, index))
            }
            SourceConfig::S3(c) => {
                poll_interval = Some(
                    poll_interval.map_or(c.poll_interval.get(), |p| p.min(c.poll_interval.get())),
                );
                crate::object_sources::s3(c, store.positions(&c.name)?, &object_metrics)?
            }
            SourceConfig::Sqs(c) => {
                crate::object_sources::sqs(c, store.positions(&c.name)?, &object_metrics)?
            }
        };
        sources.push(Tracked {
            source,
            allowed_lateness_ms: s.allowed_lateness().as_millis_i64(),
            newest_ms: None,
        });
    }
    let report = StreamReport::new(Arc::clone(&metrics), &engine);
    let mut feeder = Feeder::new(engine, Arc::clone(&metrics));
    feeder.gap_threshold_ms = config.pipeline.gap_threshold.as_millis_i64();
    let pipeline = Pipeline {
        feeder,
        store,
        sources,
        routes,
        metrics: Arc::clone(&metrics),
        poll_interval: poll_interval.unwrap_or(STDIN_POLL),
        intake,
        pruner: retention.map(RequestPruner::new),
        report,
    };

    let api = ApiState::new(
        Store::open(&config.data_dir)?,
        token,
        rule_info,
        Arc::clone(&metrics),
    );
    let listener = TcpListener::bind(config.api.listen)
        .await
        .with_context(|| format!("listening on {}", config.api.listen))?;
    tracing::info!(address = %listener.local_addr()?, "API listening");

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut api_stop = shutdown_rx.clone();
    let api_task = tokio::spawn(serve(listener, router(api.clone()), async move {
        let _ = api_stop.wait_for(|stop| *stop).await;
    }));
    let notifier_task = tokio::spawn(crate::outbox::run(
        Store::open(&config.data_dir)?,
        notifier,
        shutdown_rx,
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let pipeline_stop = Arc::clone(&stop);
    let mut pipeline_task = tokio::task::spawn_blocking(move || pipeline.run(&pipeline_stop));
    let mut signals = Signals::install()?;
    api.set_ready(true);
    tracing::info!("ready");

    let early = tokio::select! {
        signal = signals.termination() => {
            tracing::info!(signal = signal?, "shutting down");
            None
        }
        ended = &mut pipeline_task => Some(ended),
    };
    api.set_ready(false);
    let _ = firehose_stop_tx.send(true);
    for task in firehose_tasks {
        task.await
            .context("a Firehose endpoint task panicked")?
            .context("a Firehose endpoint failed")?;
    }
    stop.store(true, Ordering::Release);
    let pipeline_result = match early {
        Some(ended) => ended,
        None => pipeline_task.await,
    }
    .context("the pipeline thread panicked")?;
    let _ = shutdown_tx.send(true);
    let notifier_result = notifier_task.await.context("the notifier task panicked")?;
    let api_result = api_task.await.context("the API task panicked")?;
    pipeline_result.context("the pipeline failed")?;
    notifier_result.context("the notifier failed")?;
    api_result.context("the API failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// The signals the service handles, installed before it is flagged ready (so that none of
/// them takes the default action, which ends the process, once it is).
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for SIGTERM or SIGINT, and names it. SIGHUP, which asks many daemons to reload
    /// their configuration, only logs that this one needs a restart for that.
    async fn termination(&mut self) -> anyhow::Result<&'static str> {
        loop {
            tokio::select! {
                _ = self.term.recv() => return Ok("SIGTERM"),
                _ = self.int.recv() => return Ok("SIGINT"),
                _ = self.hup.recv() => tracing::warn!(
                    "SIGHUP: the configuration is not reloaded; restart r53guard run to apply a change (the state in data_dir is kept)"
                ),
            }
        }
    }
}
