// The primary's bound on operation names across workers: the first names it
// sees keep their series, the rest are counted as `other`, for good, and
// summing the relabelled reports loses no count.

import { AggregatorRegistry, Counter, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { boundOperationNames } from '../../src/cluster/operation-name-bound.ts';

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

/** A worker's report: graphql_operations_total with one series per name, each counted `count` times. */
async function report(names: string[], count = 1): Promise<Snapshot> {
  const registry = new Registry();
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations answered.',
    labelNames: ['operation_type', 'operation_name'],
    registers: [registry],
  });
  for (const name of names) operations.inc({ operation_type: 'query', operation_name: name }, count);
  return registry.getMetricsAsJSON();
}

const namesIn = (snapshot: Snapshot) => snapshot[0]?.values.map((value) => value.labels.operation_name);

describe('boundOperationNames', () => {
  it('keeps the first names seen across reports, folds later ones into other, for good', async () => {
    const bound = boundOperationNames(2);
    expect(namesIn(bound(await report(['A', 'B', 'other'])))).toEqual(['A', 'B', 'other']);
    // Another worker's first names are later names here; a name already kept keeps its series.
    expect(namesIn(bound(await report(['C', 'A', 'anonymous'])))).toEqual(['other', 'A', 'anonymous']);
    // A replacement worker's report: C stays folded, and no place is left for D.
    expect(namesIn(bound(await report(['C', 'D'])))).toEqual(['other', 'other']);
  });

  it('gives no place to anonymous or other', async () => {
    const bound = boundOperationNames(1);
    expect(namesIn(bound(await report(['anonymous', 'other', 'A', 'B'])))).toEqual([
      'anonymous',
      'other',
      'A',
      'other',
    ]);
  });

  it('loses no count once the folded series are summed', async () => {
    const bound = boundOperationNames(1);
    const reports = [bound(await report(['A', 'B', 'C'], 2)), bound(await report(['D', 'other'], 3))];
    const [summed] = await AggregatorRegistry.aggregate(reports).getMetricsAsJSON();
    expect(summed?.values.map((value) => [value.labels.operation_name, value.value])).toEqual([
      ['A', 2],
      ['other', 10],
    ]);
  });
});
