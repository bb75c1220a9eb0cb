import { orderedUuid } from '@loyalty/platform';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('orderedUuid', () => {
  it('is a version-7 UUID whose first 48 bits are the milliseconds', () => {
    const before = Date.now();
    const id = orderedUuid();
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(id).toMatch(V7);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('keeps ids in creation order as text, many in one millisecond, and unique', () => {
    // Far more ids than milliseconds pass: the ordering within a millisecond is what is tested.
    const ids = Array.from({ length: 20_000 }, () => orderedUuid());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(V7);
  });
});
