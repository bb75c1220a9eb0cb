import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Logger } from '@loyalty/platform';
import { RealtimeClose } from './limits';

export interface UpgradeOptions {
  path: string;
  maxConnections: number;
  logger: Logger;
  /** True once the server is shutting down: new connections are refused. */
  closing(): boolean;
}

/**
 * Takes the HTTP server's WebSocket upgrades on `path` into `wss`, refusing them with 503 (and
 * `Retry-After`) while shutting down or at the connection limit. Returns the remover.
 */
export function acceptUpgrades(httpServer: HttpServer, wss: WebSocketServer, o: UpgradeOptions): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n`);
    };
    if (pathname !== o.path) return refuse('404 Not Found');
    if (o.closing()) return refuse('503 Service Unavailable');
    if (wss.clients.size >= o.maxConnections) {
      o.logger.warn({ limit: o.maxConnections }, 'WebSocket connection limit reached');
      return refuse('503 Service Unavailable');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  httpServer.on('upgrade', onUpgrade);
  return () => httpServer.off('upgrade', onUpgrade);
}

/**
 * Closes every connection with 1001, which graphql-ws clients treat as retryable: they reconnect
 * (to another replica) and resume. Sockets still open after `graceMs` are terminated.
 */
export async function closeAllGoingAway(wss: WebSocketServer, graceMs = 3_000): Promise<void> {
  const open = [...wss.clients];
  const closed = Promise.all(
    open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve()))),
  );
  for (const ws of open) ws.close(RealtimeClose.GoingAway, 'Going away: gateway shutting down');
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([closed, timeout]);
  for (const ws of wss.clients) ws.terminate();
}
