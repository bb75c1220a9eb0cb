import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { buildSubgraph, loadConfig, SERVICE_NAMES } from '@loyalty/platform';
import { composeSupergraph, SUPERGRAPH_PATH } from '@loyalty/gateway';
import { SERVICES } from '@loyalty/launcher';

/** Composes the supergraph from every subgraph's SDL, with the default URLs (4001–4005). */
export async function composeFromServices(): Promise<string> {
  const config = loadConfig({}, {});
  const subgraphs = [];
  for (const name of SERVICE_NAMES) {
    const { sdl } = await buildSubgraph(SERVICES[name].definition.schema);
    subgraphs.push({ name, url: config.serviceUrl(name), sdl });
  }
  return `${composeSupergraph(subgraphs).trim()}\n`;
}

if (require.main === module) {
  composeFromServices()
    .then((sdl) => {
      writeFileSync(SUPERGRAPH_PATH, sdl);
      console.log(`wrote ${SUPERGRAPH_PATH}`);
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
