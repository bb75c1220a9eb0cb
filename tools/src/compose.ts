import 'reflect-metadata';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { buildSubgraph, loadConfig, SERVICE_NAMES } from '@loyalty/platform';
import { composeSupergraph, servedSchemaSdl, SERVED_SCHEMA_PATH, SUPERGRAPH_PATH } from '@loyalty/gateway';
import { SERVICES } from '@loyalty/launcher';
import { peerClientFiles, shown, subgraphSchemas, type DerivedFile } from './peer-clients';

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

/**
 * Everything the repository derives from the subgraphs' code: the static supergraph the gateway
 * runs and the typed clients services use to call each other (generated against each subgraph's
 * whole schema, internal operations included, which is built here and not committed).
 */
export async function derivedFiles(): Promise<DerivedFile[]> {
  const supergraph = await composeFromServices();
  return [
    { path: SUPERGRAPH_PATH, content: supergraph },
    { path: SERVED_SCHEMA_PATH, content: servedSchemaSdl(supergraph) },
    ...(await peerClientFiles(await subgraphSchemas())),
  ];
}

/** The derived files whose committed copy differs from what the code derives today. */
export async function staleDerivedFiles(): Promise<string[]> {
  const files = await derivedFiles();
  return files
    .filter((f) => !existsSync(f.path) || readFileSync(f.path, 'utf8') !== f.content)
    .map((f) => shown(f.path));
}

if (require.main === module) {
  derivedFiles()
    .then((files) => {
      for (const f of files) {
        writeFileSync(f.path, f.content);
        console.log(`wrote ${shown(f.path)}`);
      }
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
