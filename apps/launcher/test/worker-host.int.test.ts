import { join } from 'node:path';
import { InProcessTransport, loadConfig, PeerDirectory, type Logger } from '@loyalty/platform';
import { startWorkerThread } from '../src/worker-host';

const FIXTURE = join(__dirname, 'fixtures', 'failing-worker-thread.js');

/** Records what the host logs (level and message). */
function recordingLogger() {
  const lines: string[] = [];
  const at = (level: string) => (_fields: unknown, msg: string) => lines.push(`${level}: ${msg}`);
  const logger = { info: at('info'), error: at('error'), fatal: at('fatal') } as unknown as Logger;
  return { lines, logger };
}

function options(crashAt: 'start' | 'running', transport = new InProcessTransport()) {
  const config = loadConfig({ CRASH_AT: crashAt }, {});
  return { config, peers: PeerDirectory.fromConfig(config), transport, gateway: { port: 0 }, entry: FIXTURE };
}

describe('the worker thread host', () => {
  it('fails the start when the thread fails before it is ready', async () => {
    const { logger } = recordingLogger();
    await expect(
      startWorkerThread({ ...options('start'), logger, onCrash: () => undefined }),
    ).rejects.toThrow('gateway thread failed on purpose (start)');
  });

  it('logs a crash of a running thread and calls onCrash', async () => {
    const { lines, logger } = recordingLogger();
    let crashed: (error: Error) => void = () => undefined;
    const crash = new Promise<Error>((resolve) => (crashed = resolve));
    await startWorkerThread({ ...options('running'), logger, onCrash: crashed });
    const error = await crash;
    expect({ error: error.message, lines }).toEqual({
      error: 'gateway thread failed on purpose (running)',
      lines: ['info: gateway thread ready', 'fatal: gateway thread crashed: stopping the platform'],
    });
  });
});
