import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LedgerCall {
  operation: 'ledgerCredit' | 'ledgerReverse';
  input: {
    memberId: string;
    kind: string;
    points: number;
    reason: string;
    sourceType: string;
    sourceId: string;
    idempotencyKey: string;
  };
}

/**
 * Stands in for the ledger's internal API (docs/internal-api.md) while the ledger is built in
 * parallel: records each effect once per idempotency key, like the real one, and can be "down".
 */
export class FakeLedger {
  /** One entry per effect (replays of a key are not effects). */
  readonly effects: LedgerCall[] = [];
  /** Every request that reached it, replays included. */
  requests = 0;
  down = false;
  private server: Server | null = null;
  private results = new Map<string, unknown>();
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.requests++;
        if (this.down) {
          res.writeHead(503).end();
          return;
        }
        const { query, variables } = JSON.parse(body) as {
          query: string;
          variables: { input: LedgerCall['input'] };
        };
        const operation = query.includes('ledgerReverse') ? 'ledgerReverse' : 'ledgerCredit';
        const input = variables.input;
        let result = this.results.get(input.idempotencyKey);
        if (!result) {
          this.effects.push({ operation, input });
          const entry = { id: `entry-${this.effects.length}` };
          result = operation === 'ledgerCredit' ? entry : { reversed: input.points, shortfall: 0, entry };
          this.results.set(input.idempotencyKey, result);
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { [operation]: result } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
    return this.url;
  }

  /** Net points per member (credits minus reversals). */
  balance(memberId: string): number {
    return this.effects
      .filter((e) => e.input.memberId === memberId)
      .reduce((sum, e) => sum + (e.operation === 'ledgerCredit' ? e.input.points : -e.input.points), 0);
  }

  forMember(memberId: string): LedgerCall[] {
    return this.effects.filter((e) => e.input.memberId === memberId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
