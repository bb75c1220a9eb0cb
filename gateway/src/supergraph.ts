import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed static supergraph (`pnpm compose` writes it). */
export const SUPERGRAPH_PATH = join(__dirname, '..', 'supergraph.graphql');

export function readSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}
