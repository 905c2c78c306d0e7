//! The service: restores the state, then runs the pipeline, the notifier loop and the API
//! until SIGTERM or SIGINT, and shuts down in order: intake stops and its last batch is
//! committed, the notifier finishes its current send, the API answers what is in flight.

use crate::config::{Config, SourceConfig};
use crate::directory::DirectorySource;
use crate::feed::Feeder;
use crate::pipeline::{Pipeline, Source, Tracked, now_ms};
use crate::ruleset::Rules;
use crate::stdin::StdinSource;
use anyhow::Context;
use r53guard_api::{ApiState, Metrics, router, serve};
use r53guard_store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    let metrics = Arc::new(Metrics::new());
    let object_metrics = crate::object_sources::metrics(&config, &metrics)?;
    let mut sources = Vec::new();
    let mut poll_interval: Option<Duration> = None;
    for s in &config.sources {
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
    let pipeline = Pipeline {
        feeder: Feeder::new(engine, Arc::clone(&metrics)),
        store,
        sources,
        routes,
        metrics: Arc::clone(&metrics),
        poll_interval: poll_interval.unwrap_or(STDIN_POLL),
    };

    let api = ApiState::new(
        Store::open(&config.data_dir)?,
        token,
        rules.info(),
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
    api.set_ready(true);
    tracing::info!("ready");

    let early = tokio::select! {
        signal = termination() => {
            tracing::info!(signal = signal?, "shutting down");
            None
        }
        ended = &mut pipeline_task => Some(ended),
    };
    api.set_ready(false);
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

/// Waits for SIGTERM or SIGINT, and names it.
async fn termination() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    })
}
