import { readFileSync } from 'node:fs';
import { SUPERGRAPH_PATH } from '@loyalty/gateway';
import { composeFromServices } from '@loyalty/tools';

describe('static supergraph', () => {
  it('is what the subgraphs compose to today (run `pnpm compose` when this fails)', async () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(await composeFromServices());
  });
});
