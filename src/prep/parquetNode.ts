/**
 * Node's readCustomers() reads Parquet through parquet-wasm where it is installed (an
 * optional dependency), hyparquet otherwise. Called by the Node entry and the CLI; the
 * browser build never imports this file, so it never sees parquet-wasm's Node loader.
 */
import { setParquetReader } from './read';

export function useParquetWasm(): void {
  setParquetReader({ name: 'parquet-wasm', read: async (bytes, label) => (await import('./readParquetWasm')).readParquetWasm(bytes, label) });
}
