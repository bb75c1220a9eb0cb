import { existsSync } from 'node:fs';
import { CONTRACT_PATH, contractBreakingChanges } from '@loyalty/tools';

import { useGraph } from './support/graph';

/**
 * The served schema (HTTP introspection of the gateway, Subscription included) must never break
 * the public contract in contract/core.graphql (the repository's copy of ../shared/contract/).
 */
describe('public contract', () => {
  const { graph } = useGraph();

  it('is in the repository', () => {
    expect(existsSync(CONTRACT_PATH)).toBe(true);
  });

  it('has no breaking change and no changed argument default', async () => {
    const changes = await contractBreakingChanges(graph().url);
    expect(changes.map((c) => `${c.type}: ${c.description}`)).toEqual([]);
  });
});
