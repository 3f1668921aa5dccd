/**
 * Error bodies that only the HTTP layer produces (timeouts while reading, clients that go
 * away, refusals by the server's own parser, throttled authentication, the drain on
 * shutdown): their codes, English titles and localized messages live here, beside the
 * HTTP code that raises them, not in the core's catalogue.
 */
import { formatNumber, type Locale } from '../i18n/index';
import type { ErrorBody } from './handler';

/** Codes only the HTTP layer sends (beside the core's SegmentationErrorCode). */
export type HttpErrorCode = 'REQUEST_TIMEOUT' | 'CLIENT_CLOSED' | 'BAD_REQUEST' | 'HEADERS_TOO_LARGE' | 'AUTH_THROTTLED' | 'SHUTTING_DOWN';

const TITLES: Record<HttpErrorCode, string> = {
  REQUEST_TIMEOUT: 'Request timeout',
  CLIENT_CLOSED: 'Client closed request',
  BAD_REQUEST: 'Bad request',
  HEADERS_TOO_LARGE: 'Request header fields too large',
  AUTH_THROTTLED: 'Too many requests',
  SHUTTING_DOWN: 'Service unavailable',
};

const MESSAGES: Record<Locale, Record<HttpErrorCode, string>> = {
  en: {
    REQUEST_TIMEOUT: 'The request body did not arrive within {seconds} seconds.',
    CLIENT_CLOSED: 'The client closed the connection.',
    BAD_REQUEST: 'The request could not be parsed: {reason}.',
    HEADERS_TOO_LARGE: 'The request headers are too large.',
    AUTH_THROTTLED: 'Too many failed authentications from this address; retry in {seconds} seconds.',
    SHUTTING_DOWN: 'The server is shutting down; retry on another instance.',
  },
  es: {
    REQUEST_TIMEOUT: 'El cuerpo de la solicitud no llegó en {seconds} segundos.',
    CLIENT_CLOSED: 'El cliente cerró la conexión.',
    BAD_REQUEST: 'No se pudo analizar la solicitud: {reason}.',
    HEADERS_TOO_LARGE: 'Los encabezados de la solicitud son demasiado grandes.',
    AUTH_THROTTLED: 'Demasiadas autenticaciones fallidas desde esta dirección; vuelva a intentarlo en {seconds} segundos.',
    SHUTTING_DOWN: 'El servidor se está apagando; vuelva a intentarlo en otra instancia.',
  },
  pt: {
    REQUEST_TIMEOUT: 'O corpo da requisição não chegou em {seconds} segundos.',
    CLIENT_CLOSED: 'O cliente fechou a conexão.',
    BAD_REQUEST: 'Não foi possível analisar a requisição: {reason}.',
    HEADERS_TOO_LARGE: 'Os cabeçalhos da requisição são grandes demais.',
    AUTH_THROTTLED: 'Muitas autenticações com falha a partir deste endereço; tente novamente em {seconds} segundos.',
    SHUTTING_DOWN: 'O servidor está sendo desligado; tente novamente em outra instância.',
  },
};

/** The error body of an HTTP-layer refusal, its message in `locale`. */
export function httpErrorBody(locale: Locale, code: HttpErrorCode, params: Record<string, string | number> = {}, details?: Record<string, unknown>): ErrorBody {
  const message = MESSAGES[locale][code].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? formatNumber(locale, v, 3) : v;
  });
  const body: ErrorBody = { error: TITLES[code], message, code };
  if (details) body.details = details;
  return body;
}

/** A duration in seconds as the messages say it: 1500 ms is 1.5, never rounded up to 2. */
export function secondsOf(ms: number): number {
  return Math.round(ms) / 1000;
}
