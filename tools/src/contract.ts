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

/** `contract/v2.graphql`: what member apps, partner integrations and reports added (extends core). */
export const CONTRACT_V2_PATH = join(CONTRACT_DIR, 'v2.graphql');

/** Every file of the contract, read together (v2 extends core's types). */
export const CONTRACT_PATHS = [CONTRACT_PATH, CONTRACT_V2_PATH];

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
 * Breaking changes of the served schema against the contract, core and v2 together (directive
 * differences aside), plus changed defaults of arguments the contract gives a default (graphql-js
 * calls those merely "dangerous"; the contract forbids them).
 */
export async function contractBreakingChanges(
  url: string,
  contractPaths: readonly string[] = CONTRACT_PATHS,
): Promise<{ type: string; description: string }[]> {
  for (const path of contractPaths) if (!existsSync(path)) throw new Error(`contract not found at ${path}`);
  const contract = buildSchema(contractPaths.map((path) => readFileSync(path, 'utf8')).join('\n'));
  const served = await introspectServedSchema(url);
  const breaking: { type: string; description: string }[] = findBreakingChanges(contract, served).filter(
    (c: BreakingChange) => !c.type.startsWith('DIRECTIVE_'),
  );
  const defaults = findDangerousChanges(contract, served).filter(
    (c) => c.type === 'ARG_DEFAULT_VALUE_CHANGE',
  );
  return [...breaking, ...defaults];
}
