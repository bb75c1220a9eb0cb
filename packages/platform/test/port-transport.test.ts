import { MessageChannel } from 'node:worker_threads';
import {
  InProcessTransport,
  PortTransport,
  serveTransport,
  Topics,
  type EventEnvelope,
} from '@loyalty/platform';
import { eventually } from '@loyalty/testing';

/** A real event of a real topic; `n` tells events apart. */
const erased = (n: number): EventEnvelope<'member.erased'> => ({
  id: `event-${n}`,
  topic: Topics.memberErased,
  key: `m${n}`,
  payload: { memberId: `m${n}`, erasedAt: new Date(0).toISOString() },
  occurredAt: new Date(0).toISOString(),
  source: 'members',
});

/**
 * The owning thread's in-process transport served over a real MessageChannel (structured
 * clone, asynchronous delivery: what a worker thread sees), and the PortTransport on the other end.
 */
function bridged() {
  const owner = new InProcessTransport();
  const { port1, port2 } = new MessageChannel();
  const stopServing = serveTransport(owner, port1);
  const remote = new PortTransport(port2);
  return { owner, remote, stopServing };
}

describe('PortTransport over serveTransport', () => {
  it('delivers live events published on the owning thread, from listen() on, until stopped', async () => {
    const { owner, remote, stopServing } = bridged();
    const seen: string[] = [];
    await owner.publish([erased(0)]);
    const stop = await remote.listen(Topics.memberErased, (e) => seen.push(e.payload.memberId));
    const other: unknown[] = [];
    await remote.listen(Topics.balanceChanged, (e) => other.push(e));
    await owner.publish([erased(1), erased(2)]);
    await eventually(async () => seen.length === 2);
    await stop();
    await owner.publish([erased(3)]);
    // The stop went over the same ordered port: had the listener stayed, m3 would arrive next.
    await remote.listen(Topics.memberErased, (e) => seen.push(`again:${e.payload.memberId}`));
    await owner.publish([erased(4)]);
    await eventually(async () => seen.length === 3);
    expect({ seen, other }).toEqual({ seen: ['m1', 'm2', 'again:m4'], other: [] });
    await remote.close();
    await stopServing();
  });

  it('publishes to the owning thread, failing when a consumer there fails', async () => {
    const { owner, remote, stopServing } = bridged();
    const handled: string[] = [];
    await owner.consume('members-cache', [Topics.memberErased], async (events) => {
      if (events.some((e) => e.key === 'm9')) throw new Error('consumer refused');
      handled.push(...events.map((e) => e.id));
      return [];
    });
    await remote.publish([erased(1)]);
    expect(handled).toEqual(['event-1']);
    await expect(remote.publish([erased(9)])).rejects.toThrow('consumers could not take 1 event(s)');
    await remote.close();
    await stopServing();
  });

  it('makes the owning thread wait for a remote consumer, and redeliver when it fails', async () => {
    const { owner, remote, stopServing } = bridged();
    const handled: string[][] = [];
    let refuse = 'm1';
    const stop = await remote.consume('gateway-cache', [Topics.memberErased], async (events) => {
      handled.push(events.map((e) => e.id));
      // The handler took the delivery's events in one call and names the one it could not take.
      return events.filter((e) => e.key === refuse).map((event) => ({ event, error: new Error('not yet') }));
    });
    const failed = await owner.publish([erased(1), erased(2)]).catch((error: AggregateError) => error);
    expect(failed).toBeInstanceOf(AggregateError);
    expect((failed as AggregateError).errors.map((e: Error) => e.message)).toEqual(['not yet']);
    await expect(owner.publish([erased(1), erased(2)])).rejects.toThrow(
      'consumers could not take 1 event(s)',
    );
    refuse = '';
    await owner.publish([erased(1)]);
    // Resolved only after the remote handler ran: no polling needed.
    expect(handled).toEqual([['event-1', 'event-2'], ['event-1', 'event-2'], ['event-1']]);
    await stop();
    await owner.publish([erased(3)]);
    expect(handled).toHaveLength(3);
    await remote.close();
    await stopServing();
  });

  it('releases the owning side when the remote side closes', async () => {
    const { owner, remote, stopServing } = bridged();
    const seen: string[] = [];
    await remote.listen(Topics.memberErased, (e) => seen.push(e.id));
    await remote.consume('gateway-cache', [Topics.memberErased], async () => {
      throw new Error('a dead thread never answers');
    });
    await remote.close();
    // Resolves once the owning side saw the port close and dropped the remote's registrations.
    await stopServing();
    await owner.publish([erased(1)]);
    expect(seen).toEqual([]);
    await expect(remote.publish([erased(2)])).rejects.toThrow('event port closed');
  });
});
