/**
 * Messages in English, Spanish and (Brazilian) Portuguese: segment labels and descriptions,
 * warnings, and the error bodies of the HTTP layer. English is the source: its keys make
 * the MessageKey type, and the other catalogues are typed against it, so a key missing in
 * one language fails to compile; a test checks that every translation uses the same
 * {placeholders}. The English texts the reference service returns are kept verbatim
 * (error.MISSING_PARAMETER, error.AUTH_FAILED, the `error` titles) so segmint stays a drop-in.
 *
 * Key families: label.* (segment names), desc.* (one-sentence segment descriptions),
 * fact.* and role.* (pieces those descriptions are built from), warning.*, method.* (the
 * imputation method named in warning.imputed), error.<CODE> (the `message` of an error
 * body). The `error` title of an error body is not here: it is ERROR_TITLES, English in every
 * language, because clients match on it as they do on `code`.
 */
import type { SegmentationErrorCode } from '../errors';

export type Locale = 'en' | 'es' | 'pt';
export const LOCALES: readonly Locale[] = ['en', 'es', 'pt'];
export const DEFAULT_LOCALE: Locale = 'en';

/** Error codes of the error bodies (`code` field); each has an `error.<CODE>` message. */
export type ErrorCode = SegmentationErrorCode;

const en = {
  'label.high_value': 'High-Value',
  'label.growth': 'Growth',
  'label.price_sensitive': 'Price-Sensitive',
  'label.at_risk': 'At-Risk',
  'label.outliers': 'Outliers',
  'label.generic': 'Segment {id}',

  'desc.high_value': 'Your best customers: {facts}.',
  'desc.growth': 'Rising customers with room to grow: {facts}.',
  'desc.price_sensitive': 'Customers driven by price: {facts}.',
  'desc.at_risk': 'Customers drifting away: {facts}.',
  'desc.outliers': 'Customers unlike any segment (DBSCAN noise); review them one by one.',
  'desc.generic_higher_lower': 'Customers with higher {a} and lower {b} than average.',
  'desc.generic_higher_higher': 'Customers with higher {a} and {b} than average.',
  'desc.generic_lower_lower': 'Customers with lower {a} and {b} than average.',
  'desc.generic_higher': 'Customers with higher {a} than average.',
  'desc.generic_lower': 'Customers with lower {a} than average.',
  'desc.generic_average': 'Customers close to the average on every feature.',

  'role.monetary': 'spend',
  'role.frequency': 'purchase frequency',
  'role.recency': 'time since last purchase',
  'role.engagement': 'engagement',
  'role.discount': 'discount usage',
  'fact.ratio': '{what} {ratio}x the average',
  'fact.above': '{what} above average',
  'fact.below': '{what} below average',
  'fact.recency_days': 'last purchase {days} days ago on average',

  'warning.small_sample': 'Only {n} customers: segmentations of fewer than 500 customers can be unstable.',
  'warning.silhouette_sampled': 'The silhouette score was computed on a random sample of {n} customers.',
  'warning.imputed': '{count} missing values in {feature} were filled with the {method}.',
  'warning.constant_dropped': 'Feature {feature} has the same value for every customer and was left out.',
  'warning.log_transform': 'A log transform was applied to the skewed features {features}.',
  'warning.fewer_clusters': 'Found {found} segments instead of the {requested} requested.',
  'warning.ignored_fields': 'Fields that are not numeric were left out: {features}. Name them in features to one-hot encode them.',
  'warning.unknown_parameters': 'Unknown request parameters were ignored: {parameters}.',
  'warning.n_clusters_ignored': 'DBSCAN finds the number of segments itself; n_clusters ({n_clusters}) was ignored.',
  'warning.n_clusters_reduced':
    'n_clusters asked for {requested} segments, but the customers have only {k} distinct combinations of feature values, so there are {k} segments.',
  'warning.metrics_unavailable': 'Quality metrics need at least 2 segments (excluding outliers); found {clusters}.',
  'warning.k_auto': 'The number of segments was chosen automatically: {k}.',
  'method.mean': 'mean',
  'method.median': 'median',
  'method.mode': 'most frequent value',
  'method.zero': 'value zero',

  'error.MISSING_PARAMETER': "Required parameter '{parameter}' is missing",
  'error.INVALID_PARAMETER': "Invalid value for parameter '{parameter}'",
  'error.INSUFFICIENT_DATA': 'At least {min} customers are needed for segmentation; received {n}.',
  'error.UNKNOWN_FEATURE': "Feature '{feature}' is not present in the data.",
  'error.DUPLICATE_ID': "Customer ID '{id}' appears more than once.",
  'error.NO_NUMERIC_FEATURES': 'The data has no numeric features to segment on.',
  'error.TOO_MANY_CATEGORIES': "Feature '{feature}' has {count} distinct values; at most {max} are allowed.",
  'error.MISSING_ID': 'Record {index} has no customer ID.',
  'error.MISSING_VALUES': "Customer {index} has no value for '{feature}' and missing is 'error'.",
  'error.AUTH_FAILED': 'Invalid or expired authentication token',
  'error.FORBIDDEN': 'The token is valid but does not have permission for this operation.',
  'error.SECRET_EXPIRED': 'The secret has expired; secrets must be rotated every 90 days.',
  'error.PAYLOAD_TOO_LARGE': 'The request body exceeds the limit of {limit} bytes.',
  'error.UNSUPPORTED_MEDIA_TYPE': 'The request body must be sent as application/json.',
  'error.RATE_LIMITED': 'Rate limit exceeded; retry in {seconds} seconds.',
  'error.TIMEOUT': 'Processing exceeded the limit of {seconds} seconds.',
  'error.SERVICE_UNAVAILABLE': 'The service is temporarily unavailable; retry with exponential backoff.',
  'error.INTERNAL_ERROR': 'Internal server error',
  'error.MALFORMED_JSON': 'The request body is not valid JSON.',
  'error.UNSUPPORTED_ENCODING': 'Content-Encoding {encoding} is not supported; send the body as is (identity) or gzip-compressed.',
  'error.MALFORMED_GZIP': 'The request body is declared gzip-compressed but is not valid gzip.',
  'error.INVALID_CREDENTIALS': 'Invalid authentication credentials',
} as const;

