/**
 * The return_model format (a fitted segmentation as JSON: preprocessing, the algorithm's
 * predictor, and which algorithm label is which segment) and assignSegments, which puts
 * new customers through it. The format is a contract: models saved by users must load.
 */
import { transformRecords, type CustomerId, type FeatureTransform } from '../prep/records';
import { loadPredictor, type PredictorJSON, type SegmentAlgorithm } from './algorithms';
import { badRequest } from './errors';

/** A fitted segmentation (`return_model: true`): preprocessing plus what places a customer. */
export interface SegmentationModel {
  type: 'segmint.segmentation';
  version: 1;
  id_field: string;
  algorithm: SegmentAlgorithm;
  transforms: FeatureTransform[];
  predictor: PredictorJSON;
  /** Algorithm label -> segment_id of the response. */
  segment_of_label: Record<string, number>;
  segments: { segment_id: number; label: string; label_key: string }[];
}

/** One new customer's segment (assignSegments); -1 and '' when it fits none (DBSCAN noise). */
export interface SegmentAssignment {
  customer_id: CustomerId | null;
  segment_id: number;
  label: string;
}

/** The model of a segmentation whose algorithm labels became segments by `mapping`. */
export function buildModel(
  idField: string,
  algorithm: SegmentAlgorithm,
  transforms: FeatureTransform[],
  predictor: PredictorJSON,
  mapping: Map<number, number>,
  segments: { segment_id: number; label: string; label_key: string }[],
): SegmentationModel {
  return {
    type: 'segmint.segmentation',
    version: 1,
    id_field: idField,
    algorithm,
    transforms,
    predictor,
    segment_of_label: Object.fromEntries([...mapping].map(([from, to]) => [String(from), to])),
    segments: segments.map((s) => ({ segment_id: s.segment_id, label: s.label, label_key: s.label_key })),
  };
}

/**
 * Places new customers into the segments of a fitted segmentation (`return_model: true`):
 * the same preprocessing (imputation, log transform, scaling, one-hot), then the
 * algorithm's own rule (nearest K-Means centroid, most likely mixture component, DBSCAN
 * core point within eps, or nearest segment centroid for hierarchical clustering).
 * Throws a DataError; the facade renders it as a SegmentationError.
 */
export function assignToSegments(model: SegmentationModel | string, customers: unknown[]): SegmentAssignment[] {
  const m: SegmentationModel = typeof model === 'string' ? JSON.parse(model) : model;
  if (m?.type !== 'segmint.segmentation' || m.version !== 1 || !Array.isArray(m.transforms) || !m.predictor) {
    throw badRequest('model', 'is not a segmint segmentation model (from segment() with return_model: true)');
  }
  if (!Array.isArray(customers)) throw badRequest('customers', 'must be an array of customer objects');
  if (customers.length === 0) return [];
  const X = transformRecords(customers, m.transforms);
  const labels = loadPredictor(m.predictor)(X);
  const names = new Map(m.segments.map((s) => [s.segment_id, s.label]));
  return Array.from(labels, (l, i) => {
    const segmentId = l < 0 ? -1 : (m.segment_of_label[String(l)] ?? -1);
    const id = (customers[i] as Record<string, unknown>)[m.id_field];
    return {
      customer_id: typeof id === 'string' || typeof id === 'number' ? id : null,
      segment_id: segmentId,
      label: names.get(segmentId) ?? '',
    };
  });
}
