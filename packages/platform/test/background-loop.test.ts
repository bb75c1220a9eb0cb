import pino from 'pino';
import { BackgroundLoop } from '../src/service/background-loop';

/** A promise settled from outside, for steering a pass step by step. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** A loop whose passes wait on a gate each, recording when they start and end. */
function steppedLoop() {
  const events: string[] = [];
  const gates: ReturnType<typeof gate>[] = [];
  let passes = 0;
  const loop = new BackgroundLoop({
    name: 'test loop',
    intervalMs: 3_600_000,
    runAtStart: false,
    logger: pino({ level: 'silent' }),
    run: async () => {
      const n = (passes += 1);
      const g = gate();
      gates.push(g);
      events.push(`pass ${n} starts`);
      await g.opened;
      events.push(`pass ${n} ends`);
    },
  });
  return { loop, events, gates };
}

/** Lets every queued continuation run (promise hops, no timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("BackgroundLoop.runExclusive (a caller's own pass, e.g. a relay's flush)", () => {
  it('a nudge during it starts no pass beside it, and one pass after it', async () => {
    const { loop, events, gates } = steppedLoop();
    loop.start();
    const work = gate();
    const exclusive = loop.runExclusive(async () => {
      events.push('exclusive starts');
      await work.opened;
      events.push('exclusive ends');
      return 42;
    });
    await settle();
    loop.nudge();
    loop.nudge();
    await settle();
    expect(events).toEqual(['exclusive starts']);
    work.open();
    await expect(exclusive).resolves.toBe(42);
    await settle();
    expect(events).toEqual(['exclusive starts', 'exclusive ends', 'pass 1 starts']);
    gates[0].open();
    await loop.idle();
    expect(events).toEqual(['exclusive starts', 'exclusive ends', 'pass 1 starts', 'pass 1 ends']);
    await loop.stop();
  });

  it('waits for the pass in progress before it starts', async () => {
    const { loop, events, gates } = steppedLoop();
    loop.start();
    loop.nudge();
    await settle();
    const exclusive = loop.runExclusive(async () => {
      events.push('exclusive');
    });
    await settle();
    expect(events).toEqual(['pass 1 starts']);
    gates[0].open();
    await exclusive;
    expect(events).toEqual(['pass 1 starts', 'pass 1 ends', 'exclusive']);
    await loop.stop();
  });

  it("runs on a stopped loop, and its failure is the caller's", async () => {
    const { loop } = steppedLoop();
    await expect(loop.runExclusive(async () => 'ran')).resolves.toBe('ran');
    await expect(
      loop.runExclusive(async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await loop.idle();
  });
});
