import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where the picked ports start: above the well-known services a machine may run. */
const LOWEST = 10_000;

/**
 * The first port the kernel hands out on its own (Linux's `ip_local_port_range`; 32768 where it
 * cannot be read). A port checked free below it stays free until a test listens on it: every
 * `listen(0)` and every outgoing connection (the database and Redis pools of the tests running
 * beside) takes its port from above. A port picked among those was, once in a CI run, taken
 * between the check and the listen.
 */
export function firstEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > LOWEST + 2_000 ? port : 32_768;
  } catch {
    return 32_768;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A base port with the `size - 1` after it free too, below the kernel's ephemeral ports (see
 * {@link firstEphemeralPort}): the all-in-one launcher takes GATEWAY_PORT and, for the subgraphs,
 * GATEWAY_PORT + 1…5.
 */
export async function freePortRange(size: number, avoid: ReadonlySet<number> = new Set()): Promise<number> {
  const span = firstEphemeralPort() - size - LOWEST;
  for (;;) {
    const base = LOWEST + Math.floor(Math.random() * span);
    const ports = Array.from({ length: size }, (_, i) => base + i);
    if (ports.some((port) => avoid.has(port))) continue;
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
}

/** Free ports for a set of names, all distinct, below the kernel's ephemeral ports. */
export async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const ports = {} as Record<K, number>;
  const taken = new Set<number>();
  for (const name of names) {
    const port = await freePortRange(1, taken);
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}
