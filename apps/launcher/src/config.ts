import { z } from 'zod';
import { SERVICE_NAMES } from '@loyalty/platform';

const schema = z.object({
  /** One process per service (docker-compose) or, unset, everything in one process. */
  TARGET: z.enum([...SERVICE_NAMES, 'gateway', 'all']).default('all'),
});

/** The launcher's own setting; everything else is the platform configuration. */
export function loadLauncherConfig(source = process.env) {
  const parsed = schema.safeParse(source);
  if (!parsed.success)
    throw new Error(`Invalid TARGET: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
