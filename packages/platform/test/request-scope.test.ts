import { createLogger, inRequestScope, QueryCounter, requestScope } from '@loyalty/platform';

describe('request scope', () => {
  it('is entered by requests only once a query counter counts, and then counts their statements only', () => {
    const counter = new QueryCounter(createLogger('test', 'silent'));
    // Nothing counts yet: requests run without the AsyncLocalStorage (no promise hooks).
    expect(inRequestScope(() => requestScope.getStore())).toBeUndefined();

    counter.reset();
    expect(inRequestScope(() => requestScope.getStore())).toEqual({});
    inRequestScope(() => counter.logQuery('SELECT 1'));
    counter.logQuery('SELECT 2'); // background work, outside any request
    inRequestScope(() => counter.logQuery('COMMIT'));
    expect(counter.total).toBe(1);
    expect(counter.roundTrips).toBe(3);
  });
});
