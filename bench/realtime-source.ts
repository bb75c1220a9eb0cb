/**
 * The realtime benchmark's event source, paced like the ledger's outbox relay: every 10 ms, the
 * changes committed since, in one batch. It runs in its own process (the server under test keeps
 * its core) and hands each batch to the server over IPC, as the relay hands it to the transport;
 * the commit time is taken here, at the commit, on the machine's one clock.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** A change as committed: its member, its per-member sequence, when it was committed (ms). */
export type Commit = [memberId: string, sequence: number, committedAt: number];

export interface Paced {
  published: number;
  seconds: number;
  cpuSeconds: number;
  commits: Commit[];
}

/**
 * Commits `rate` changes/s for `seconds`, picking members at random; `commit` makes one change
 * and returns what to send, `flush` sends a tick's batch.
 */
export async function pace<T>(
  o: { rate: number; seconds: number; memberIds: string[] },
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

/** Message from a source process. */
export type SourceMessage = { type: string; [k: string]: unknown };

/** Forks a source process; `onBatch` gets every batch; `ask` sends a command and awaits a reply type. */
export function forkSource(script: string, env: NodeJS.ProcessEnv, onBatch: (items: unknown[]) => void) {
  const child: ChildProcess = fork(script, [], { env });
  const waiting = new Map<string, (m: SourceMessage) => void>();
  const early = new Map<string, SourceMessage>();
  child.on('message', (m: SourceMessage) => {
    if (m.type === 'batch') return onBatch(m.items as unknown[]);
    const w = waiting.get(m.type);
    if (w) {
      waiting.delete(m.type);
      w(m);
    } else early.set(m.type, m);
  });
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`))),
  );
  exited.catch(() => undefined);
  const reply = <M extends SourceMessage>(type: string): Promise<M> => {
    const got = early.get(type);
    if (got) {
      early.delete(type);
      return Promise.resolve(got as M);
    }
    return Promise.race([new Promise<M>((r) => waiting.set(type, r as (m: SourceMessage) => void)), exited]);
  };
  return {
    reply,
    ask<M extends SourceMessage>(command: Record<string, unknown>, type: string): Promise<M> {
      const p = reply<M>(type);
      child.send(command);
      return p;
    },
    stop: () => child.kill(),
  };
}
