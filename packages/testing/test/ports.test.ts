import { createServer } from 'node:net';
import { firstEphemeralPort, freePortRange, freePorts } from '../src/ports';

describe('freePortRange', () => {
  it('picks a free range below the ports the kernel hands out on its own', async () => {
    const ephemeral = firstEphemeralPort();
    for (let i = 0; i < 20; i++) {
      const base = await freePortRange(6);
      expect(base).toBeGreaterThanOrEqual(10_000);
      expect(base + 5).toBeLessThan(ephemeral);
    }
  });

  it('picks below where a listen(0) of a test running beside lands', async () => {
    const base = await freePortRange(6);
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(base + 5);
  });
});

describe('freePorts', () => {
  it('gives every name its own free port below the kernel’s own', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `s${i}`);
    const ports = Object.values(await freePorts(names));
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) expect(port).toBeLessThan(firstEphemeralPort());
  });
});
