/**
 * The realtime benchmark's event source, paced like the ledger's outbox relay: every 10 ms, the
 * changes committed since, in one batch handed to the server, which publishes it (the relay's
 * hop onto the transport). The commit time is taken here, at the commit, on the machine's one
 * clock. A source runs in its own process (BENCH_SOURCE=process: batches over IPC, the server
 * under test alone in its process) or inside the server's (BENCH_SOURCE=inline).
 */
import { fork } from 'node:child_process';

/** A change as committed: its member, its per-member sequence, when it was committed (ms). */
export type Commit = [memberId: string, sequence: number, committedAt: number];

export interface Paced {
  published: number;
  seconds: number;
  cpuSeconds: number;
  commits: Commit[];
}

export interface Load {
  rate: number;
  seconds: number;
  memberIds: string[];
}

/**
 * Commits `rate` changes/s for `seconds`, picking members at random; `commit` makes one change
 * and returns what to send, `flush` sends a tick's batch.
 */
export async function pace<T>(
  o: Load,
  commit: (memberId: string, n: number) => { item: T; commit: Commit },
  flush: (items: T[]) => void,
): Promise<Paced> {
  const cpu = process.cpuUsage();
  const commits: Commit[] = [];
  let published = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < o.seconds * 1000) {
    const tickStart = Date.now();
    // As many changes as the rate asks for by now (a late tick publishes more at once).
    const n = Math.floor(((tickStart - t0) / 1000) * o.rate) - published;
    const items: T[] = [];
    for (let k = 0; k < n; k++) {
      const made = commit(o.memberIds[Math.floor(Math.random() * o.memberIds.length)], published);
      items.push(made.item);
      commits.push(made.commit);
      published++;
    }
    if (items.length) flush(items);
    const elapsed = Date.now() - tickStart;
    await new Promise((r) => setTimeout(r, Math.max(0, 10 - elapsed)));
  }
  const used = process.cpuUsage(cpu);
  return {
    published,
    seconds: (Date.now() - t0) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    commits,
  };
}

/** A started source: what it set up, and its paced load. */
export interface Source<R> {
  ready: R;
  load(o: Load): Promise<Paced>;
  stop(): Promise<void>;
}

export type StartSource<R> = (onBatch: (items: unknown[]) => void) => Promise<Source<R>>;

/** Serves `start` to a parent process over IPC (the script's main). */
export function serveSource<R>(start: StartSource<R>): void {
  const send = (message: unknown) => process.send?.(message);
  start((items) => send({ type: 'batch', items }))
    .then((source) => {
      process.on('message', async (command: { type: 'load'; load: Load } | { type: 'stop' }) => {
        if (command.type === 'load') send({ type: 'paced', paced: await source.load(command.load) });
        else {
          await source.stop();
          send({ type: 'stopped' });
          process.exit(0);
        }
      });
      send({ type: 'ready', ready: source.ready });
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}

/** Starts a source inline, or in its own process running `script` (which calls serveSource). */
export async function openSource<R>(
  mode: 'process' | 'inline',
  script: string,
  start: StartSource<R>,
  onBatch: (items: unknown[]) => void,
): Promise<Source<R>> {
  if (mode === 'inline') return start(onBatch);
  const child = fork(script, [], { env: process.env });
  const waiting = new Map<string, (m: Record<string, unknown>) => void>();
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`))),
  );
  exited.catch(() => undefined);
  child.on('message', (m: { type: string; items?: unknown[] }) => {
    if (m.type === 'batch') return onBatch(m.items as unknown[]);
    waiting.get(m.type)?.(m);
    waiting.delete(m.type);
  });
  const reply = (type: string) =>
    Promise.race([new Promise<Record<string, unknown>>((r) => waiting.set(type, r)), exited]);
  const ready = reply('ready');
  return {
    ready: (await ready).ready as R,
    async load(load) {
      const paced = reply('paced');
      child.send({ type: 'load', load });
      return (await paced).paced as Paced;
    },
    async stop() {
      const stopped = reply('stopped');
      child.send({ type: 'stop' });
      await stopped.catch(() => undefined);
    },
  };
}

export const sourceMode = (): 'process' | 'inline' =>
  process.env.BENCH_SOURCE === 'inline' ? 'inline' : 'process';
