/**
 * English, the source catalogue: its keys make the MessageKey type, so every other
 * language is checked against it at compile time. Texts the reference service returns
 * (error.MISSING_PARAMETER, error.AUTH_FAILED) are kept verbatim: segmint is a drop-in.
 */
/** The English messages; the other catalogues are typed against its keys. */
export const en = {
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
  'error.LIMIT_EXCEEDED': "'{parameter}' is past this service's limit for one request ({limit}).",
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
  'error.n_clusters_above_micro_clusters':
    "n_clusters is {n_clusters}, but hierarchical clustering of more than {max_exact_rows} customers (linkage '{linkage}'; here {n}) links {max} micro-clusters, so it can make at most {max} segments.",
  'error.min_samples_above_customers': "min_samples is {min_samples}, but there are only {n} customers; with eps 'auto' it can be at most {n}.",
  'error.n_clusters_refused': '{algorithm} cannot make {value} segments of these {n} customers; details.reason says why.',
  'error.parameter_refused': '{algorithm} cannot use {parameter} = {value} with these {n} customers; details.reason says why.',
  'error.covariance_singular':
    "The Gaussian mixture with covariance_type '{value}' has a singular covariance on these {n} customers (duplicate or collinear features); use fewer segments or features, or covariance_type 'diag' or 'spherical'.",
  'error.k_selection_refused': "The number of segments could not be chosen with {algorithm} on these {n} customers ('{parameter}'); details.reason says why.",
  'error.k_selection_distinct':
    'Choosing the number of segments from {k_min} up needs at least {k_min} distinct customers; these {n} customers have only {distinct}.',
  'error.no_algorithm': 'None of the algorithms tried ({algorithms}) could make {k} segments of these {n} customers; details.reason says why.',
} as const;

/** Every message key (the keys of the English catalogue). */
export type MessageKey = keyof typeof en;

/** A complete catalogue: one text per key. */
export type Catalogue = Record<MessageKey, string>;
