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
   * Subgraphs that run in the gateway's thread rather than the main one: measured on the member
   * dashboard, the subgraphs cost twice the gateway's CPU, so a share of them evens the two cores.
   */
  GATEWAY_THREAD_SERVICES: z
    .string()
    .default('catalog,referrals')
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
