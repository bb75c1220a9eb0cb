/**
 * The purchase benchmark's clients (purchase.bench.ts), in a process of their own so that the
 * platform's threads do not also run the load: asked `run` with the graph's URL, a partner token,
 * the merchant, the members and how many clients for how long, it records purchases (the bench's
 * typical order: three awards), or only previews them (`preview`), on keep-alive connections and
 * answers with how many it did, the rate, every latency and the CPU it used itself.
 */
import { Agent } from 'node:http';
import { post } from './http';
import { orderVariables, PREVIEW, RECORD } from './purchase-order';
import { forDuration } from './stats';

interface RunRequest {
  type: 'run';
  url: string;
  token: string;
  merchant: string;
  members: string[];
  clients: number;
  seconds: number;
  /** `previewPurchase` instead of `recordPurchase`: the same request, nothing written. */
  preview?: boolean;
}

/** The answer to `run`: purchases done, their rate, every latency (ms), errors, the CPU this process used (ms). */
export interface LoadResult {
  done: number;
  rate: number;
  latencies: number[];
  errors: number;
  cpuMs: number;
  /** Set instead when the load itself failed. */
  failed?: string;
}

const send = (message: unknown) => process.send?.(message);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
// Unique across runs of this process: the order id is the purchase's idempotency key.
const orderPrefix = `bench-${process.pid}-${Date.now()}`;
let order = 0;

async function runLoad(r: RunRequest): Promise<LoadResult> {
  const url = new URL(r.url);
  const latencies: number[] = [];
  let errors = 0;
  const cpu = process.cpuUsage();
  const result = await forDuration(r.clients, r.seconds, async () => {
    const started = process.hrtime.bigint();
    const member = r.members[Math.floor(Math.random() * r.members.length)];
    const body = JSON.stringify({
      query: r.preview ? PREVIEW : RECORD,
      variables: orderVariables(r.merchant, `${orderPrefix}-${++order}`, member),
    });
    const res = await post(agent, url, body, r.token);
    if (res.errors || !res.data) errors += 1;
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  });
  const used = process.cpuUsage(cpu);
  return { ...result, latencies, errors, cpuMs: (used.user + used.system) / 1000 };
}

process.on('message', (m: RunRequest | { type: 'stop' }) => {
  if (m.type === 'run') {
    runLoad(m).then(
      (result) => send({ type: 'run', ...result }),
      (error: unknown) => send({ type: 'run', failed: String(error) }),
    );
  } else if (m.type === 'stop') {
    agent.destroy();
    send({ type: 'stopped' });
    process.exit(0);
  }
});
send({ type: 'ready' });
