import { z } from 'zod';
import { durationMs, durationOrZeroMs, parseDuration, requireDuration } from './time/duration';
import { checkTokenSettings, tokenSettings } from './auth/token-settings';

/** The five subgraphs, in port order (gateway port + 1 … + 5). */
export const SERVICE_NAMES = ['members', 'ledger', 'catalog', 'campaigns', 'referrals'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Setting types shared by the platform's and every service's schema. */
export const setting = {
  /** An ISO-8601 duration such as `PT15M` or `P30D`, kept as text (parse with `requireDuration`). */
  duration: (name: string) =>
    z.string().refine((v) => parseDuration(v) !== null, { message: `${name} must be an ISO-8601 duration` }),
  /** An ISO-8601 duration, or `NEVER`. */
  durationOrNever: () =>
    z.string().refine((v) => v === 'NEVER' || parseDuration(v) !== null, {
      message: 'an ISO-8601 duration or NEVER',
    }),
  /** An ISO-8601 duration where zero (`PT0S`) turns something off (read with `durationOrZeroMs`). */
  durationOrZero: (name: string) =>
    z.string().refine((v) => durationOrZeroMs(v) !== null, {
      message: `${name} must be an ISO-8601 duration (PT0S: off)`,
    }),
  port: () => z.coerce.number().int().min(0).max(65535),
  /** A whole number from 0 to 10^9. */
  count: () => z.coerce.number().int().min(0).max(1_000_000_000),
  /** A number within [min, max]. */
  number: (min: number, max: number) => z.coerce.number().min(min).max(max),
};

/** True for a time zone name the runtime knows (e.g. `Asia/Shanghai`, `UTC`). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const duration = setting.duration;
const durationOrNever = setting.durationOrNever();
const port = setting.port();

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().min(1).default('./data'),
    GATEWAY_PORT: port.default(4000),
    HOST: z.string().default('0.0.0.0'),
    MEMBERS_PORT: port.optional(),
    LEDGER_PORT: port.optional(),
    CATALOG_PORT: port.optional(),
    CAMPAIGNS_PORT: port.optional(),
    REFERRALS_PORT: port.optional(),
    MEMBERS_URL: z.url().optional(),
    LEDGER_URL: z.url().optional(),
    CATALOG_URL: z.url().optional(),
    CAMPAIGNS_URL: z.url().optional(),
    REFERRALS_URL: z.url().optional(),
    MYSQL_URL: z.url().optional(),
    MEMBERS_DATABASE_URL: z.url().optional(),
    LEDGER_DATABASE_URL: z.url().optional(),
    CATALOG_DATABASE_URL: z.url().optional(),
    CAMPAIGNS_DATABASE_URL: z.url().optional(),
    REFERRALS_DATABASE_URL: z.url().optional(),
    DATABASE_PREFIX: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,40}$/, 'lower-case letters, digits and _')
      .default('loyalty'),
    REDIS_URL: z.url().optional(),
    REDIS_PREFIX: z.string().min(1).default('loyalty'),
    POINTS_VALIDITY: durationOrNever.default('P1Y'),
    EXPIRY_WARNING_LEADS: z
      .string()
      .default('P30D,P7D,P1D')
      .refine((v) => v.split(',').every((d) => parseDuration(d.trim()) !== null), {
        message: 'comma-separated ISO-8601 durations',
      }),
    EXPIRY_SWEEP_INTERVAL: duration('EXPIRY_SWEEP_INTERVAL').default('PT1M'),
    OUTBOX_POLL_INTERVAL: duration('OUTBOX_POLL_INTERVAL').default('PT1S'),
    /**
     * How often a background thread copies an SQLite database's write-ahead log into its file
     * (a passive checkpoint; see db/sqlite-checkpointer.ts). NEVER: only inside commits, as SQLite
     * does by default.
     */
    SQLITE_CHECKPOINT_INTERVAL: durationOrNever.default('PT0.1S'),
    ...tokenSettings,
    /** Subgraphs are reached only through the gateway and by each other: loopback unless told. */
    SUBGRAPH_HOST: z.string().default('127.0.0.1'),
    /** Bearer token `/metrics` asks for; unset: metrics are not served over HTTP. */
    METRICS_TOKEN: z.string().min(16).optional(),
    /** Longest a GraphQL query may run on a subgraph. */
    GRAPHQL_EXECUTION_TIMEOUT: duration('GRAPHQL_EXECUTION_TIMEOUT').default('PT10S'),
    /** How long a process reuses a partner API key lookup (a revoked key is refused within 5 s). */
    API_KEY_CACHE_TTL: duration('API_KEY_CACHE_TTL')
      .refine(
        (v) => {
          // An invalid duration is reported by the check above.
          const d = parseDuration(v);
          return d === null || durationMs(d) <= 4000;
        },
        { message: 'at most PT4S' },
      )
      .default('PT3S'),
    PROGRAMME_TIME_ZONE: z
      .string()
      .default('Asia/Shanghai')
      .refine(isTimeZone, { message: 'an IANA time zone such as Asia/Shanghai' }),
  })
  .superRefine(checkTokenSettings);

