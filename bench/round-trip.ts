/**
 * What one MySQL round trip costs on this machine, back to back and after the client has worked
 * for a while (a statement that does nothing, `DO 0`, on one connection). The second is what a
 * lone ledger earn pays for its first text: the process computes for a few hundred microseconds
 * before it (validation, the request's hash, the transaction's start), the server's thread goes
 * idle, and waking it (and then the client) costs far more on some virtual machines than on
 * others. Its second text follows about 100 µs of client work (measured by timing the
 * pipeline's texts, docs/benchmark-log.md, 22:10 UTC), the raw earn's six go back to back.
 * Printed beside the ledger bench's MySQL table, so a ratio at one writer can be read against
 * the machine it was measured on.
 */
import { createConnection } from 'mysql2/promise';
import { median } from './stats';

/** Client work before a round trip, about what a lone ledger earn computes before its first. */
const GAP_MICROS = 300;

const spin = (micros: number) => {
  const until = process.hrtime.bigint() + BigInt(micros * 1000);
  while (process.hrtime.bigint() < until);
};

/** Microseconds per round trip over `count` of them, after `gap` µs of client work each. */
async function perTrip(query: () => Promise<unknown>, count: number, gap: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    if (gap) spin(gap);
    await query();
  }
  return Number(process.hrtime.bigint() - started) / 1000 / count - gap;
}

/** Microseconds per round trip: back to back, and after {@link GAP_MICROS} of client work. */
export interface RoundTripCost {
  backToBack: number;
  afterWork: number;
}

/** Median round-trip times over interleaved rounds. */
export async function roundTripCost(url: string, rounds = 5, count = 500): Promise<RoundTripCost> {
  const connection = await createConnection({ uri: url });
  try {
    const query = () => connection.query('DO 0');
    await perTrip(query, count, 0);
    const backToBack: number[] = [];
    const afterWork: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      backToBack.push(await perTrip(query, count, 0));
      afterWork.push(await perTrip(query, count, GAP_MICROS));
    }
    return { backToBack: median(backToBack), afterWork: median(afterWork) };
  } finally {
    await connection.end();
  }
}

/** The line the ledger bench prints. */
export function roundTripLine(cost: RoundTripCost): string {
  return (
    `one MySQL round trip on this machine: ${cost.backToBack.toFixed(0)} µs back to back, ` +
    `${cost.afterWork.toFixed(0)} µs after ${GAP_MICROS} µs of client work (a lone ledger earn pays the second once, then about the first)`
  );
}
