import { z } from 'zod';
import { parseDuration } from '../time/duration';

/**
 * An EC P-256 JSON Web Key as the platform uses it for ES256: a `kid` is required, because
 * verifiers pick the key by it (several are accepted during a rotation).
 */
const ecJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().min(1).max(100),
  x: z.string().min(1),
  y: z.string().min(1),
});

/** A private key (it has `d`): only processes that mint tokens get one. */
export const privateJwkSchema = ecJwk.extend({ d: z.string().min(1) });
/** A public key: a private part in a verification set is refused (it would be handed around). */
export const publicJwkSchema = ecJwk.extend({
  d: z.undefined({ error: 'must be a public key (no "d")' }).optional(),
});
export const publicJwksSchema = z.object({ keys: z.array(publicJwkSchema).min(1) });

export type PrivateJwk = z.infer<typeof privateJwkSchema>;
export type PublicJwk = z.infer<typeof publicJwkSchema>;

/** A setting holding JSON, parsed and then validated by `schema`. */
function json<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** An empty variable (`KEY=` in a compose file) counts as unset. */
function optional<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
}

const ttl = (name: string) =>
  z.string().refine((v) => parseDuration(v) !== null, { message: `${name} must be an ISO-8601 duration` });

/**
 * Token settings, part of the platform's configuration (`config.ts`). Keys are JSON Web Keys
 * (`pnpm --silent run token keygen` prints one); see the platform README, "Tokens and keys".
 */
export const tokenSettings = {
  /** Private ES256 key that signs member, partner and admin tokens (minting processes only). */
  AUTH_SIGNING_KEY: optional(json(privateJwkSchema)),
  /** Public keys accepted for member, partner and admin tokens: the current and previous ones. */
  AUTH_VERIFY_KEYS: optional(json(publicJwksSchema)),
  /** Private ES256 key that signs service-to-service tokens (every subgraph that calls another). */
  AUTH_SERVICE_SIGNING_KEY: optional(json(privateJwkSchema)),
  /** Public keys accepted for service tokens. */
  AUTH_SERVICE_VERIFY_KEYS: optional(json(publicJwksSchema)),
  /** The operator's OpenID Connect provider: all three or none. */
  AUTH_JWKS_URL: optional(z.url()),
  AUTH_ISSUER: optional(z.string().min(1)),
  AUTH_AUDIENCE: optional(z.string().min(1)),
  /** How long fetched provider keys are used before they are fetched again. */
  AUTH_JWKS_CACHE_MAX_AGE: ttl('AUTH_JWKS_CACHE_MAX_AGE').default('PT10M'),
  /** Least time between two fetches when a token names an unknown key (bounds load on the provider). */
  AUTH_JWKS_COOLDOWN: z
    .string()
    .refine((v) => v === 'PT0S' || parseDuration(v) !== null, { message: 'an ISO-8601 duration' })
    .default('PT30S'),
  /** Longest lifetime (`exp` − `iat`) accepted for a provider's token. */
  AUTH_OIDC_MAX_TTL: ttl('AUTH_OIDC_MAX_TTL').default('PT24H'),
};

type TokenEnv = {
  NODE_ENV: string;
  AUTH_SIGNING_KEY?: PrivateJwk;
  AUTH_VERIFY_KEYS?: { keys: PublicJwk[] };
  AUTH_SERVICE_SIGNING_KEY?: PrivateJwk;
  AUTH_SERVICE_VERIFY_KEYS?: { keys: PublicJwk[] };
  AUTH_JWKS_URL?: string;
  AUTH_ISSUER?: string;
  AUTH_AUDIENCE?: string;
};

/**
 * Production needs real keys (the generated development keys live in `DATA_DIR`, next to data
 * that may be copied around); key ids must not be shared between user and service keys, since the
 * id decides which rules a token is checked by; the OIDC settings come together.
 */
export function checkTokenSettings(env: TokenEnv, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production') {
    if (!env.AUTH_SIGNING_KEY && !env.AUTH_VERIFY_KEYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_VERIFY_KEYS'],
        message: 'production needs AUTH_VERIFY_KEYS (or AUTH_SIGNING_KEY)',
      });
    }
    if (!env.AUTH_SERVICE_SIGNING_KEY && !env.AUTH_SERVICE_VERIFY_KEYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SERVICE_VERIFY_KEYS'],
        message: 'production needs AUTH_SERVICE_VERIFY_KEYS (or AUTH_SERVICE_SIGNING_KEY)',
      });
    }
  }
  const userKids = new Set([env.AUTH_SIGNING_KEY, ...(env.AUTH_VERIFY_KEYS?.keys ?? [])].map((k) => k?.kid));
  for (const key of [env.AUTH_SERVICE_SIGNING_KEY, ...(env.AUTH_SERVICE_VERIFY_KEYS?.keys ?? [])]) {
    if (key && userKids.has(key.kid)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SERVICE_VERIFY_KEYS'],
        message: `key id ${key.kid} is used for user tokens too`,
      });
    }
  }
  const oidc = [env.AUTH_JWKS_URL, env.AUTH_ISSUER, env.AUTH_AUDIENCE].filter(Boolean).length;
  if (oidc !== 0 && oidc !== 3) {
    ctx.addIssue({
      code: 'custom',
      path: ['AUTH_JWKS_URL'],
      message: 'AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE are set together',
    });
  }
}
