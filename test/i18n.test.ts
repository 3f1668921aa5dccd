import { describe, expect, it } from 'vitest';
import { SEGMENTATION_ERROR_CODES } from '../src/errors';
import {
  ERROR_TITLES,
  errorMessage,
  formatList,
  LOCALES,
  MESSAGE_KEYS,
  negotiateLocale,
  t,
  template,
  type ErrorCode,
  type MessageKey,
} from '../src/i18n/index';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// Every code a SegmentationError can carry, from the runtime list (not a copy that can drift).
const ERROR_CODES: readonly ErrorCode[] = SEGMENTATION_ERROR_CODES;

describe('message catalogue', () => {
  it('has every key in every locale, non-empty, with the same placeholders as English', () => {
    expect(MESSAGE_KEYS.length).toBeGreaterThan(60);
    for (const key of MESSAGE_KEYS) {
      const want = placeholders(template('en', key));
      for (const locale of LOCALES) {
        const text = template(locale, key);
        expect(typeof text, `${locale} ${key}`).toBe('string');
        expect(text.trim().length, `${locale} ${key}`).toBeGreaterThan(0);
        expect(placeholders(text), `${locale} ${key}`).toEqual(want);
      }
    }
  });

  it('is really translated: Spanish and Portuguese differ from English on sentences', () => {
    const sentences = MESSAGE_KEYS.filter((k) => k.startsWith('desc.') || k.startsWith('warning.') || k.startsWith('error.'));
    for (const key of sentences) {
      expect(template('es', key), key).not.toBe(template('en', key));
      expect(template('pt', key), key).not.toBe(template('en', key));
      expect(template('pt', key), key).not.toBe(template('es', key));
    }
  });

  it('has a message for every error code', () => {
    for (const code of ERROR_CODES) {
      expect(MESSAGE_KEYS).toContain(`error.${code}`);
      for (const locale of LOCALES) expect(errorMessage(locale, code, { parameter: 'x' }).length).toBeGreaterThan(5);
    }
  });

  it('keeps the reference service English texts verbatim', () => {
    expect(errorMessage('en', 'MISSING_PARAMETER', { parameter: 'data' })).toBe("Required parameter 'data' is missing");
    expect(errorMessage('en', 'AUTH_FAILED')).toBe('Invalid or expired authentication token');
    expect(t('en', 'error.INVALID_CREDENTIALS')).toBe('Invalid authentication credentials');
    expect(t('en', 'error.INTERNAL_ERROR')).toBe('Internal server error');
    expect(ERROR_TITLES.validation_failed).toBe('Validation failed');
    expect(ERROR_TITLES.invalid_parameters).toBe('Invalid parameters');
    expect(ERROR_TITLES.unauthorized).toBe('Unauthorized');
    expect(ERROR_TITLES.service_failure).toBe('Failed to communicate with AI service');
  });

  it('names the four business labels as the playbook does', () => {
    const want: Record<string, [string, string, string]> = {
      'label.high_value': ['High-Value', 'Alto Valor', 'Alto Valor'],
      'label.growth': ['Growth', 'Crecimiento', 'Crescimento'],
      'label.price_sensitive': ['Price-Sensitive', 'Sensible al Precio', 'Sensível a Preço'],
      'label.at_risk': ['At-Risk', 'En Riesgo', 'Em Risco'],
    };
    for (const [key, texts] of Object.entries(want)) {
      LOCALES.forEach((locale, i) => expect(t(locale, key as MessageKey)).toBe(texts[i]));
    }
    expect(t('en', 'label.generic', { id: 3 })).toBe('Segment 3');
    expect(t('es', 'label.generic', { id: 3 })).toBe('Segmento 3');
  });

  it('fills placeholders, writes numbers the local way, leaves unknown placeholders visible', () => {
    expect(t('en', 'warning.imputed', { count: 12, feature: 'open_rate', method: t('en', 'method.median') })).toBe(
      '12 missing values in open_rate were filled with the median.',
    );
    expect(t('es', 'warning.silhouette_sampled', { n: 10000 })).toContain('10000 clientes');
    expect(t('pt', 'fact.ratio', { what: 'gasto', ratio: 2.5 })).toBe('gasto de 2,5x a média');
    expect(t('en', 'fact.ratio', { what: 'spend', ratio: 2.5 })).toBe('spend 2.5x the average');
    expect(t('en', 'error.MISSING_PARAMETER')).toBe("Required parameter '{parameter}' is missing");
    expect(formatList('es', ['a', 'b', 'c'])).toBe('a, b y c');
    expect(formatList('pt', ['a', 'b'])).toBe('a e b');
  });
});

describe('negotiateLocale', () => {
  it('defaults to en for absent, empty, wildcard and unsupported headers', () => {
    expect(negotiateLocale(undefined)).toBe('en');
    expect(negotiateLocale(null)).toBe('en');
    expect(negotiateLocale('')).toBe('en');
    expect(negotiateLocale('*')).toBe('en');
    expect(negotiateLocale('fr')).toBe('en');
    expect(negotiateLocale('fr-FR, de;q=0.8')).toBe('en');
  });

  it('maps regions and scripts to the language', () => {
    expect(negotiateLocale('pt-BR')).toBe('pt');
    expect(negotiateLocale('es-MX')).toBe('es');
    expect(negotiateLocale('es-419')).toBe('es');
    expect(negotiateLocale('PT_br')).toBe('pt');
    expect(negotiateLocale('ES')).toBe('es');
    expect(negotiateLocale('pt-BR,pt;q=0.9,en;q=0.8')).toBe('pt');
  });

  it('follows q-values, ties in written order, skipping unsupported and q=0', () => {
    expect(negotiateLocale('en;q=0.5, es;q=0.9')).toBe('es');
    expect(negotiateLocale('fr, pt;q=0.3, es;q=0.2')).toBe('pt');
    expect(negotiateLocale('es;q=0.8, pt;q=0.8')).toBe('es');
    expect(negotiateLocale('pt;q=0, es;q=0.1')).toBe('es');
    expect(negotiateLocale('pt;q=0')).toBe('en');
    expect(negotiateLocale('fr, *;q=0.5, es;q=0.4')).toBe('en');
    expect(negotiateLocale('es ; q = 0.7 , en;q=0.6')).toBe('es');
  });

  it('skips malformed entries without throwing', () => {
    expect(negotiateLocale(';;;,,,')).toBe('en');
    expect(negotiateLocale('es;q=abc, pt;q=0.5')).toBe('pt');
    expect(negotiateLocale('es;q=2')).toBe('en');
    expect(negotiateLocale('12345, pt')).toBe('pt');
    expect(negotiateLocale('e$s, es')).toBe('es');
    expect(negotiateLocale('x'.repeat(10000))).toBe('en');
    expect(negotiateLocale(42 as unknown as string)).toBe('en');
  });
});
