/**
 * What the service sees of a request (HttpExchange) and what it answers (HttpReply),
 * whatever server delivered it, and the reference's error body shape.
 */
import { ERROR_TITLES, errorMessage, type ErrorCode, type ErrorTitle, type Locale } from '../i18n/index';
import type { BodyBounds } from './body';

/** The parts of a request the service reads, whatever server delivered it. */
export interface HttpExchange {
  method: string;
  /** Path without the query string. */
  path: string;
  header(name: string): string | null;
  /** Reads the whole body under the bounds (size, deadline, in-flight budget); see body.ts. */
  readBody(bounds: BodyBounds): Promise<Uint8Array>;
  /** A Web Request (headers only, for the authenticate hook). */
  toRequest(): Request;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
  /** The client's address as the socket (or, with trustProxy, X-Forwarded-For) gives it, when known. */
  clientAddress?: string;
}

/** A response: status, headers and a serialized body. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The reference's error body. */
export interface ErrorBody {
  error: string;
  message: string;
  code: string;
  details?: Record<string, unknown>;
}

/** The reference's 401 body, verbatim. */
export const AUTH_FAILED_BODY: ErrorBody = Object.freeze({
  error: 'Unauthorized',
  message: 'Invalid or expired authentication token',
  code: 'AUTH_FAILED',
}) as ErrorBody;

/** An error body for a core code: stable English title, message in `locale`. */
export function errorBody(
  locale: Locale,
  title: ErrorTitle,
  code: ErrorCode,
  params?: Record<string, string | number>,
  details?: Record<string, unknown>,
): ErrorBody {
  const body: ErrorBody = { error: ERROR_TITLES[title], message: errorMessage(locale, code, params), code };
  if (details) body.details = details;
  return body;
}

/** A reply with a body already serialized, and the headers every answer carries. */
export function rawReply(status: number, locale: Locale, body: string, headers: Record<string, string> = {}): HttpReply {
  return {
    status,
    body,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Language': locale,
      Vary: 'Accept-Language',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
  };
}

/** A JSON reply. */
export function jsonReply(status: number, locale: Locale, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return rawReply(status, locale, JSON.stringify(body), headers);
}

/** Whether the request still has body bytes coming that the service has not read. */
export function expectsBody(exchange: HttpExchange): boolean {
  const length = exchange.header('content-length');
  if (length !== null) return Number(length) > 0;
  return exchange.header('transfer-encoding') !== null;
}
