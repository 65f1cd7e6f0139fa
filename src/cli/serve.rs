//! `serve`: the HTTP server, with graceful shutdown on SIGTERM and Ctrl-C.
use super::SeedArgs;
use crate::config::{Config, DEMO_KEY_FILE};
use crate::seed;
use crate::storage::environments;
use anyhow::Context;

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let (_, embedded) = config.database();
    let bind = config.bind;
    let metrics_bind = config.metrics_bind;
    let mut state = crate::build(config).await?;
    if embedded {
        // Only the embedded default fills itself: a database named by DATABASE_URL is
        // never seeded except by `dam-insights seed`.
        if environments::count(&state.db).await? == 0 {
            eprintln!("the embedded database is empty: seeding the demo environment (once)…");
            let summary = seed::run(&state.db, &SeedArgs::demo()).await?;
            eprintln!("{summary}");
        }
        if let Some(demo) = environments::find_by_name(&state.db, "demo").await? {
            let path = std::path::Path::new(DEMO_KEY_FILE);
            state.demo_key = Some(super::demo_key::demo_key(&state.db, &demo, path).await?);
        }
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    eprintln!("dashboard: http://{addr}/");
    eprintln!("GraphiQL: http://{addr}/graphql");
    if let Some(key) = &state.demo_key {
        eprintln!(
            "demo API key (reports:read, admin, events:write; kept in {DEMO_KEY_FILE}), send as `Authorization: Bearer <key>`:"
        );
        eprintln!("{key}");
    }
    if let Some(metrics_bind) = metrics_bind {
        let listener = tokio::net::TcpListener::bind(metrics_bind)
            .await
            .with_context(|| format!("cannot listen on {metrics_bind} for /metrics"))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "metrics listening");
        eprintln!("metrics: http://{addr}/metrics");
        let app = crate::http::metrics_app(state.clone());
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::error!(error = %err, "the metrics server stopped");
            }
        });
    }
    crate::retention::spawn(&state);
    axum::serve(listener, crate::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the server stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}