export type MessageKey = keyof typeof en;
type Catalogue = Record<MessageKey, string>;

const es: Catalogue = {
  'label.high_value': 'Alto Valor',
  'label.growth': 'Crecimiento',
  'label.price_sensitive': 'Sensible al Precio',
  'label.at_risk': 'En Riesgo',
  'label.outliers': 'Atípicos',
  'label.generic': 'Segmento {id}',

  'desc.high_value': 'Sus mejores clientes: {facts}.',
  'desc.growth': 'Clientes en ascenso con margen para crecer: {facts}.',
  'desc.price_sensitive': 'Clientes que deciden por el precio: {facts}.',
  'desc.at_risk': 'Clientes que se están alejando: {facts}.',
  'desc.outliers': 'Clientes que no encajan en ningún segmento (ruido de DBSCAN); conviene revisarlos uno por uno.',
  'desc.generic_higher_lower': 'Clientes con {a} más alto y {b} más bajo que el promedio.',
  'desc.generic_higher_higher': 'Clientes con {a} y {b} por encima del promedio.',
  'desc.generic_lower_lower': 'Clientes con {a} y {b} por debajo del promedio.',
  'desc.generic_higher': 'Clientes con {a} por encima del promedio.',
  'desc.generic_lower': 'Clientes con {a} por debajo del promedio.',
  'desc.generic_average': 'Clientes cercanos al promedio en todas las variables.',

  'role.monetary': 'gasto',
  'role.frequency': 'frecuencia de compra',
  'role.recency': 'tiempo desde la última compra',
  'role.engagement': 'interacción',
  'role.discount': 'uso de descuentos',
  'fact.ratio': '{what} de {ratio} veces el promedio',
  'fact.above': '{what} por encima del promedio',
  'fact.below': '{what} por debajo del promedio',
  'fact.recency_days': 'última compra hace {days} días en promedio',

  'warning.small_sample': 'Solo hay {n} clientes: con menos de 500 clientes la segmentación puede ser inestable.',
  'warning.silhouette_sampled': 'El coeficiente de silueta se calculó sobre una muestra aleatoria de {n} clientes.',
  'warning.imputed': 'Se completaron {count} valores faltantes de {feature} con la {method}.',
  'warning.constant_dropped': 'La variable {feature} tiene el mismo valor para todos los clientes y se descartó.',
  'warning.log_transform': 'Se aplicó una transformación logarítmica a las variables asimétricas {features}.',
  'warning.fewer_clusters': 'Se encontraron {found} segmentos en lugar de los {requested} solicitados.',
  'warning.ignored_fields': 'Se omitieron los campos no numéricos: {features}. Inclúyalos en features para codificarlos como one-hot.',
  'warning.unknown_parameters': 'Se ignoraron parámetros desconocidos de la solicitud: {parameters}.',
  'warning.n_clusters_ignored': 'DBSCAN determina por sí mismo el número de segmentos; se ignoró n_clusters ({n_clusters}).',
  'warning.n_clusters_reduced':
    'n_clusters pedía {requested} segmentos, pero los clientes solo tienen {k} combinaciones distintas de valores, así que hay {k} segmentos.',
  'warning.metrics_unavailable': 'Las métricas de calidad requieren al menos 2 segmentos (sin contar los atípicos); se encontraron {clusters}.',
  'warning.k_auto': 'El número de segmentos se eligió automáticamente: {k}.',
  'method.mean': 'media',
  'method.median': 'mediana',
  'method.mode': 'moda',
  'method.zero': 'cifra cero',

  'error.MISSING_PARAMETER': "Falta el parámetro obligatorio '{parameter}'",
  'error.INVALID_PARAMETER': "El valor del parámetro '{parameter}' no es válido",
  'error.INSUFFICIENT_DATA': 'Se necesitan al menos {min} clientes para segmentar; se recibieron {n}.',
  'error.UNKNOWN_FEATURE': "La variable '{feature}' no existe en los datos.",
  'error.DUPLICATE_ID': "El ID de cliente '{id}' aparece más de una vez.",
  'error.NO_NUMERIC_FEATURES': 'Los datos no tienen variables numéricas con las que segmentar.',
  'error.TOO_MANY_CATEGORIES': "La variable '{feature}' tiene {count} valores distintos; se admiten como máximo {max}.",
  'error.MISSING_ID': 'El registro {index} no tiene ID de cliente.',
  'error.MISSING_VALUES': "Al cliente {index} le falta un valor de '{feature}' y missing es 'error'.",
  'error.AUTH_FAILED': 'El token de autenticación no es válido o ha caducado',
  'error.FORBIDDEN': 'El token es válido, pero no tiene permiso para esta operación.',
  'error.SECRET_EXPIRED': 'El secreto ha caducado; debe renovarse cada 90 días.',
  'error.PAYLOAD_TOO_LARGE': 'El cuerpo de la solicitud supera el límite de {limit} bytes.',
  'error.UNSUPPORTED_MEDIA_TYPE': 'El cuerpo de la solicitud debe enviarse como application/json.',
  'error.RATE_LIMITED': 'Se superó el límite de solicitudes; vuelva a intentarlo en {seconds} segundos.',
  'error.TIMEOUT': 'El procesamiento superó el límite de {seconds} segundos.',
  'error.SERVICE_UNAVAILABLE': 'El servicio no está disponible por el momento; reintente con espera exponencial.',
  'error.INTERNAL_ERROR': 'Error interno del servidor',
  'error.MALFORMED_JSON': 'El cuerpo de la solicitud no es un JSON válido.',
  'error.UNSUPPORTED_ENCODING': 'Content-Encoding {encoding} no es compatible; envíe el cuerpo tal cual (identity) o comprimido con gzip.',
  'error.MALFORMED_GZIP': 'El cuerpo de la solicitud se declara comprimido con gzip, pero no es un gzip válido.',
  'error.INVALID_CREDENTIALS': 'Credenciales de autenticación no válidas',
};

