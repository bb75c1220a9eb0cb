import { staleDerivedFiles } from '@loyalty/tools';

describe('derived graph files', () => {
  it('are what the subgraphs derive today: supergraph, subgraph schemas, typed peer clients (run `pnpm compose` when this fails)', async () => {
    expect(await staleDerivedFiles()).toEqual([]);
  });
});
