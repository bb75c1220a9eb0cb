import { z } from 'zod';
import { loadSettings, type PlatformConfig } from '@loyalty/platform';
import { corsPolicy, type CorsPolicy } from './http/cors';

/** The gateway's own settings (beyond the platform's), read once at start. */
export interface GatewayConfig {
  cors: CorsPolicy;
}

const schema = z.object({
  /**
   * Origins that browsers may call the gateway from, comma-separated (`*`: any). Unset: any
   * `http://localhost:<port>` / `http://127.0.0.1:<port>` outside production, none in production.
   */
  CORS_ORIGINS: z.string().optional(),
});

/** The gateway's settings; an invalid value stops it with a ConfigError naming the variable. */
export function loadGatewayConfig(config: PlatformConfig): GatewayConfig {
  const s = loadSettings(config, schema);
  return { cors: corsPolicy(s.CORS_ORIGINS, config.production) };
}
