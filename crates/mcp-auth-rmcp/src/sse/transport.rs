//! The rmcp [`Transport`] of one SSE session: messages from `POST`s in, messages to the event
//! stream out, both through bounded channels.

use std::fmt;
use std::future::Future;

use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;

/// The event stream of the session is gone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamClosed;

impl fmt::Display for StreamClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the SSE event stream of the session is closed")
    }
}

impl std::error::Error for StreamClosed {}

/// The server side of one session.
#[derive(Debug)]
pub(super) struct SessionTransport {
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleServer>>,
    outgoing: mpsc::Sender<TxJsonRpcMessage<RoleServer>>,
}

impl SessionTransport {
    pub(super) fn new(
        incoming: mpsc::Receiver<RxJsonRpcMessage<RoleServer>>,
        outgoing: mpsc::Sender<TxJsonRpcMessage<RoleServer>>,
    ) -> Self {
        Self { incoming, outgoing }
    }
}

impl Transport<RoleServer> for SessionTransport {
    type Error = StreamClosed;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outgoing = self.outgoing.clone();
        async move { outgoing.send(item).await.map_err(|_| StreamClosed) }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleServer>>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}
