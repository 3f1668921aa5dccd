/** Help texts: the overview and one per command, each with examples and exit codes. */

export const EXIT_CODES = `Exit codes:
  0  done
  1  the data could not be read or segmented (the reason on stderr)
  2  bad usage (a flag or argument; the flag is named)
`;

export const MAIN_HELP = `segmint: customer segmentation (K-Means, hierarchical, DBSCAN, Gaussian mixtures)

Usage:
  segmint segment FILE [options]   segment customers from FILE (CSV, JSON, NDJSON, Parquet; - for stdin)
  segmint serve [options]          run the HTTP endpoint (segmint serve --help)
  segmint worker [options]         run queued jobs from REDIS_URL (segmint worker --help)
  segmint bench [suite ...]        run the benchmark suites (from a checkout of segmint)
  segmint help COMMAND             help on a command (or COMMAND --help)
  segmint --version

Examples:
  segmint segment customers.csv
  segmint segment export.csv -k 5 -l es -o segments.csv
  segmint segment customers.parquet --report report.html

${EXIT_CODES}`;

export const SEGMENT_HELP = `Usage: segmint segment FILE [options]

Segments the customers in FILE (- reads standard input) and prints the result: a table on
a terminal, JSON otherwise; --format and --output change that.

Input:
  CSV      any delimiter among , ; tab | (detected; --delimiter forces one), a header row,
           quoted fields, UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.
           Numbers may use decimal commas (1.234,50), thousands separators (1,234.50 or
           1 234,5), currency signs or codes ($ € £ R$ USD EUR BRL ...), percent signs
           (12.3% is read as 0.123) and parentheses for negatives ((45) is -45); each
           column read that way gets a warning saying so. --decimal forces the mark.
  JSON     an array of customers, or the endpoint's request body ({"data": [...], ...}).
  NDJSON   one customer object per line (.ndjson, .jsonl).
  Parquet  .parquet files (numeric columns as they are).
  The id column is found by name (customer_id, Customer ID, id, client_id, id_cliente,
  cliente_id, user_id, email, ...); --id-field names it otherwise. Every other numeric
  column is a feature unless --features names the ones to use. Empty cells, NA, N/A,
  null, - and ? are missing values.

Clustering:
  -a, --algorithm NAME     kmeans (default), hierarchical, dbscan, gmm, auto
  -k, --k N|auto           number of segments (default: auto, chosen on the k-selection curve)
      --k-range MIN,MAX    range searched when k is auto (default 2,10)
      --k-selection NAME   silhouette (default), davies_bouldin, elbow, bic, calinski_harabasz
      --linkage NAME       hierarchical linkage: ward (default), complete, average, single
      --eps X|auto         DBSCAN neighbourhood radius (scaled units; default auto)
      --min-samples N      DBSCAN core point size, the point included (default 5)
      --covariance NAME    Gaussian mixture covariance: full (default), diag, tied, spherical
      --seed N             random seed (default 0)

Data:
  -f, --features LIST      comma-separated columns to use (default: every numeric column)
      --id-field NAME      the customer id column
      --roles LIST         business roles: spend=monetary,orders=frequency,... (monetary,
                           frequency, recency, engagement, discount)
      --scaling NAME       zscore (default), robust, minmax, none
      --missing NAME       median (default), mean, error
      --log-transform X    auto (default), true, false
      --max-categories N   most values of a text feature named in --features (default 20)
      --categorical MODE   text features next to numeric ones: auto (default: as categories,
                           k-prototypes / Gower), onehot (one-hot columns), kprototypes
      --delimiter D        CSV delimiter: , ; tab | (or comma, semicolon, pipe)
      --decimal D          decimal mark of numbers in text: . or , (or dot, comma)
      --input-format F     csv, json, ndjson, parquet, arrow, xlsx (default: from the name, then the content)

Output:
  -o, --output FILE        write the result to FILE instead of standard output
      --format FORMAT      table, json, csv (the assignments: customer_id,segment_id,label)
                           or markdown; default: from --output's extension, else table on a
                           terminal and json otherwise
      --probabilities      csv: add each segment's probability (Gaussian mixtures)
      --report FILE        also write a self-contained HTML report (opens offline)
  -l, --locale LANG        labels and messages in en (default), es or pt
      --quiet              no progress or warnings on stderr
      --threads N          threads for the clustering, the silhouette and the stability
                           refits (results do not depend on it; each extra thread holds a
                           copy of the data: ~100 MB per million customers); default 1
  -h, --help               this help

Files bigger than memory:
      --stream             read FILE (CSV or Parquet) twice in chunks, memory independent of
                           the rows: pass 1 keeps exact means/variances, a quantile sketch
                           (medians within 0.5%) and a sample, and fits mini-batch K-Means on
                           the sample; pass 2 writes customer_id,segment_id,label for every
                           row (--format json: a summary instead). Needs -k N. Not with -a
                           other than kmeans, k selection, --linkage, --eps, --min-samples,
                           --covariance, --probabilities, --report, --roles,
                           --max-categories, --format table/markdown, or standard input
                           (usage errors). Ids are not checked for duplicates.

Examples:
  segmint segment customers.csv
  segmint segment export.csv --delimiter ';' --decimal , -k 4
  segmint segment clientes.csv -l es -o segmentos.csv --report informe.html
  segmint segment customers.json -a gmm -k 3 --format csv --probabilities
  cat customers.ndjson | segmint segment - -a dbscan --eps 0.8 --min-samples 10
  segmint segment big.csv --stream -k 5 -o assignments.csv

${EXIT_CODES}`;

export const BENCH_HELP = `Usage: segmint bench [suite ...] [--sizes=N,N] [--quick]

Runs the benchmark suites against the peers and the plain-TS reference. Needs a checkout
of segmint (git clone, npm install): the peers are development dependencies.

Examples:
  segmint bench
  segmint bench kmeans --sizes=50000,500000

${EXIT_CODES}`;
