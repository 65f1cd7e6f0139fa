//! `/graphql/ws`: GraphQL over WebSocket with the graphql-transport-ws protocol (what the
//! `graphql-ws` library, Apollo Client and urql speak). The key comes in
//! `connection_init`'s payload (`{"Authorization": "Bearer <key>"}`), is checked there
//! and scopes every operation of the connection like a request's; it is checked again
//! every few seconds, and the connection closed (4403) once it is revoked. A connection
//! that holds no subscription and sends nothing for `limits.subscriptionIdleSeconds` is
//! closed (4408).
use super::AppState;
use crate::graphql::context::Auth;
use crate::graphql::limits::{CostMeter, RateKey};
use crate::live::ConnectionCount;
use crate::storage::keys;
use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket as GraphqlWebSocket, WsMessage};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often a connection's key is checked again.
const RECHECK: Duration = Duration::from_secs(2);

/// GET /graphql/ws: the WebSocket upgrade, for a protocol the server speaks.
pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let protocol = headers
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|list| list.split(',').find_map(|p| p.trim().parse().ok()));
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "ask for the graphql-transport-ws protocol (Sec-WebSocket-Protocol: graphql-transport-ws)",
        )
            .into_response();
    };
    ws.protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(socket, state, protocol))
}

/// The token of `connection_init`'s payload: `Authorization: Bearer <key>` (any case).
fn token(payload: &serde_json::Value) -> Option<String> {
    let obj = payload.as_object()?;
    let value = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?
        .1
        .as_str()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

async fn serve(
    socket: WebSocket,
    state: AppState,
    protocol: async_graphql::http::WebSocketProtocols,
) {
    let (mut sink, mut incoming) = socket.split();
    let (to_graphql, from_client) = futures::channel::mpsc::unbounded::<Vec<u8>>();
    let subscriptions = ConnectionCount::default();
    let accepted: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let refused = Arc::new(AtomicBool::new(false));
    let init = {
        let (state, subscriptions, accepted) =
            (state.clone(), subscriptions.clone(), accepted.clone());
        let refused = refused.clone();
        move |payload: serde_json::Value| async move {
            let unauthenticated = || {
                refused.store(true, Ordering::Relaxed);
                async_graphql::Error::new(
                    "connection_init needs the key: {\"Authorization\": \"Bearer <key>\"}, a key that is known and not revoked",
                )
            };
            let token = token(&payload).ok_or_else(unauthenticated)?;
            let caller = keys::authenticate(&state.db, &token)
                .await
                .map_err(|_| unauthenticated())?;
            *accepted.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
            let mut data = Data::default();
            data.insert(RateKey(caller.key_id.clone()));
            data.insert(Arc::new(CostMeter::default()));
            data.insert(subscriptions);
            data.insert(Auth::Caller(caller));
            Ok(data)
        }
    };
    let mut outgoing = GraphqlWebSocket::new(state.schema.clone(), from_client, protocol)
        .on_connection_init(init)
        .keepalive_timeout(None);
    let idle = state.live.limits.idle;
    let mut last_heard = Instant::now();
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    let close = |code: u16, reason: &str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        }))
    };
    loop {
        let idle_left = idle.saturating_sub(last_heard.elapsed());
        tokio::select! {
            message = incoming.next() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        if to_graphql.unbounded_send(text.as_bytes().to_vec()).is_err() {
                            break;
                        }
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        if to_graphql.unbounded_send(bytes.to_vec()).is_err() {
                            break;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                }
            }
            message = outgoing.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    // A refused key is 4403 Forbidden, as graphql-transport-ws says.
                    let code = if refused.load(Ordering::Relaxed) { 4403 } else { code };
                    let _ = sink.send(close(code, &reason)).await;
                    break;
                }
                None => break,
            },
            _ = tokio::time::sleep(idle_left) => {
                if subscriptions.0.load(Ordering::Relaxed) == 0 && last_heard.elapsed() >= idle {
                    let _ = sink.send(close(4408, "idle: no subscription and nothing sent")).await;
                    break;
                }
                last_heard = Instant::now();
            }
            _ = recheck.tick() => {
                let token = accepted.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if let Some(token) = token
                    && let Err(crate::error::AppError::Unauthenticated(_)) = keys::authenticate(&state.db, &token).await
                {
                    let _ = sink.send(close(4403, "the key was revoked")).await;
                    break;
                }
            }
        }
    }
}