const pt: Catalogue = {
  'label.high_value': 'Alto Valor',
  'label.growth': 'Crescimento',
  'label.price_sensitive': 'Sensível a Preço',
  'label.at_risk': 'Em Risco',
  'label.outliers': 'Atípicos',
  'label.generic': 'Segmento {id}',

  'desc.high_value': 'Seus melhores clientes: {facts}.',
  'desc.growth': 'Clientes em ascensão, com espaço para crescer: {facts}.',
  'desc.price_sensitive': 'Clientes que decidem pelo preço: {facts}.',
  'desc.at_risk': 'Clientes que estão se afastando: {facts}.',
  'desc.outliers': 'Clientes que não se encaixam em nenhum segmento (ruído do DBSCAN); vale analisá-los um a um.',
  'desc.generic_higher_lower': 'Clientes com {a} mais alto e {b} mais baixo que a média.',
  'desc.generic_higher_higher': 'Clientes com {a} e {b} acima da média.',
  'desc.generic_lower_lower': 'Clientes com {a} e {b} abaixo da média.',
  'desc.generic_higher': 'Clientes com {a} acima da média.',
  'desc.generic_lower': 'Clientes com {a} abaixo da média.',
  'desc.generic_average': 'Clientes próximos da média em todas as variáveis.',

  'role.monetary': 'gasto',
  'role.frequency': 'frequência de compra',
  'role.recency': 'tempo desde a última compra',
  'role.engagement': 'engajamento',
  'role.discount': 'uso de descontos',
  'fact.ratio': '{what} de {ratio}x a média',
  'fact.above': '{what} acima da média',
  'fact.below': '{what} abaixo da média',
  'fact.recency_days': 'última compra há {days} dias em média',

  'warning.small_sample': 'Apenas {n} clientes: segmentações com menos de 500 clientes podem ser instáveis.',
  'warning.silhouette_sampled': 'O coeficiente de silhueta foi calculado sobre uma amostra aleatória de {n} clientes.',
  'warning.imputed': '{count} valores ausentes em {feature} foram preenchidos com a {method}.',
  'warning.constant_dropped': 'A variável {feature} tem o mesmo valor para todos os clientes e foi descartada.',
  'warning.log_transform': 'Foi aplicada uma transformação logarítmica às variáveis assimétricas {features}.',
  'warning.fewer_clusters': 'Foram encontrados {found} segmentos em vez dos {requested} solicitados.',
  'warning.ignored_fields': 'Campos não numéricos foram deixados de fora: {features}. Inclua-os em features para codificá-los como one-hot.',
  'warning.unknown_parameters': 'Parâmetros desconhecidos da requisição foram ignorados: {parameters}.',
  'warning.n_clusters_ignored': 'O DBSCAN define sozinho o número de segmentos; n_clusters ({n_clusters}) foi ignorado.',
  'warning.n_clusters_reduced':
    'n_clusters pediu {requested} segmentos, mas os clientes têm apenas {k} combinações distintas de valores, então há {k} segmentos.',
  'warning.metrics_unavailable': 'As métricas de qualidade exigem pelo menos 2 segmentos (sem contar os atípicos); foram encontrados {clusters}.',
  'warning.k_auto': 'O número de segmentos foi escolhido automaticamente: {k}.',
  'method.mean': 'média',
  'method.median': 'mediana',
  'method.mode': 'moda',
  'method.zero': 'constante zero',

  'error.MISSING_PARAMETER': "O parâmetro obrigatório '{parameter}' não foi informado",
  'error.INVALID_PARAMETER': "Valor inválido para o parâmetro '{parameter}'",
  'error.INSUFFICIENT_DATA': 'São necessários pelo menos {min} clientes para a segmentação; foram recebidos {n}.',
  'error.UNKNOWN_FEATURE': "A variável '{feature}' não existe nos dados.",
  'error.DUPLICATE_ID': "O ID de cliente '{id}' aparece mais de uma vez.",
  'error.NO_NUMERIC_FEATURES': 'Os dados não têm variáveis numéricas para segmentar.',
  'error.TOO_MANY_CATEGORIES': "A variável '{feature}' tem {count} valores distintos; o máximo permitido é {max}.",
  'error.MISSING_ID': 'O registro {index} não tem ID de cliente.',
  'error.MISSING_VALUES': "O cliente {index} não tem valor para '{feature}' e missing é 'error'.",
  'error.AUTH_FAILED': 'Token de autenticação inválido ou expirado',
  'error.FORBIDDEN': 'O token é válido, mas não tem permissão para esta operação.',
  'error.SECRET_EXPIRED': 'O segredo expirou; ele precisa ser renovado a cada 90 dias.',
  'error.PAYLOAD_TOO_LARGE': 'O corpo da requisição excede o limite de {limit} bytes.',
  'error.UNSUPPORTED_MEDIA_TYPE': 'O corpo da requisição deve ser enviado como application/json.',
  'error.RATE_LIMITED': 'Limite de requisições excedido; tente novamente em {seconds} segundos.',
  'error.TIMEOUT': 'O processamento excedeu o limite de {seconds} segundos.',
  'error.SERVICE_UNAVAILABLE': 'O serviço está temporariamente indisponível; tente novamente com espera exponencial.',
  'error.INTERNAL_ERROR': 'Erro interno do servidor',
  'error.MALFORMED_JSON': 'O corpo da requisição não é um JSON válido.',
  'error.UNSUPPORTED_ENCODING': 'Content-Encoding {encoding} não é suportado; envie o corpo como está (identity) ou comprimido com gzip.',
  'error.MALFORMED_GZIP': 'O corpo da requisição é declarado como gzip, mas não é um gzip válido.',
  'error.INVALID_CREDENTIALS': 'Credenciais de autenticação inválidas',
};

