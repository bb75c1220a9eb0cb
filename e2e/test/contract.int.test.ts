import { existsSync } from 'node:fs';
import { CONTRACT_PATHS, contractBreakingChanges } from '@loyalty/tools';

import { useGraph } from './support/graph';

/**
 * The served schema (HTTP introspection of the gateway, Subscription included) must never break
 * the public contract: contract/core.graphql and contract/v2.graphql read together (the
 * repository's copy of ../shared/contract/).
 */
describe('public contract', () => {
  const { graph } = useGraph();

  it('is in the repository', () => {
    for (const path of CONTRACT_PATHS) expect(existsSync(path)).toBe(true);
  });

  it('has no breaking change and no changed argument default', async () => {
    const changes = await contractBreakingChanges(graph().url);
    expect(changes.map((c) => `${c.type}: ${c.description}`)).toEqual([]);
  });
});
