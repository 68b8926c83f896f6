//! What conn_serv counts: clients held, accepted and refused, frames and
//! bytes each way, and the clients closed for reading too slowly. Handles
//! are registered once at start and shared by every client task.

use schat_runtime::stats::{Counter, Gauge, Stats};

#[derive(Clone, Debug, Default)]
pub struct ConnMetrics {
    pub clients: Gauge,
    pub accepted: Counter,
    pub refused: Counter,
    pub frames_in: Counter,
    pub frames_out: Counter,
    pub bytes_in: Counter,
    pub bytes_out: Counter,
    /// Clients closed TOO_SLOW.
    pub slow_clients: Counter,
}

impl ConnMetrics {
    pub fn register(stats: &Stats) -> ConnMetrics {
        ConnMetrics {
            clients: stats.gauge("clients", "Client connections held."),
            accepted: stats.counter(
                "clients_accepted_total",
                "Client connections taken (under every cap).",
            ),
            refused: stats.counter(
                "clients_refused_total",
                "Client connections turned away: a cap, the logic_serv down, or draining.",
            ),
            frames_in: stats.counter("client_frames_in_total", "Frames read from clients."),
            frames_out: stats.counter(
                "client_frames_out_total",
                "Frames queued to clients (answers, pushes, notices).",
            ),
            bytes_in: stats.counter("client_bytes_in_total", "Frame bytes read from clients."),
            bytes_out: stats.counter("client_bytes_out_total", "Frame bytes queued to clients."),
            slow_clients: stats.counter(
                "client_queue_drops_total",
                "Clients closed TOO_SLOW because their send queue was full.",
            ),
        }
    }
}
