import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateSigningJwk, loadConfig, SERVICE_NAMES, type PlatformConfig } from '@loyalty/platform';
import { dropMysqlDatabase } from '@loyalty/platform';

/** Registers cleanup with jest's `afterAll` when running under jest. */
export function autoCleanup(fn: () => Promise<void>): void {
  const g = globalThis as { afterAll?: (fn: () => Promise<void>, timeout?: number) => void };
  if (typeof g.afterAll === 'function') g.afterAll(fn, 60_000);
}

export interface TestConfigOptions {
  /** Use Redis (REDIS_URL from the environment) instead of the in-process transport. */
  redis?: boolean;
  /** Reuse another test config's databases (e.g. a second replica of the same service). */
  sharePrefixWith?: PlatformConfig;
}

/**
 * A configuration isolated for one test file: SQLite files in a fresh temporary directory, or
 * (when MYSQL_URL is set) throwaway MySQL databases with a random prefix; both removed
 * automatically after the file's tests.
 */
export function testConfig(
  overrides: Record<string, string> = {},
  options: TestConfigOptions = {},
): PlatformConfig {
  const env = process.env;
  const prefix = options.sharePrefixWith?.env.DATABASE_PREFIX ?? `t${randomBytes(5).toString('hex')}`;
  const dataDir = options.sharePrefixWith?.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'loyalty-test-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: env.TEST_LOG_LEVEL ?? 'silent',
      DATA_DIR: dataDir,
      DATABASE_PREFIX: prefix,
      HOST: '127.0.0.1',
      MYSQL_URL: env.MYSQL_URL,
      REDIS_URL: options.redis ? env.REDIS_URL : undefined,
      REDIS_PREFIX: `test:${prefix}`,
      ...testKeys,
      OUTBOX_POLL_INTERVAL: 'PT0.5S',
      // Tests send many requests from one address; the rate limit tests turn the budgets on.
      RATE_LIMIT_ANONYMOUS: '0',
      RATE_LIMIT_PARTNER: '0',
      ...overrides,
    },
    {},
  );
  if (!options.sharePrefixWith) {
    autoCleanup(async () => {
      if (config.env.MYSQL_URL) {
        for (const s of SERVICE_NAMES)
          await dropMysqlDatabase(config.env.MYSQL_URL, `${prefix}_${s}`).catch(() => undefined);
      }
      rmSync(dataDir, { recursive: true, force: true });
    });
  }
  return config;
}

/**
 * Token keys of this test file's graphs, made once per file (as a shared secret was): every
 * configuration of the file accepts every other's tokens, as replicas of one deployment do.
 */
const testKeys = {
  AUTH_SIGNING_KEY: JSON.stringify(generateSigningJwk('user')),
  AUTH_SERVICE_SIGNING_KEY: JSON.stringify(generateSigningJwk('service')),
};

/** True when the tests run against MySQL/MariaDB rather than embedded SQLite. */
export const onMysql = (): boolean => Boolean(process.env.MYSQL_URL);

/** True when a Redis server is configured for tests (`REDIS_URL`; CI sets it). */
export const onRedis = (): boolean => Boolean(process.env.REDIS_URL);

/** The Chromium that browser tests drive: Debian's package (`.ci/run` installs it), or CHROMIUM_PATH. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests save screenshots of the main screens (`docs/screenshots`), when set. */
export const screenshotsDir = (): string | undefined => process.env.WEB_SCREENSHOTS_DIR;
