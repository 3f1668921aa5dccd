/**
 * Webhooks: a finished job POSTed to the callback_url its request named, signed the
 * Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>") with the tenant's key, and retried
 * with exponential backoff on 408, 429, 5xx and network errors.
 *
 * Only hosts the operator listed may be called, and never a private, loopback or
 * link-local address (checked on the resolved addresses at delivery time, so a public
 * name pointing inside the network is refused too) unless that host is listed by itself,
 * not through `*`: a webhook is a request the server makes on a client's behalf.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ResolvedConfig } from '../http/config';

/** The key bytes of a secret: Standard Webhooks' `whsec_<base64>`, or the text itself. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

function ipv4Private(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    a >= 224
  );
}

/** Loopback, private, link-local, unique-local, unspecified or multicast. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) return ipv4Private(ip);
  const v6 = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return ipv4Private(mapped[1]);
  return (
    v6 === '::1' ||
    v6 === '::' ||
    v6.startsWith('fc') ||
    v6.startsWith('fd') ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('ff')
  );
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Whether the operator listed this host by name (not only through a wildcard). */
function listedExactly(host: string, allowed: string[]): boolean {
  return allowed.includes(host);
}

function listed(host: string, allowed: string[]): boolean {
  return allowed.some((a) => a === '*' || a === host || (a.startsWith('*.') && host.endsWith(a.slice(1))));
}

/** Why a callback_url cannot be used, or null. Checked before the job is queued. */
export function callbackProblem(raw: unknown, config: ResolvedConfig, hasSecret: boolean): string | null {
  if (typeof raw !== 'string' || raw.length > 2048) return 'must be an http or https URL of at most 2048 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an http or https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (!hasSecret) return 'webhooks are not configured on this server (no signing secret)';
  const host = hostOf(url);
  if (!listed(host, config.webhookAllowedHosts)) return `host ${host} is not among the allowed webhook hosts`;
  if (isIP(host) && isPrivateAddress(host) && !listedExactly(host, config.webhookAllowedHosts)) return `host ${host} is a private address`;
  return null;
}

export interface WebhookAttempt {
  attempt: number;
  status?: number;
  error?: string;
}

export interface Delivery {
  delivered: boolean;
  attempts: WebhookAttempt[];
}

const RETRIABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Sends one event, retrying; resolves when delivered or out of attempts (or aborted).
 * `payload` is the event, or its JSON text already serialized.
 */
export async function deliverWebhook(
  url: string,
  secret: string,
  payload: unknown,
  config: Pick<ResolvedConfig, 'webhookAllowedHosts' | 'webhookMaxAttempts' | 'webhookBackoffMs'>,
  signal?: AbortSignal,
): Promise<Delivery> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  // One id for every attempt: receivers deduplicate on it.
  const id = `msg_${randomUUID()}`;
  const attempts: WebhookAttempt[] = [];
  const target = new URL(url);
  const host = hostOf(target);
  for (let attempt = 1; attempt <= config.webhookMaxAttempts; attempt++) {
    if (signal?.aborted) break;
    let retryAfterMs = 0;
    try {
      if (!listedExactly(host, config.webhookAllowedHosts)) {
        const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
        if (addresses.some((a) => isPrivateAddress(a.address))) {
          attempts.push({ attempt, error: 'resolves to a private address' });
          return { delivered: false, attempts };
        }
      }
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await fetch(target, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'segmint-webhook',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, id, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(10_000), ...(signal ? [signal] : [])]),
      });
      await res.arrayBuffer().catch(() => undefined);
      attempts.push({ attempt, status: res.status });
      if (res.status >= 200 && res.status < 300) return { delivered: true, attempts };
      if (!RETRIABLE(res.status)) return { delivered: false, attempts };
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = Math.min(ra, 300) * 1000;
    } catch (err) {
      attempts.push({ attempt, error: (err as Error).message });
    }
    if (attempt === config.webhookMaxAttempts) break;
    const backoff = config.webhookBackoffMs * 2 ** (attempt - 1);
    const delay = Math.max(retryAfterMs, backoff * (0.8 + Math.random() * 0.4));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return { delivered: false, attempts };
}
