import { z } from 'zod';
import { SERVICE_NAMES } from '@loyalty/platform';

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
   * Subgraphs that run in the gateway's thread rather than the main one, so the two cores carry
   * about the same load. Measured per rotating member dashboard (thread CPU time): the gateway
   * 2.2 ms, catalog 1.1 ms, referrals 0.3 ms, members, ledger and campaigns 1.8 ms; with catalog
   * and referrals beside the gateway its thread was the bottleneck (3.6 ms against 1.8 ms), with
   * referrals only the two threads take 2.4 and 2.9 ms.
   */
  GATEWAY_THREAD_SERVICES: z
    .string()
    .default('referrals')
    .transform((list) =>
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(SERVICE_NAMES))),
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
