// METRICS_MAX_OPERATION_NAMES across workers. Each worker keeps its own first
// names, and the primary keeps what ended workers counted: summed as they
// are, the names would grow with every restart. The primary keeps the first
// names it sees, up to the same bound, and counts the rest as `other`; a name
// never moves between the two, so summed counters still never go down.

import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { boundedLabel } from '../observability/metrics.ts';

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Label values that are not names: they take no place. */
const notNames = new Set(['anonymous', 'other']);

/**
 * Relabels a worker's report: `operation_name` beyond the bound becomes
 * `other`. The series that then share labels are summed by the aggregator.
 */
export function boundOperationNames(maxOperationNames: number): (snapshot: Snapshot) => Snapshot {
  const bounded = boundedLabel(maxOperationNames);
  const label = (name: string) => (notNames.has(name) ? name : bounded(name));
  return (snapshot) =>
    snapshot.map((metric) => ({
      ...metric,
      values: metric.values.map((value) => {
        const name = value.labels.operation_name;
        if (typeof name !== 'string') return value;
        const kept = label(name);
        return kept === name ? value : { ...value, labels: { ...value.labels, operation_name: kept } };
      }),
    }));
}
