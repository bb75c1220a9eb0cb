/* `pnpm contract`: starts the graph on free ports and lists breaking changes against the contract. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@loyalty/platform';
import { contractBreakingChanges, CONTRACT_PATHS } from './contract';
import { startGraph } from '@loyalty/launcher';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'loyalty-contract-'));
  const graph = await startGraph({
    config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', MYSQL_URL: undefined, REDIS_URL: undefined }),
    ephemeralPorts: true,
  });
  try {
    const changes = await contractBreakingChanges(graph.url);
    console.log(`Contract: ${CONTRACT_PATHS.join(' + ')}`);
    for (const c of changes) console.log(`- ${c.type}: ${c.description}`);
    console.log(`${changes.length} breaking change(s) against the contract.`);
  } finally {
    await graph.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
