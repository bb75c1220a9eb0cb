import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_DIR, SHARED_CONTRACT_DIR } from '@loyalty/tools';

/**
 * The repository keeps its own copy of the public contract so that a clone stands alone; where
 * the steering copy sits beside the repository, the two must not drift apart.
 */
describe('contract copy', () => {
  it('holds core.graphql and v2.graphql', () => {
    expect(existsSync(join(CONTRACT_DIR, 'core.graphql'))).toBe(true);
    expect(existsSync(join(CONTRACT_DIR, 'v2.graphql'))).toBe(true);
  });

  const shared = existsSync(SHARED_CONTRACT_DIR);
  (shared ? it : it.skip)('equals ../shared/contract/ file by file', () => {
    const files = readdirSync(SHARED_CONTRACT_DIR).sort();
    expect(readdirSync(CONTRACT_DIR).sort()).toEqual(files);
    for (const file of files) {
      expect({ file, text: readFileSync(join(CONTRACT_DIR, file), 'utf8') }).toEqual({
        file,
        text: readFileSync(join(SHARED_CONTRACT_DIR, file), 'utf8'),
      });
    }
  });
});
