import { GraphQLError } from 'graphql';
import { createErrorFormatter, createLogger, ErrorCode, NotFoundError } from '@loyalty/platform';

const format = createErrorFormatter(createLogger('test', 'silent'));

describe('error formatting', () => {
  it('keeps the code and message of expected errors', () => {
    const e = new NotFoundError('Reward', 'r1');
    expect(format({ message: e.message, extensions: e.extensions }, e)).toEqual({
      message: 'Reward r1 not found',
      extensions: { code: ErrorCode.NOT_FOUND },
    });
  });

  it('masks unexpected errors: no SQL, no stack', () => {
    const e = new Error("ER_NO_SUCH_TABLE: Table 'loyalty.members' doesn't exist");
    const out = format(
      { message: e.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      e,
    );
    expect(out).toEqual({
      message: 'Internal server error',
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
  });

  it('reports malformed and invalid operations as BAD_USER_INPUT', () => {
    const e = new GraphQLError('Cannot query field "nope" on type "Query".');
    const out = format({ message: e.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, e);
    expect(out.extensions?.code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('relays codes from subgraphs at the gateway', () => {
    const e = new GraphQLError('Not enough points', {
      extensions: { code: 'INSUFFICIENT_POINTS', serviceName: 'ledger' },
    });
    expect(format({ message: e.message, extensions: e.extensions }, e).extensions?.code).toBe(
      'INSUFFICIENT_POINTS',
    );
  });
});
