import { createLogger } from '../logging/logger';

/**
 * Process entry: starts something with a `stop()`, and stops it gracefully on SIGTERM/SIGINT
 * (in-flight requests finish; a second signal forces exit). Start-up failures exit non-zero.
 */
export function runMain(name: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  const logger = createLogger(name, 'info');
  start()
    .then((running) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        logger.info({ signal }, 'shutting down');
        running
          .stop()
          .then(() => process.exit(0))
          .catch((err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    })
    .catch((err) => {
      logger.fatal({ err }, 'failed to start');
      process.exit(1);
    });
}
