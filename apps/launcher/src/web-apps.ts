import { existsSync } from 'node:fs';
import { WEB_DIST } from '@loyalty/web';

/**
 * The built web apps, when set-up built them (`npm run setup` does); a checkout that skipped the
 * web build still serves the graph.
 */
export function webAppsDir(): string | undefined {
  return existsSync(WEB_DIST) ? WEB_DIST : undefined;
}
