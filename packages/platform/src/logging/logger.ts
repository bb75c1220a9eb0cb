import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino); one child per service so lines say where they came from. */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    // Tokens and contact data must never reach a log line.
    redact: {
      paths: ['req.headers.authorization', '*.phone', '*.email', 'authorization'],
      censor: '[redacted]',
    },
  });
}
