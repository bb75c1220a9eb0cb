import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, freePortRange, testConfig } from '@loyalty/testing';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * What a process manager does to `pnpm start`: SIGTERM to the pnpm process. The platform drains
 * and the command exits 0 (Apollo's own signal handler used to re-raise the signal, and the
 * shell between pnpm and node used to die of it: both made the exit code non-zero).
 */
describe('pnpm start', () => {
  // Its own data directory, and on MySQL its own databases (dropped after the file), not the
  // default `loyalty_*` ones a developer's `pnpm start` uses.
  const { env: isolated } = testConfig();

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    const port = await freePortRange(6);
    const child = spawn('pnpm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        GATEWAY_PORT: String(port),
        DATA_DIR: isolated.DATA_DIR,
        DATABASE_PREFIX: isolated.DATABASE_PREFIX,
        REDIS_PREFIX: isolated.REDIS_PREFIX,
        LOG_LEVEL: 'warn',
        TARGET: 'all',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok,
        150_000,
        250,
      ).catch((error: Error) => {
        // What the platform said is the only clue to why it never became ready.
        throw new Error(`${error.message}\n--- pnpm start said ---\n${output.slice(-4000)}`);
      });
      child.kill('SIGTERM');
      expect({ code: await exited, output }).toEqual({ code: 0, output: expect.any(String) });
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
