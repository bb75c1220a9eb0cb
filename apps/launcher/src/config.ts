import { z } from 'zod';
import { SERVICE_NAMES } from '@loyalty/platform';
import type { GraphOptions } from './graph';

const schema = z.object({
  /** One process per service (docker-compose) or, unset, everything in one process. */
  TARGET: z.enum([...SERVICE_NAMES, 'gateway', 'all']).default('all'),
  /**
   * With TARGET=all: the gateway in a worker thread of its own, so the gateway and the
   * subgraphs each have a core (`false`: everything on one thread, as before).
   */
  GATEWAY_THREAD: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * Subgraphs that run in the gateway's thread rather than the main one. Measured per rotating
   * member dashboard (thread CPU time): the gateway 2.2 ms, catalog 1.1 ms, referrals 0.3 ms,
   * members, ledger and campaigns 1.8 ms; with catalog and referrals beside the gateway its
   * thread was the bottleneck (3.6 ms against 1.8 ms). Default none: the gateway has its thread
   * to itself and the ledger's writes go to SERVICE_THREADS.
   */
  GATEWAY_THREAD_SERVICES: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(SERVICE_NAMES))),
  /**
   * With TARGET=all and GATEWAY_THREAD: subgraphs that run in worker threads of their own, one
   * thread per comma-separated group, `+` joining subgraphs that share one (`ledger`,
   * `ledger,campaigns+catalog`); empty: none. A subgraph named here is not in the gateway's thread.
   * Default: the ledger and referrals beside the main thread's members, catalog and campaigns, so
   * that a purchase's three subgraphs (campaigns, ledger, referrals on its events) and the gateway
   * use both cores; see services/ledger/README.md (purchase results) for the placements measured.
   */
  SERVICE_THREADS: z
    .string()
    .default('ledger+referrals')
    .transform((list) =>
      list
        .split(',')
        .map((group) =>
          group
            .split('+')
            .map((s) => s.trim())
            .filter(Boolean),
        )
        .filter((group) => group.length > 0),
    )
    .pipe(z.array(z.array(z.enum(SERVICE_NAMES)).min(1)))
    .refine((groups) => new Set(groups.flat()).size === groups.flat().length, {
      message: 'a subgraph can run in one thread only',
    }),
  /**
   * With TARGET=all: the gateway and the services reach the subgraphs of this process by handing
   * the request to the subgraph's handler (directly on its thread, over a MessagePort from
   * another) instead of loopback HTTP (`false`: HTTP, as separate processes do). Subgraph ports
   * keep serving HTTP either way.
   */
  LOCAL_LINKS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

export type LauncherConfig = z.output<typeof schema>;

/** The launcher's own settings; everything else is the platform configuration. */
export function loadLauncherConfig(source: Record<string, string | undefined> = process.env): LauncherConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success)
    throw new Error(
      `Invalid launcher configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Where `pnpm start` runs the gateway and each subgraph (its threads), from the launcher's settings. */
export function placementOf(
  config: LauncherConfig,
): Required<Pick<GraphOptions, 'gatewayThread' | 'threadServices' | 'serviceThreads' | 'localLinks'>> {
  return {
    localLinks: config.LOCAL_LINKS,
    gatewayThread: config.GATEWAY_THREAD,
    threadServices: config.GATEWAY_THREAD_SERVICES,
    // GATEWAY_THREAD=false is everything on one thread.
    serviceThreads: config.GATEWAY_THREAD ? config.SERVICE_THREADS : [],
  };
}
