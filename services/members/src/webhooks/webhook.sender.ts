import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { isPublicAddress, WebhookInputError } from './webhook.rules';

export interface WebhookMessage {
  /** `webhook-id`: the same on every attempt. */
  id: string;
  body: string;
  url: string;
  secret: string;
}

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * A DNS lookup that refuses names resolving to non-public addresses. The socket connects to the
 * address checked here (Node passes it straight to connect), so DNS cannot rebind the name to an
 * internal address between the check and the connection.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 4);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || addresses.length === 0)
      return callback(new WebhookInputError(`${hostname} resolves to a non-public address`), '', 4);
    if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};

/**
 * POSTs signed messages (Standard Webhooks, signed by the `standardwebhooks` library with a fresh
 * timestamp per attempt) and reports what happened; never throws.
 */
export class WebhookSender {
  constructor(
    private readonly timeoutMs: number,
    private readonly publicOnly: boolean,
  ) {}

  async send(message: WebhookMessage, now = new Date()): Promise<SendOutcome> {
    try {
      const url = new URL(message.url);
      if (this.publicOnly) {
        if (url.protocol !== 'https:') throw new WebhookInputError('only https URLs are delivered to');
        // Literal addresses never reach the lookup, so they are checked here.
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (ipaddr.isValid(host) && !isPublicAddress(host))
          throw new WebhookInputError(`${host} is not a public address`);
      }
      const signature = new Webhook(message.secret).sign(message.id, now, message.body);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'loyalty-webhooks/1',
        'webhook-id': message.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      };
      const status = await this.post(url, headers, message.body);
      const ok = status >= 200 && status < 300;
      return { ok, status, error: ok ? null : `endpoint answered ${status}` };
    } catch (error) {
      return { ok: false, status: null, error: describe(error, this.timeoutMs) };
    }
  }

  private post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(this.timeoutMs),
      ...(this.publicOnly ? { lookup: publicOnlyLookup } : {}),
      // One socket per attempt: a pooled socket would skip the address check of the lookup.
      agent: false,
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        // The answer's body is not used; read it (bounded by the timeout) so the socket closes.
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ABORT_ERR')
    return `no answer within ${timeoutMs} ms`;
  return (e.code ? `${e.code}: ` : '') + (e.message ?? String(error)).slice(0, 400);
}
