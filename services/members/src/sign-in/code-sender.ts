import type { Logger } from '@loyalty/platform';
import type { SenderSettings } from '../config';

/** A sign-in code on its way to a member's phone or inbox. */
export interface CodeMessage {
  channel: 'phone' | 'email';
  /** The phone number or email address. */
  to: string;
  code: string;
  expiresAt: Date;
}

/** Delivers sign-in codes; the service does not wait for it (see {@link SignInService}). */
export interface CodeSender {
  send(message: CodeMessage): Promise<void>;
}

/**
 * Development: writes the code to the log. In production it logs only that a code was due, so a
 * deployment without a provider never puts codes in its logs.
 */
export class LogCodeSender implements CodeSender {
  constructor(
    private readonly logger: Logger,
    private readonly production: boolean,
  ) {}

  async send(message: CodeMessage): Promise<void> {
    if (this.production) {
      this.logger.warn({ channel: message.channel }, 'sign-in code not delivered: set SIGN_IN_SENDER=http');
      return;
    }
    this.logger.info(
      { channel: message.channel, code: message.code, expiresAt: message.expiresAt.toISOString() },
      'sign-in code (log sender, development only)',
    );
  }
}

/**
 * An SMS or email provider behind one HTTP endpoint: `POST` of
 * `{ channel, to, code, expiresAt, text }` as JSON, with `Authorization: Bearer <token>` when
 * configured; any 2xx is delivered. Adapting to a given provider's API is a small proxy's job.
 */
export class HttpCodeSender implements CodeSender {
  constructor(
    private readonly url: string,
    private readonly token: string | null,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(message: CodeMessage): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({
        channel: message.channel,
        to: message.to,
        code: message.code,
        expiresAt: message.expiresAt.toISOString(),
        text: `Your sign-in code is ${message.code}. It expires in 5 minutes.`,
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`sign-in code provider answered ${response.status}`);
  }
}

/** The sender the settings ask for. */
export function createCodeSender(settings: SenderSettings, logger: Logger, production: boolean): CodeSender {
  return settings.kind === 'http'
    ? new HttpCodeSender(settings.url, settings.token)
    : new LogCodeSender(logger, production);
}
