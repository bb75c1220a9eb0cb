import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig } from '../config';
import { ConfigError } from '../config';
import { privateJwkSchema, type PrivateJwk, type PublicJwk } from './token-settings';

/** A private signing key and the id verifiers know it by. */
export interface SigningKey {
  kid: string;
  key: KeyObject;
}

/** One kind of token's keys: the one that signs (if this process mints) and all that verify. */
export interface KeyRing {
  signing: SigningKey | null;
  /** Public keys accepted, the signing key's own included. */
  verify: PublicJwk[];
}

/** The platform's token keys: user tokens (member, partner, admin) and service tokens apart. */
export interface TokenKeys {
  user: KeyRing;
  service: KeyRing;
}

/** File under `DATA_DIR` holding the generated development keys. */
export const DEVELOPMENT_KEYS_FILE = 'auth-keys.json';

/**
 * A new key pair (ES256 on P-256, or RS256 of 2048 bits) as JWKs, written by the generation
 * itself — never exported from the key object afterwards: on Node 20 the garbage collector may
 * finalise the generation's job while its key is being exported, and the job's destructor then
 * takes the key's lock that the export holds, so the thread deadlocks for good (a CI run hung on
 * it; `generateKeyPairSync` then `export({ format: 'jwk' })` in a loop hangs within 50,000 keys,
 * this form ran 200,000).
 */
export function generateJwkPair(alg: 'ES256' | 'RS256'): { publicKey: JsonWebKey; privateKey: JsonWebKey } {
  const asJwk = { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } } as const;
  // @types/node has no overload for JWK output: the pair is plain JWK objects at run time.
  const pair: unknown =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256', ...asJwk })
      : generateKeyPairSync('rsa', { modulusLength: 2048, ...asJwk });
  return pair as { publicKey: JsonWebKey; privateKey: JsonWebKey };
}

/** A new ES256 private key as a JWK, its id made of the kind, the date and random bits. */
export function generateSigningJwk(kind: 'user' | 'service'): PrivateJwk {
  const { privateKey: jwk } = generateJwkPair('ES256');
  const kid = `${kind}-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  return privateJwkSchema.parse({ ...jwk, kid });
}

/** The public half of a private JWK. */
export function publicJwk(jwk: PrivateJwk): PublicJwk {
  const { kty, crv, kid, x, y } = jwk;
  return { kty, crv, kid, x, y };
}

function ring(signing: PrivateJwk | undefined, verify: PublicJwk[] = []): KeyRing {
  const own = signing ? [publicJwk(signing)] : [];
  // A key that does not import stops the start, not the first request.
  for (const jwk of verify) createPublicKey({ key: jwk, format: 'jwk' });
  return {
    signing: signing ? { kid: signing.kid, key: createPrivateKey({ key: signing, format: 'jwk' }) } : null,
    verify: [...own, ...verify.filter((k) => k.kid !== signing?.kid)],
  };
}

/**
 * The development keys under `DATA_DIR`, made on first use. Generated rather than derived from a
 * constant: a development install reachable from a network must not accept tokens anyone can
 * mint from the source code. Every process and the token CLI on the same `DATA_DIR` share them;
 * the file appears atomically (a hard link of a complete temporary file), so processes starting
 * together agree on one pair.
 */
function developmentKeys(dataDir: string): { user: PrivateJwk; service: PrivateJwk } {
  const file = join(dataDir, DEVELOPMENT_KEYS_FILE);
  const read = () => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { user: unknown; service: unknown };
    return { user: privateJwkSchema.parse(parsed.user), service: privateJwkSchema.parse(parsed.service) };
  };
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`${file} is not a valid key file: ${(error as Error).message}`);
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(
    temp,
    JSON.stringify({ user: generateSigningJwk('user'), service: generateSigningJwk('service') }),
    { mode: 0o600 },
  );
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return read();
}

/**
 * The keys this process signs and verifies with: the `AUTH_*KEY*` settings, or, when none is set
 * outside production, the development keys under `DATA_DIR`.
 */
export function loadTokenKeys(config: PlatformConfig): TokenKeys {
  const env = config.env;
  const configured =
    env.AUTH_SIGNING_KEY ||
    env.AUTH_VERIFY_KEYS ||
    env.AUTH_SERVICE_SIGNING_KEY ||
    env.AUTH_SERVICE_VERIFY_KEYS;
  if (!configured && !config.production) {
    const dev = developmentKeys(env.DATA_DIR);
    return { user: ring(dev.user), service: ring(dev.service) };
  }
  return {
    user: ring(env.AUTH_SIGNING_KEY, env.AUTH_VERIFY_KEYS?.keys),
    service: ring(env.AUTH_SERVICE_SIGNING_KEY, env.AUTH_SERVICE_VERIFY_KEYS?.keys),
  };
}
