import type { MessagePort } from 'node:worker_threads';
import type { ServiceName } from '../config';

/** A GraphQL POST to a subgraph of this process: its headers (lower-case names) and JSON body. */
export interface LocalRequest {
  headers: Record<string, string>;
  body: string;
}

/** The subgraph's answer: the HTTP status it would have sent, the body as text, its `Cache-Control`. */
export interface LocalAnswer {
  status: number;
  body: string;
  /** Set when the answer may be reused (`max-age=N, public`: the same for every caller). */
  cacheControl?: string;
}

/** Answers a {@link LocalRequest} as the subgraph's `/graphql` endpoint would. */
export type LocalHandler = (request: LocalRequest) => Promise<LocalAnswer>;

/** What travels on a link's port. */
type Ask = { id: number } & LocalRequest;
type Reply = { id: number } & LocalAnswer;

/** The answer of a subgraph that is not running here (stopped, or restarting): as a refused connection. */
const NOT_SERVED: LocalAnswer = { status: 503, body: '' };

/** Longest a request over a port may wait, like an HTTP call's timeout. */
const LINK_TIMEOUT_MS = 10_000;

/** The client end of a link to a subgraph in another thread of this process. */
class PortLink {
  private next = 0;
  private closed = false;
  private readonly waiting = new Map<
    number,
    { resolve(a: LocalAnswer): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly name: ServiceName,
    private readonly port: MessagePort,
  ) {
    port.on('message', (reply: Reply) => {
      const call = this.waiting.get(reply.id);
      if (!call) return;
      this.waiting.delete(reply.id);
      clearTimeout(call.timer);
      call.resolve({ status: reply.status, body: reply.body, cacheControl: reply.cacheControl });
    });
    // The other thread stopped (its end closed): its calls will not be answered.
    port.once('close', () => this.fail('link closed'));
    // An idle link must not keep a thread alive; a pending call's timer keeps it going.
    port.unref();
  }

  readonly request: LocalHandler = (request) =>
    new Promise<LocalAnswer>((resolve, reject) => {
      if (this.closed) return reject(new Error(`${this.name}: link closed`));
      const id = this.next++;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer in ${LINK_TIMEOUT_MS} ms`));
      }, LINK_TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.port.postMessage({ id, headers: request.headers, body: request.body } satisfies Ask);
    });

  close(): void {
    this.fail('link closed');
    this.port.close();
  }

  private fail(reason: string): void {
    this.closed = true;
    for (const call of this.waiting.values()) {
      clearTimeout(call.timer);
      call.reject(new Error(`${this.name}: ${reason}`));
    }
    this.waiting.clear();
  }
}

/**
 * How the gateway and the services reach subgraphs that run in the same process (the all-in-one
 * `pnpm start`, the integration tests): instead of a loopback HTTP request (a socket write and
 * read on each side, HTTP parsing, a connection pool), the request is handed to the subgraph's own
 * handler, directly when it runs on this thread, over a `MessagePort` when it runs in another.
 * The handler is the one behind the subgraph's HTTP port (same caller verification, door,
 * context and error masking), so a request means the same whichever way it comes; subgraphs in
 * other processes are still reached over HTTP.
 */
export class LocalLinks {
  private readonly served = new Map<ServiceName, LocalHandler>();
  private readonly remote = new Map<ServiceName, PortLink>();
  private readonly accepted: MessagePort[] = [];

  /** A subgraph of this thread takes requests; returns what stops it (its `stop`). */
  serve(name: ServiceName, handler: LocalHandler): () => void {
    this.served.set(name, handler);
    return () => {
      if (this.served.get(name) === handler) this.served.delete(name);
    };
  }

  /** Requests from another thread for `name` (served on this thread) arrive on `port`. */
  accept(name: ServiceName, port: MessagePort): void {
    port.on('message', (ask: Ask) => {
      const handler = this.served.get(name);
      const answer = handler
        ? handler({ headers: ask.headers, body: ask.body })
        : Promise.resolve(NOT_SERVED);
      void answer
        // The handler answers every failure itself (a masked 500); this is the last resort.
        .catch((): LocalAnswer => ({ status: 500, body: '' }))
        .then((a) =>
          port.postMessage({
            id: ask.id,
            status: a.status,
            body: a.body,
            cacheControl: a.cacheControl,
          } satisfies Reply),
        );
    });
    port.unref();
    this.accepted.push(port);
  }

  /** `name` runs in another thread, which answers on `port`. */
  connect(name: ServiceName, port: MessagePort): void {
    this.remote.get(name)?.close();
    this.remote.set(name, new PortLink(name, port));
  }

  /** How to reach `name` in this process, if it runs here; undefined: over HTTP. */
  handler(name: ServiceName): LocalHandler | undefined {
    return this.served.get(name) ?? this.remote.get(name)?.request;
  }

  /** Closes every port (the thread is stopping). */
  close(): void {
    for (const link of this.remote.values()) link.close();
    this.remote.clear();
    for (const port of this.accepted) port.close();
    this.accepted.length = 0;
    this.served.clear();
  }
}