/** Raw, validated settings as they come from the environment. */
export type PlatformEnv = z.infer<typeof envSchema>;

/** Typed platform configuration, shared by the gateway and every service. */
export interface PlatformConfig {
  env: PlatformEnv;
  /**
   * Every variable this configuration was loaded from (the environment with overrides applied),
   * for the services' own settings: read them with {@link loadSettings}, never `process.env`.
   */
  source: Readonly<Record<string, string | undefined>>;
  production: boolean;
  /** Port a service listens on by default (gateway port + 1…5 unless `<SERVICE>_PORT`). */
  servicePort(service: ServiceName): number;
  /** Where a service's subgraph is reached by default (`<SERVICE>_URL` overrides). */
  serviceUrl(service: ServiceName): string;
  /** TypeORM connection target of a service: embedded SQLite or a MySQL database. */
  database(service: ServiceName): DatabaseTarget;
}

export type DatabaseTarget =
  | {
      kind: 'sqlite';
      file: string;
      /** Background checkpoint interval; null: checkpoints run only inside commits. */
      checkpointIntervalMs: number | null;
    }
  | { kind: 'mysql'; serverUrl: string; database: string };

/** Thrown at start when a setting is invalid: the process must not run half-configured. */
export class ConfigError extends Error {}

/**
 * Reads and validates the environment once. Pass `overrides` (tests, the all-in-one launcher)
 * instead of mutating `process.env`.
 */
export function loadConfig(
  overrides: Record<string, string | undefined> = {},
  source = process.env,
): PlatformConfig {
  const merged = { ...source, ...overrides };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${details}`);
  }
  const env = parsed.data;
  const upper = (s: ServiceName) => s.toUpperCase() as Uppercase<ServiceName>;
  const checkpointIntervalMs =
    env.SQLITE_CHECKPOINT_INTERVAL === 'NEVER'
      ? null
      : Math.max(1, Math.round(durationMs(requireDuration(env.SQLITE_CHECKPOINT_INTERVAL))));
  const servicePort = (service: ServiceName): number =>
    env[`${upper(service)}_PORT`] ?? env.GATEWAY_PORT + 1 + SERVICE_NAMES.indexOf(service);
  return {
    env,
    source: Object.freeze({ ...merged }),
    production: env.NODE_ENV === 'production',
    servicePort,
    serviceUrl: (service) =>
      env[`${upper(service)}_URL`] ?? `http://localhost:${servicePort(service)}/graphql`,
    database(service) {
      const own = env[`${upper(service)}_DATABASE_URL`];
      if (own) {
        const url = new URL(own);
        const database = url.pathname.replace(/^\//, '') || `${env.DATABASE_PREFIX}_${service}`;
        url.pathname = '/';
        return { kind: 'mysql', serverUrl: url.toString(), database };
      }
      if (env.MYSQL_URL) {
        return { kind: 'mysql', serverUrl: env.MYSQL_URL, database: `${env.DATABASE_PREFIX}_${service}` };
      }
      return {
        kind: 'sqlite',
        file: `${env.DATA_DIR}/${env.DATABASE_PREFIX}_${service}.sqlite`,
        checkpointIntervalMs,
      };
    },
  };
}

/**
 * A service's own settings, validated with its zod schema against the same variables as the
 * platform's (overrides included). Call it once at start, from the service's `src/config.ts`:
 * an invalid value stops the service with a {@link ConfigError} naming the variable.
 */
export function loadSettings<S extends z.ZodType>(config: PlatformConfig, schema: S): z.infer<S> {
  const parsed = schema.safeParse(config.source);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${details}`);
  }
  return parsed.data;
}
