/**
 * Source of the realtime benchmark's baseline: the same pacing as the gateway run's
 * (realtime-graph.ts), each change with its entity fields known in advance.
 */
import { pace, serveSource, type StartSource } from './realtime-source';

export interface RawChange {
  memberId: string;
  change: {
    sequence: number;
    delta: number;
    balance: number;
    kind: string;
    createdAt: string;
    member: { displayName: string; tier: string };
    entry: { type: string; description: string; merchant: { name: string } };
  };
}

export const startRawSource: StartSource<Record<string, never>> = async (onBatch) => {
  const sequences = new Map<string, number>();
  const balances = new Map<string, number>();
  return {
    ready: {},
    load: (o) =>
      pace<RawChange>(
        o,
        (memberId, n) => {
          const sequence = (sequences.get(memberId) ?? 0) + 1;
          const delta = 1 + (n % 7);
          const balance = (balances.get(memberId) ?? 0) + delta;
          sequences.set(memberId, sequence);
          balances.set(memberId, balance);
          const createdAt = new Date().toISOString();
          return {
            item: {
              memberId,
              change: {
                sequence,
                delta,
                balance,
                kind: 'REGULAR',
                createdAt,
                member: { displayName: 'Member', tier: 'REGULAR' },
                entry: { type: 'EARN', description: 'Purchase', merchant: { name: `Merchant ${n % 20}` } },
              },
            },
            commit: [memberId, sequence, Date.parse(createdAt)],
          };
        },
        onBatch,
      ),
    stop: async () => undefined,
  };
};

if (require.main === module) serveSource(startRawSource);
