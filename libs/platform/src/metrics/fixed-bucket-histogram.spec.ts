import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { FixedBucketHistogram } from './fixed-bucket-histogram';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** Every sample line of a metric's exposition, with its labels in a fixed order. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .map((line) => {
      const match = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line)!;
      const labels = (match[2] ?? '').split(',').filter(Boolean).sort().join(',');
      return `${match[1]}{${labels}} ${match[3]}`;
    })
    .sort();
}

/** The same observations, in prom-client's Histogram and in ours, each in its own registry. */
function twins(labelNames: string[] = []) {
  const theirs = new Registry();
  const ours = new Registry();
  for (const registry of [theirs, ours]) registry.setDefaultLabels({ service: 'test' });
  const reference = new Histogram({ name: 'latency_seconds', help: 'h', labelNames, buckets: BUCKETS, registers: [theirs] });
  const histogram = new FixedBucketHistogram({ name: 'latency_seconds', help: 'h', labelNames, buckets: BUCKETS, registers: [ours] });
  return { theirs, ours, reference, histogram };
}

describe('FixedBucketHistogram', () => {
  it('exposes the same series and values as prom-client for an unlabelled histogram, bounds included', async () => {
    const { theirs, ours, reference, histogram } = twins();
    const series = histogram.labels({});
    // Values on a bound belong to that bound's bucket (le is "less than or equal").
    for (const value of [0, 0.0005, 0.001, 0.0011, 0.01, 0.05, 0.1, 0.5, 1, 2, 30]) {
      reference.observe(value);
      series.observe(value);
    }
    const expected = samples(await theirs.metrics(), 'latency_seconds');
    expect(expected).toHaveLength(BUCKETS.length + 3);
    expect(samples(await ours.metrics(), 'latency_seconds')).toEqual(expected);
    expect(await ours.metrics()).toContain('# TYPE latency_seconds histogram');
  });

  it('keeps one series per label set, whichever way it is observed', async () => {
    const { theirs, ours, reference, histogram } = twins(['route', 'status_code']);
    const kept = histogram.labels({ route: '/a', status_code: '200' });
    for (let i = 0; i < 200; i++) {
      const value = (i % 17) / 40;
      const labels = { route: i % 3 === 0 ? '/b' : '/a', status_code: i % 5 === 0 ? 500 : '200' };
      reference.observe(labels, value);
      if (labels.route === '/a' && labels.status_code === '200') kept.observe(value);
      else histogram.observe(labels, value);
    }
    expect(samples(await ours.metrics(), 'latency_seconds')).toEqual(samples(await theirs.metrics(), 'latency_seconds'));
    expect(histogram.labels({ status_code: '200', route: '/a' })).toBe(kept);
  });

  it('sums across processes through AggregatorRegistry like prom-client histograms', async () => {
    const workers = [twins(), twins()];
    workers.forEach(({ reference, histogram }, i) => {
      for (let n = 0; n <= i * 3; n++) {
        reference.observe(0.05 * n);
        histogram.observe({}, 0.05 * n);
      }
    });
    const aggregate = async (registries: Registry[]) =>
      AggregatorRegistry.aggregate(await Promise.all(registries.map((registry) => registry.getMetricsAsJSON()))).metrics();
    const expected = samples(await aggregate(workers.map((worker) => worker.theirs)), 'latency_seconds');
    expect(expected.find((line) => line.startsWith('latency_seconds_count'))).toMatch(/ 5$/);
    expect(samples(await aggregate(workers.map((worker) => worker.ours)), 'latency_seconds')).toEqual(expected);
  });

  it('refuses a label it was not given, buckets out of order and the le label', () => {
    const { histogram } = twins(['route']);
    expect(() => histogram.labels({ status: '200' })).toThrow(/no label named status/);
    expect(() => new FixedBucketHistogram({ name: 'x', help: 'h', buckets: [1, 0.5] })).toThrow(/ascend/);
    expect(() => new FixedBucketHistogram({ name: 'x', help: 'h', labelNames: ['le'], buckets: [1] })).toThrow(/le/);
  });

  it('starts again from zero after reset()', async () => {
    const { ours, histogram } = twins();
    histogram.observe({}, 0.5);
    histogram.reset();
    expect(samples(await ours.metrics(), 'latency_seconds')).toEqual([]);
  });
});
