// Counters and histograms that the request path updates without prom-client's
// work per update (label checks, hashing, walking buckets): updates are held
// in plain numbers and handed to prom-client when it is read (a scrape), keyed
// by label objects made once each.

import {
  Counter,
  type CounterConfiguration,
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
} from 'prom-client';

/**
 * A counter whose increments are summed in plain numbers and handed to
 * prom-client when it is read (a scrape): counting on the request path is
 * then a map update, without prom-client's label checks and hashing. The
 * sums are keyed by label objects made once each (see `memoize`), so they
 * are as bounded as the labels.
 */
export function summedCounter<T extends string>(configuration: CounterConfiguration<T>) {
  const sums = new Map<LabelValues<T>, number>();
  new Counter<T>({
    ...configuration,
    collect() {
      for (const [labels, sum] of sums) this.inc(labels, sum);
      sums.clear();
    },
  });
  return (labels: LabelValues<T>, by = 1) => {
    sums.set(labels, (sums.get(labels) ?? 0) + by);
  };
}

/** Observations a histogram holds before it hands them to prom-client: its bound. */
export const histogramBatchSize = 512;

/**
 * A histogram whose observations are written into a small array on the
 * request path and handed to prom-client in one loop when the array is full
 * or the histogram is read (a scrape). prom-client's observe checks and
 * hashes its labels and walks its buckets each time: run back to back, that
 * work stays in the processor's caches instead of being spread over every
 * request. The label objects are made once each (see `memoize`).
 */
export function batchedHistogram<T extends string>(configuration: HistogramConfiguration<T>) {
  const labelsOf: LabelValues<T>[] = [];
  const values = new Float64Array(histogramBatchSize);
  let held = 0;
  const handOver = (histogram: Histogram<T>) => {
    // Emptied first: an observation prom-client refuses (it throws) must not keep the batch full for good.
    const count = held;
    held = 0;
    for (let i = 0; i < count; i++) histogram.observe(labelsOf[i] as LabelValues<T>, values[i] as number);
  };
  const histogram = new Histogram<T>({
    ...configuration,
    collect() {
      handOver(this);
    },
  });
  return (labels: LabelValues<T>, value: number) => {
    labelsOf[held] = labels;
    values[held] = value;
    held++;
    if (held === histogramBatchSize) handOver(histogram);
  };
}

/**
 * One value per distinct arguments, kept for the process: only for arguments
 * of a bounded set. Looked up through one map per argument, so that a lookup
 * allocates nothing.
 */
export function memoize<A extends string[], T>(make: (...args: A) => T): (...args: A) => T {
  const root = new Map<string, unknown>();
  return (...args) => {
    let level = root;
    for (let i = 0; i < args.length - 1; i++) {
      const key = args[i] as string;
      let next = level.get(key) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    const last = args[args.length - 1] as string;
    let value = level.get(last) as T | undefined;
    if (value === undefined) {
      value = make(...args);
      level.set(last, value);
    }
    return value;
  };
}
