/**
 * An asynchronous segmentation job as the API shows it and the stores keep it. A job's
 * body and result are kept beside its record (gzip), never inside it, so polling the
 * status of a 15 MB job moves a few hundred bytes.
 */
import type { Locale } from '../i18n/index';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface JobRecord {
  id: string;
  /** Who may see the job: a digest of the token and the tenant (see ownerOf). */
  owner: string;
  tenant?: string;
  status: JobStatus;
  stage: string;
  percent: number;
  locale: Locale;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  /** For failed and cancelled jobs: the error body's code and message. */
  error?: { code: string; message: string };
  /** HTTP status of the result (the synchronous path's status). */
  result_status?: number;
  callback_url?: string;
  /** How many times a runner started it (more than one after a worker died). */
  attempts: number;
  /** The runner's request id, for the logs. */
  request_id?: string;
}

/** What GET .../jobs/{id} answers. */
export function publicView(record: JobRecord, resultUrl: string): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: record.id,
    status: record.status,
    progress: { stage: record.stage, percent: record.percent },
    created_at: record.created_at,
    started_at: record.started_at ?? null,
    finished_at: record.finished_at ?? null,
  };
  if (record.error) view.error = record.error;
  if (record.status === 'succeeded' || record.status === 'failed') view.result_url = resultUrl;
  return view;
}

export function ownerOf(subject: string, tenant: string | undefined): string {
  return `${subject}:${tenant ?? '-'}`;
}
