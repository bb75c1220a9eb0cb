import type { MessagePort } from 'node:worker_threads';
import type { ServiceName } from '@loyalty/platform';
import type { RunningGateway } from '@loyalty/gateway';

/** What a worker thread starts from (structured-cloned into the worker). */
export interface WorkerThreadData {
  /** The platform configuration's source settings: the worker loads the same configuration. */
  source: Record<string, string | undefined>;
  /** Where each subgraph really is (ephemeral ports included). */
  peers: Record<string, string>;
  /** The gateway, when this thread runs it: its port (0: a free one) and the web apps' folder. */
  gateway: { port: number; webAppsDir?: string } | null;
  /** Subgraphs that run in this thread, each on this port (0: a free one). */
  services: { name: ServiceName; port: number }[];
  /** The in-process transport's port (no Redis); absent, the thread opens its own transport. */
  events?: MessagePort;
  /** Local links (see `LocalLinks`); absent, the thread reaches every subgraph over HTTP. */
  links?: ThreadLinks;
}

/** A thread's ends of the process's local links. */
export interface ThreadLinks {
  /** Requests for subgraphs of this thread, from one other thread each. */
  accept: { name: ServiceName; port: MessagePort }[];
  /** How this thread reaches the subgraphs of other threads. */
  connect: { name: ServiceName; port: MessagePort }[];
}

export type SubgraphStats = ReturnType<RunningGateway['subgraphStats']>;

/** SQL round trips so far of each subgraph running in the thread (benchmarks). */
export type ServiceCounts = Partial<Record<ServiceName, number>>;

export type ToThread =
  | { type: 'stats'; id: number }
  | { type: 'services'; id: number; flush: boolean }
  /** Subgraphs started elsewhere after this thread (another thread's, on free ports). */
  | { type: 'peers'; peers: Record<string, string> }
  | { type: 'stop' };

export type FromThread =
  | { type: 'ready'; url: string; port: number; services: Partial<Record<ServiceName, string>> }
  | { type: 'stats'; id: number; stats: SubgraphStats }
  | { type: 'services'; id: number; counts: ServiceCounts }
  | { type: 'stopped' };
