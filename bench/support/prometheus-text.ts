// Reading a service's /metrics (Prometheus text format): between two moments of a benchmark, and
// in the e2e tests that check what the metrics count.

/** Every sample of the scrape, by series (`name{labels}` as printed) to value. */
export async function scrape(metricsUrl: string): Promise<Map<string, number>> {
  return parseSamples(await (await fetch(metricsUrl)).text());
}

/** Every sample of a /metrics text, by series (`name{labels}` as printed) to value. */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

/** The sum of the samples of metric `name` whose labels include every `label="value"` given. */
export function total(samples: Map<string, number>, name: string, labels: string[] = []): number {
  let sum = 0;
  for (const [series, value] of samples) {
    const brace = series.indexOf('{');
    if ((brace === -1 ? series : series.slice(0, brace)) === name && labels.every((label) => series.includes(label))) sum += value;
  }
  return sum;
}

/** The histogram's buckets: cumulative counts by upper bound. */
export async function histogram(metricsUrl: string, name: string): Promise<Map<number, number>> {
  const buckets = new Map<number, number>();
  for (const [series, value] of await scrape(metricsUrl)) {
    const match = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\}$`).exec(series);
    if (match) buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), value);
  }
  return buckets;
}

/** p99 of the observations between two scrapes: the first bucket bound holding 99% of them. */
export function histogramP99(before: Map<number, number>, after: Map<number, number>): { bound: number; count: number } {
  const bounds = [...after.keys()].sort((x, y) => x - y);
  const count = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= 0.99 * count) return { bound, count };
  }
  return { bound: Infinity, count };
}
