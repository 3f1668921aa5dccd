/**
 * The built-in credential check: a bearer token, then the tenant (X-Customer-Api-Id) and
 * its secret (X-Secret), either sent by the client or configured on the server.
 *
 * Tokens and secrets are kept only as SHA-256 digests (plain-text ones from the
 * environment are hashed on start) and compared digest to digest with timingSafeEqual,
 * over every known token without stopping at a match, so neither the response time nor
 * the logs tell anything about them. Hashing first also gives equal-length buffers,
 * which timingSafeEqual needs.
 *
 * Order of checks, so that each failure says no more than the caller already proved:
 * token (401) -> header format (400 missing / 422 malformed, naming the header) ->
 * tenant and secret (401) -> secret age (401 SECRET_EXPIRED) -> token allowed for the
 * tenant (403). When the server knows no tenant at all (tokens only), the tenant headers
 * are optional and only their format is checked.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SECRET_LIFETIME_DAYS, SECRET_WARNING_DAYS, type ResolvedConfig } from './config';

const DAY_MS = 86_400_000;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** 64 visible ASCII characters: the reference's secrets are 64 characters long. */
const SECRET_FORMAT = /^[\x21-\x7e]{64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Why a request failed authentication (the service picks the body and status from it). */
export type AuthFailure =
  | { ok: false; kind: 'unauthorized'; code: 'AUTH_FAILED'; reason: 'token' | 'credentials' }
  | { ok: false; kind: 'secret_expired'; code: 'SECRET_EXPIRED'; expiredAt: string }
  | { ok: false; kind: 'forbidden'; code: 'FORBIDDEN' }
  | { ok: false; kind: 'missing_header' | 'invalid_header'; header: string };

/** An authenticated request: the rate-limit subject, its tenant and any headers to add. */
export interface AuthSuccess {
  ok: true;
  subject: string;
  tenant?: string;
  tokenName?: string;
  headers: Record<string, string>;
}

/** What the built-in check (or the authenticate hook) decided. */
export type AuthOutcome = AuthSuccess | AuthFailure;

interface KnownToken {
  digest: Buffer;
  name: string;
  expiresAt?: number;
  tenants?: Set<string>;
}

interface KnownTenant {
  id: string;
  secretDigest: Buffer;
  issuedAt?: number;
}

/** SHA-256 of a UTF-8 string (tokens and secrets are compared as digests). */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** SHA-256 of a UTF-8 string as hex, the form the tenants file stores. */
export function sha256Hex(text: string): string {
  return sha256(text).toString('hex');
}

function digestFromHex(hex: string, what: string): Buffer {
  if (typeof hex !== 'string' || !SHA256_HEX.test(hex)) throw new Error(`${what}: must be a SHA-256 digest in hex (64 characters)`);
  return Buffer.from(hex, 'hex');
}

function dateMs(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = new Date(value).getTime();
  if (Number.isNaN(ms)) throw new Error(`${what}: not a date: ${JSON.stringify(value)}`);
  return ms;
}

/** The built-in check of bearer tokens, tenant ids and secrets, in constant time. */
export class Authenticator {
  private readonly tokens: KnownToken[] = [];
  private readonly tenants = new Map<string, KnownTenant>();
  private readonly configuredTenant?: string;
  private readonly configuredSecret?: string;
  private readonly now: () => number;

  constructor(config: ResolvedConfig) {
    this.now = config.now;
    config.tokens.forEach((token, i) => {
      this.tokens.push({ digest: sha256(token), name: `env#${i + 1}` });
    });
    (config.tenants.tokens ?? []).forEach((t, i) => {
      const tenants = t.tenants && !t.tenants.includes('*') ? new Set(t.tenants.map((id) => id.toLowerCase())) : undefined;
      this.tokens.push({
        digest: digestFromHex(t.sha256, `tokens[${i}].sha256`),
        name: t.name ?? `file#${i + 1}`,
        expiresAt: dateMs(t.expiresAt, `tokens[${i}].expiresAt`),
        tenants,
      });
    });
    (config.tenants.tenants ?? []).forEach((t, i) => {
      if (typeof t.id !== 'string' || !UUID_V4.test(t.id)) throw new Error(`tenants[${i}].id: must be a UUID v4`);
      this.tenants.set(t.id.toLowerCase(), {
        id: t.id.toLowerCase(),
        secretDigest: digestFromHex(t.secretSha256, `tenants[${i}].secretSha256`),
        issuedAt: dateMs(t.secretIssuedAt, `tenants[${i}].secretIssuedAt`),
      });
    });
    if (config.customerApiId !== undefined) {
      if (!UUID_V4.test(config.customerApiId)) throw new Error('SEGMINT_CUSTOMER_API_ID: must be a UUID v4');
      if (config.secret === undefined) throw new Error('SEGMINT_SECRET: required with SEGMINT_CUSTOMER_API_ID');
      if (!SECRET_FORMAT.test(config.secret)) throw new Error('SEGMINT_SECRET: must be 64 characters');
      this.configuredTenant = config.customerApiId.toLowerCase();
      this.configuredSecret = config.secret;
      this.tenants.set(this.configuredTenant, {
        id: this.configuredTenant,
        secretDigest: sha256(config.secret),
        issuedAt: config.secretIssuedAt?.getTime(),
      });
    } else if (config.secret !== undefined) {
      throw new Error('SEGMINT_CUSTOMER_API_ID: required with SEGMINT_SECRET');
    }
  }

  /** Whether any token is known (serve refuses to start without one). */
  get hasTokens(): boolean {
    return this.tokens.length > 0;
  }

  /** Checks a request's headers; `header` returns a header's value or null. */
  check(header: (name: string) => string | null): AuthOutcome {
    const authorization = header('authorization');
    const match = authorization ? /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(authorization) : null;
    if (!match) return unauthorized('token');
    const presented = sha256(match[1]);
    let found: KnownToken | undefined;
    for (const known of this.tokens) {
      // No early exit: every request costs the same number of comparisons.
      if (timingSafeEqual(presented, known.digest) && found === undefined) found = known;
    }
    const now = this.now();
    if (!found || (found.expiresAt !== undefined && found.expiresAt <= now)) return unauthorized('token');
    const subject = presented.toString('hex').slice(0, 32);

    const tenantHeader = header('x-customer-api-id');
    const secretHeader = header('x-secret');
    if (tenantHeader !== null && !UUID_V4.test(tenantHeader.trim())) return { ok: false, kind: 'invalid_header', header: 'X-Customer-Api-Id' };
    if (secretHeader !== null && !SECRET_FORMAT.test(secretHeader.trim())) return { ok: false, kind: 'invalid_header', header: 'X-Secret' };

    if (this.tenants.size === 0) {
      // No tenant records: secrets cannot be checked (tokens-only set-up, documented). A
      // token limited to some tenants still needs the tenant header, and only those pass.
      const claimed = tenantHeader?.trim().toLowerCase();
      if (found.tenants) {
        if (claimed === undefined) return { ok: false, kind: 'missing_header', header: 'X-Customer-Api-Id' };
        if (!found.tenants.has(claimed)) return { ok: false, kind: 'forbidden', code: 'FORBIDDEN' };
        return { ok: true, subject, tenant: claimed, tokenName: found.name, headers: {} };
      }
      // An unverified tenant id is not reported (or logged) as the request's tenant.
      return { ok: true, subject, tenant: undefined, tokenName: found.name, headers: {} };
    }
    const tenantId = tenantHeader?.trim().toLowerCase() ?? this.configuredTenant;
    if (tenantId === undefined) return { ok: false, kind: 'missing_header', header: 'X-Customer-Api-Id' };
    const secret = secretHeader?.trim() ?? (tenantId === this.configuredTenant ? this.configuredSecret : undefined);
    if (secret === undefined) return { ok: false, kind: 'missing_header', header: 'X-Secret' };

    const tenant = this.tenants.get(tenantId);
    // Hash and compare even for an unknown tenant, so both failures take the same time.
    const secretOk = timingSafeEqual(sha256(secret), tenant?.secretDigest ?? sha256(''));
    if (!tenant || !secretOk) return unauthorized('credentials');

    const headers: Record<string, string> = {};
    if (tenant.issuedAt !== undefined) {
      const expiresAt = tenant.issuedAt + SECRET_LIFETIME_DAYS * DAY_MS;
      if (expiresAt <= now) return { ok: false, kind: 'secret_expired', code: 'SECRET_EXPIRED', expiredAt: new Date(expiresAt).toISOString() };
      if (expiresAt - now <= SECRET_WARNING_DAYS * DAY_MS) {
        const days = Math.ceil((expiresAt - now) / DAY_MS);
        headers['X-Secret-Expires-At'] = new Date(expiresAt).toISOString();
        headers.Warning = `299 segmint "The secret expires in ${days} day${days === 1 ? '' : 's'}; rotate it"`;
      }
    }
    if (found.tenants && !found.tenants.has(tenant.id)) return { ok: false, kind: 'forbidden', code: 'FORBIDDEN' };
    return { ok: true, subject, tenant: tenant.id, tokenName: found.name, headers };
  }
}

function unauthorized(reason: 'token' | 'credentials'): AuthFailure {
  return { ok: false, kind: 'unauthorized', code: 'AUTH_FAILED', reason };
}
