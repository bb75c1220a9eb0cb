/**
 * Source process of the realtime benchmark's baseline: the same pacing as the gateway run's
 * (realtime-graph.ts), each change sent to the raw server with its entity fields known in advance.
 */
import { pace } from './realtime-source';

type Command = { type: 'load'; rate: number; seconds: number; memberIds: string[] } | { type: 'stop' };

const send = (message: unknown) => process.send?.(message);
const sequences = new Map<string, number>();
const balances = new Map<string, number>();

process.on('message', async (command: Command) => {
  if (command.type === 'load') {
    const paced = await pace(
      command,
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
      (items) => send({ type: 'batch', items }),
    );
    send({ type: 'paced', ...paced });
  } else if (command.type === 'stop') {
    send({ type: 'stopped' });
    process.exit(0);
  }
});
send({ type: 'ready' });
