/*
 * Prints a JWT the running platform accepts: `pnpm --silent run token admin | partner <merchantId>
 * | member <memberId>`, signed with AUTH_SIGNING_KEY or, in development, the keys under DATA_DIR
 * (made on first use, shared with `pnpm start`). For key rotation: `keygen user|service` prints a
 * new key pair, `jwks user|service` the public keys verifiers accept.
 */
import { generateSigningJwk, publicJwk } from '../auth/keys';
import { TokenService } from '../auth/jwt';
import { loadConfig } from '../config';

const usage = [
  'usage: pnpm --silent run token admin | partner <merchantId> | member <memberId>',
  '       pnpm --silent run token keygen user|service   (a new key pair: {"private": JWK, "public": JWK})',
  '       pnpm --silent run token jwks user|service     (the accepted public keys, JSON)',
].join('\n');

async function main(args: string[]): Promise<string | null> {
  const [command, arg] = args;
  const kind = arg === 'user' || arg === 'service' ? arg : null;
  if (command === 'keygen' && kind) {
    const key = generateSigningJwk(kind);
    return JSON.stringify({ private: key, public: publicJwk(key) });
  }
  const tokens = TokenService.fromConfig(loadConfig());
  if (command === 'jwks' && kind)
    return JSON.stringify(kind === 'user' ? tokens.userJwks : tokens.serviceJwks);
  if (command === 'admin') return tokens.sign({ role: 'admin', sub: arg ?? 'admin' });
  if (command === 'partner' && arg)
    return tokens.sign({ role: 'partner', sub: `partner:${arg}`, merchantId: arg });
  if (command === 'member' && arg) return tokens.sign({ role: 'member', sub: arg });
  return null;
}

main(process.argv.slice(2)).then(
  (out) => {
    if (out === null) {
      console.error(usage);
      process.exitCode = 2;
    } else {
      console.log(out);
    }
  },
  (error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  },
);
