import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed static supergraph (`pnpm compose` writes it). */
export const SUPERGRAPH_PATH = join(__dirname, '..', 'supergraph.graphql');

/** The schema clients are served, derived from the supergraph by `pnpm compose` (web apps' codegen reads it). */
export const SERVED_SCHEMA_PATH = join(__dirname, '..', 'schema.graphql');

export function readSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}
