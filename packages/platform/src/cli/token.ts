/* Prints a JWT the running platform accepts: `pnpm --silent run token admin|partner <merchantId>|member <memberId>`. */
import { TokenService } from '../auth/jwt';
import { loadConfig } from '../config';

const [role, id] = process.argv.slice(2);
const tokens = new TokenService(loadConfig().env.AUTH_JWT_SECRET);
const usage = 'usage: pnpm --silent run token admin | partner <merchantId> | member <memberId>';

if (role === 'admin') console.log(tokens.sign({ role: 'admin', sub: id ?? 'admin' }));
else if (role === 'partner' && id)
  console.log(tokens.sign({ role: 'partner', sub: `partner:${id}`, merchantId: id }));
else if (role === 'member' && id) console.log(tokens.sign({ role: 'member', sub: id }));
else {
  console.error(usage);
  process.exit(2);
}