const CATALOGUES: Record<Locale, Catalogue> = { en, es, pt };

/** Every message key, in catalogue order (for tests and tooling). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/** The raw template of a key, placeholders not filled in. */
export function template(locale: Locale, key: MessageKey): string {
  return (CATALOGUES[locale] ?? en)[key];
}

/** A number written the way the locale writes it (decimal comma in es and pt), no grouping. */
/**
 * The `error` field of an error body: a stable English title in every language (clients
 * match on it, as on `code`); only `message` follows Accept-Language. The reference's own
 * titles are kept verbatim.
 */
export const ERROR_TITLES = {
  validation_failed: 'Validation failed',
  invalid_parameters: 'Invalid parameters',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  too_many_requests: 'Too many requests',
  timeout: 'Request timeout',
  service_unavailable: 'Service unavailable',
  internal_error: 'Internal server error',
  service_failure: 'Failed to communicate with AI service',
} as const;

export type ErrorTitle = keyof typeof ERROR_TITLES;

export function formatNumber(locale: Locale, value: number, maximumFractionDigits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits, useGrouping: false }).format(value);
}

/** "a, b and c" / "a, b y c" / "a, b e c". */
export function formatList(locale: Locale, items: readonly string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

/**
 * The message for `key` with {name} placeholders replaced by `params`; numbers are written
 * in the locale's style. A placeholder without a value is left as written, so a caller's
 * omission shows up in the text instead of as "undefined".
 */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text = template(locale, key);
  if (text === undefined) throw new Error(`unknown message key ${JSON.stringify(key)}`);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) return whole;
    return typeof value === 'number' ? formatNumber(locale, value, 3) : String(value);
  });
}

