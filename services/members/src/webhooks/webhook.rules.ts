import ipaddr from 'ipaddr.js';
import type { EventEnvelope } from '@loyalty/platform';
import { Topics } from '@loyalty/platform';

/** Event types an endpoint may subscribe to (they are the integration events' topics). */
export const WEBHOOK_EVENTS = [
  Topics.purchaseRecorded,
  Topics.purchaseRefunded,
  Topics.redemptionStatusChanged,
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Why an endpoint URL, address or event list is refused; the message is safe to show. */
export class WebhookInputError extends Error {}

/** The event names, checked: an unknown or repeated one is refused. */
export function parseEventTypes(events: readonly string[]): WebhookEventType[] {
  if (events.length === 0) throw new WebhookInputError('events must name at least one event');
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (unknown.length)
    throw new WebhookInputError(`unknown event ${unknown.join(', ')}; known: ${WEBHOOK_EVENTS.join(', ')}`);
  return [...new Set(events)] as WebhookEventType[];
}

/**
 * A URL an endpoint may have: http(s) only, no credentials in it, at most 2000 characters; with
 * `publicOnly` (production) only https and no literal non-public address (names are resolved and
 * checked again at every delivery, see {@link isPublicAddress}).
 */
export function checkEndpointUrl(text: string, publicOnly: boolean): URL {
  if (text.length > 2000) throw new WebhookInputError('url must be at most 2000 characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookInputError('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WebhookInputError('url must use http or https');
  if (url.username || url.password) throw new WebhookInputError('url must not contain credentials');
  if (publicOnly) {
    if (url.protocol !== 'https:') throw new WebhookInputError('url must use https');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host) && !isPublicAddress(host))
      throw new WebhookInputError('url must point to a public address');
    if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal'))
      throw new WebhookInputError('url must point to a public address');
  }
  return url;
}

/**
 * True for a global unicast address: not loopback, private, link-local, unique-local, CGNAT,
 * multicast, reserved… (ipaddr.js's ranges; IPv4-mapped IPv6 is judged as the IPv4 inside).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** Delay before attempt `attempts + 1`, after `attempts` failures: doubling from `initialMs`. */
export function backoffMs(attempts: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** Math.max(0, attempts - 1), maxMs);
}

/** The merchant an event belongs to (its webhooks receive it), or null for none. */
export function merchantOf(event: EventEnvelope<WebhookEventType>): string | null {
  return event.payload.merchantId ?? null;
}

const sum = (xs: readonly { points: number }[] | undefined) => (xs ?? []).reduce((a, x) => a + x.points, 0);

/** The message body (Standard Webhooks: type, timestamp, data) of an event, ids and points. */
export function messageOf(event: EventEnvelope<WebhookEventType>): {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
} {
  const base = { type: event.topic, timestamp: event.occurredAt };
  switch (event.topic) {
    case Topics.purchaseRecorded: {
      const p = event.payload;
      return {
        ...base,
        data: {
          merchantId: p.merchantId,
          orderId: p.orderId,
          memberId: p.memberId,
          purchaseId: p.purchaseId,
          amount: p.amount,
          occurredAt: p.occurredAt,
          points: sum(p.awards),
          awards: p.awards,
        },
      };
    }
    case Topics.purchaseRefunded: {
      const p = event.payload;
      return {
        ...base,
        data: {
          merchantId: p.merchantId,
          orderId: p.orderId ?? null,
          memberId: p.memberId,
          purchaseId: p.purchaseId,
          refundId: p.refundId,
          amount: p.amount,
          refundedTotal: p.refundedTotal,
          fullyRefunded: p.fullyRefunded,
          points: sum(p.reversed),
          reversed: p.reversed ?? [],
        },
      };
    }
    default: {
      const p = event.payload;
      return {
        ...base,
        data: {
          merchantId: p.merchantId,
          redemptionId: p.redemptionId,
          memberId: p.memberId,
          rewardId: p.rewardId,
          from: p.from,
          to: p.to,
          reason: p.reason,
          at: p.at,
          points: p.points ?? null,
          pointKind: p.pointKind ?? null,
        },
      };
    }
  }
}
