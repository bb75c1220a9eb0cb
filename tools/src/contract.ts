import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  getIntrospectionQuery,
  type BreakingChange,
  type IntrospectionQuery,
} from 'graphql';

/** The repository's own copy of the public contract (`contract/`), so a clone stands alone. */
export const CONTRACT_DIR = join(__dirname, '..', '..', 'contract');

/** `contract/core.graphql`: the schema clients rely on; the served schema must never break it. */
export const CONTRACT_PATH = join(CONTRACT_DIR, 'core.graphql');

/**
 * The steering copy (`../shared/contract/` beside the repository) where one exists: the
 * repository's copy must stay identical to it.
 */
export const SHARED_CONTRACT_DIR = join(CONTRACT_DIR, '..', '..', 'shared', 'contract');

/** Fetches the schema a client sees: HTTP introspection of the gateway. */
export async function introspectServedSchema(url: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await res.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection failed: ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

/**
 * Breaking changes of the served schema against the contract (directive differences aside),
 * plus changed defaults of arguments the contract gives a default (graphql-js calls those
 * merely "dangerous"; the contract forbids them).
 */
export async function contractBreakingChanges(
  url: string,
  contractPath = CONTRACT_PATH,
): Promise<{ type: string; description: string }[]> {
  if (!existsSync(contractPath)) throw new Error(`contract not found at ${contractPath}`);
  const contract = buildSchema(readFileSync(contractPath, 'utf8'));
  const served = await introspectServedSchema(url);
  const breaking: { type: string; description: string }[] = findBreakingChanges(contract, served).filter(
    (c: BreakingChange) => !c.type.startsWith('DIRECTIVE_'),
  );
  const defaults = findDangerousChanges(contract, served).filter(
    (c) => c.type === 'ARG_DEFAULT_VALUE_CHANGE',
  );
  return [...breaking, ...defaults];
}