/** The `message` of an error body for `code`. */
export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}`, params);
}

/**
 * Parses an Accept-Language header value ("pt-BR,pt;q=0.9,en;q=0.8", "*", "", "fr") to the
 * best supported locale, default 'en'. Ranges are tried by quality (q=0 means "not this
 * one"), ties in the order written; a region or script is ignored (pt-BR -> pt,
 * es-419 -> es); "*" accepts the default. Malformed entries are skipped, never thrown on.
 */
export function negotiateLocale(header: string | null | undefined): Locale {
  if (typeof header !== 'string' || header.length === 0 || header.length > 4096) return DEFAULT_LOCALE;
  const ranges: { primary: string; q: number; order: number }[] = [];
  header.split(',').forEach((part, order) => {
    const [range, ...paramsList] = part.split(';').map((s) => s.trim());
    if (!range || !/^(\*|[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*)$/.test(range)) return;
    let q = 1;
    for (const p of paramsList) {
      const m = /^q\s*=\s*([0-9](\.[0-9]{0,3})?)$/i.exec(p);
      if (!m) {
        if (/^q\s*=/i.test(p)) return; // a q that is not a number: drop the range
        continue;
      }
      q = Number(m[1]);
    }
    if (!(q > 0) || q > 1) return;
    ranges.push({ primary: range.split(/[-_]/)[0].toLowerCase(), q, order });
  });
  ranges.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const r of ranges) {
    if (r.primary === '*') return DEFAULT_LOCALE;
    if ((LOCALES as readonly string[]).includes(r.primary)) return r.primary as Locale;
  }
  return DEFAULT_LOCALE;
}

/** True when `value` is one of the supported locales. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
