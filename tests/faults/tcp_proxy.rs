//! The database's one stable address, as a virtual IP or HAProxy gives it:
//! a TCP proxy whose target the test moves. Moving it cuts every connection
//! it carries, as moving an address does.

use std::net::SocketAddr;

use tokio::{
    io::copy_bidirectional,
    net::{TcpListener, TcpStream},
    sync::watch,
};
use tokio_util::sync::CancellationToken;

/// A running proxy.
pub struct TcpProxy {
    /// Where clients connect.
    pub port: u16,
    target: watch::Sender<u16>,
}

impl TcpProxy {
    /// Listens on a free port and forwards to `127.0.0.1:target` until `shutdown`.
    pub async fn start(target: u16, shutdown: CancellationToken) -> anyhow::Result<TcpProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (tx, rx) = watch::channel(target);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = shutdown.cancelled() => break,
                };
                let Ok((client, _)) = accepted else { continue };
                tokio::spawn(carry(client, rx.clone()));
            }
        });
        Ok(TcpProxy { port, target: tx })
    }

    /// Sends new connections to `127.0.0.1:target` and cuts the open ones.
    pub fn move_to(&self, target: u16) {
        self.target.send_replace(target);
    }
}

async fn carry(mut client: TcpStream, mut target: watch::Receiver<u16>) {
    let port = *target.borrow_and_update();
    let Ok(mut server) = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).await else { return };
    tokio::select! {
        _ = copy_bidirectional(&mut client, &mut server) => {}
        _ = target.changed() => {}
    }
}
