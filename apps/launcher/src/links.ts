import { MessageChannel } from 'node:worker_threads';
import { LocalLinks, type ServiceName } from '@loyalty/platform';
import type { ThreadLinks } from './worker-thread.protocol';

/**
 * The ends of the process's local links for threads hosting these subgraphs (the main thread
 * first): each subgraph is reachable from every other thread over a channel of its own, so one
 * thread's requests never queue behind another's on a shared port.
 */
export function planLinks(threads: readonly (readonly ServiceName[])[]): ThreadLinks[] {
  const plan: ThreadLinks[] = threads.map(() => ({ accept: [], connect: [] }));
  threads.forEach((hosted, t) => {
    for (const name of hosted)
      threads.forEach((_, u) => {
        if (u === t) return;
        const { port1, port2 } = new MessageChannel();
        plan[t].accept.push({ name, port: port2 });
        plan[u].connect.push({ name, port: port1 });
      });
  });
  return plan;
}

/** A thread's links: its own subgraphs (once they serve) and its ends of the plan. */
export function linksOf(ends: ThreadLinks): LocalLinks {
  const links = new LocalLinks();
  for (const { name, port } of ends.accept) links.accept(name, port);
  for (const { name, port } of ends.connect) links.connect(name, port);
  return links;
}
