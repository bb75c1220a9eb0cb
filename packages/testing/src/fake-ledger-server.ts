import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, BadInputError, ErrorCode } from '@loyalty/platform';
import type { FakeLedger } from './fake-ledger';
import type { CreditInput, ReverseInput } from './ledger-api';

/** A {@link FakeLedger} behind HTTP, for a service's peer directory. */
export interface ServedFakeLedger {
  /** The GraphQL endpoint to give a service as its `ledger` peer. */
  url: string;
  stop(): Promise<void>;
}

/** Every field the services' ledger documents select; GraphQL clients read only theirs. */
async function answer(ledger: FakeLedger, operation: string, input: Record<string, unknown>) {
  if (operation === 'ledgerCredit') {
    const credit = await ledger.credit(input as unknown as CreditInput);
    return { id: credit.entryId, points: credit.points, expiresAt: credit.expiresAt };
  }
  // The fake reverses points; a reversal by refunded amounts would need the purchase's lots.
  if (typeof input.points !== 'number') throw new BadInputError('the fake ledger reverses points only');
  const r = await ledger.reverse(input as unknown as ReverseInput);
  return {
    entry: r.entryId ? { id: r.entryId } : null,
    requested: r.requested,
    reversed: r.reversed,
    shortfall: r.shortfall,
  };
}

/**
 * Serves `ledger`'s `ledgerCredit` and `ledgerReverse` as the ledger's internal GraphQL API does
 * (docs/internal-api.md), for whole-graph tests that need the ledger down or failing: its outage
 * and injected faults answer SERVICE_UNAVAILABLE, which callers retry, and its refusals carry
 * their error codes. Other operations are refused.
 */
export async function serveFakeLedger(ledger: FakeLedger): Promise<ServedFakeLedger> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const reply = (payload: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      const { query, variables } = JSON.parse(body) as {
        query: string;
        variables: { input: Record<string, unknown> };
      };
      const operation = /\b(ledgerCredit|ledgerReverse)\b/.exec(query)?.[1];
      if (!operation) {
        reply({ errors: [{ message: 'the fake ledger serves ledgerCredit and ledgerReverse only' }] });
        return;
      }
      answer(ledger, operation, variables.input).then(
        (result) => reply({ data: { [operation]: result } }),
        (error: unknown) => {
          const code = error instanceof AppError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
          reply({ errors: [{ message: (error as Error).message, extensions: { code } }] });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
