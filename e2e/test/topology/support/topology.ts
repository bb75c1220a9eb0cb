import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig, ServiceName } from '@loyalty/platform';
import { eventually } from '@loyalty/testing';

/** The built launcher (`pnpm build`; set-up and CI build it): what production runs. */
const LAUNCHER = join(__dirname, '..', '..', '..', '..', 'apps', 'launcher', 'dist', 'main.js');

/** One process of the topology: a service replica or a gateway replica. */
export interface ProcessSpec {
  name: string;
  target: ServiceName | 'gateway';
  port: number;
  /** Settings of this process only (e.g. which ledger replica a gateway talks to). */
  env?: Record<string, string>;
}

async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The production topology as separate operating-system processes (each service its own, replicas
 * side by side on one MySQL server and one Redis), started from the built launcher with the test
 * configuration's settings. Processes can be killed with SIGKILL and restarted on the same port.
 */
export class Topology {
  private readonly running = new Map<string, ChildProcess>();
  private readonly specs = new Map<string, ProcessSpec>();

  constructor(
    private readonly config: PlatformConfig,
    private readonly logDir: string,
    /** Settings every process shares (service URLs, ports). */
    private readonly shared: Record<string, string>,
  ) {}

  /** Starts a process and waits until its `/health/ready` answers 200. */
  async start(spec: ProcessSpec): Promise<void> {
    this.specs.set(spec.name, spec);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.config.source)) if (value !== undefined) env[key] = value;
    Object.assign(env, this.shared, spec.env ?? {}, {
      TARGET: spec.target,
      PATH: String(this.config.source.PATH ?? ''),
      LOG_LEVEL: 'warn',
    });
    if (spec.target === 'gateway') env.GATEWAY_PORT = String(spec.port);
    else env[`${spec.target.toUpperCase()}_PORT`] = String(spec.port);
    const child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.running.set(spec.name, child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`${spec.name} exited (${code}) while starting`))),
    );
    exited.catch(() => undefined);
    await Promise.race([eventually(() => ready(spec.port), 120_000, 200), exited]);
  }

  /** SIGKILL: no graceful shutdown, in-flight work is cut wherever it is. Resolves once it is gone. */
  async kill(name: string): Promise<void> {
    const child = this.running.get(name);
    if (!child) throw new Error(`${name} is not running`);
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
    this.running.delete(name);
  }

  async restart(name: string): Promise<void> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`${name} was never started`);
    await this.start(spec);
  }

  /** Stops everything gracefully (SIGTERM), then forcefully what does not stop within 20 s. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    this.running.clear();
  }
}
