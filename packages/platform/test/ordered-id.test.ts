import { orderedUuid } from '@loyalty/platform';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('orderedUuid', () => {
  it('is a version-7 UUID whose first 48 bits are the milliseconds', () => {
    const at = Date.UTC(2026, 11, 2, 8, 0, 0, 123);
    const id = orderedUuid(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('keeps ids in creation order as text, within one millisecond and across many, and unique', () => {
    const ids: string[] = [];
    const start = Date.now() + 60_000;
    // 5,000 ids in one millisecond overflow the 12-bit counter: they borrow the next milliseconds.
    for (let i = 0; i < 5_000; i += 1) ids.push(orderedUuid(start));
    for (let i = 0; i < 1_000; i += 1) ids.push(orderedUuid(start + 2 + i));
    // A clock that goes back does not reorder them.
    ids.push(orderedUuid(start - 10_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(V7);
  });
});
