// The operations pack (docker/prometheus, docker/grafana, docs/runbooks.md): promtool checks the
// Prometheus configuration and the alert rules and runs the alerts' unit tests; every alert carries
// a severity, a summary and a runbook section that exists, and is tested firing and not firing;
// Prometheus scrapes every Keyward service of the compose file; and every metric the dashboard and
// the alerts name is one the running services export (by that service, where a query names it).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { ALL_QUEUES } from '@keyward/jobs';
import { parseSamples, total } from '../bench/support/prometheus-text';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { DedicatedRedis, waitFor } from './support/fault-servers';
import { client, request } from './support/http-client';
import { brokenLink } from './support/markdown-links';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
// The same look-up jest.config.js uses to leave this suite out on a machine without promtool.
import { whereOnMachine } from './support/machine-tools';

const ROOT = resolve(__dirname, '..');
const PROMETHEUS_DIR = join(ROOT, 'docker/prometheus');
const SEVERITIES = ['critical', 'warning'];

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** A YAML file of the repository; compose's `<<` merge keys merged, as compose does. */
const yaml = <T>(path: string): T => load(readFileSync(join(ROOT, path), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as T;
const alerts = (): AlertRule[] => yaml<{ groups: { rules: AlertRule[] }[] }>('docker/prometheus/alerts.yml').groups.flatMap((g) => g.rules);
const dashboard = (): { panels: Panel[] } => JSON.parse(readFileSync(join(ROOT, 'docker/grafana/keyward.json'), 'utf8'));

function promtool(): string {
  const found = whereOnMachine('promtool');
  if (found !== null) return found;
  throw new Error(
    'promtool is not installed (looked on PATH and in /usr/sbin): this suite checks and unit-tests the alert rules with it. ' +
      "Install Debian's package: apt-get install prometheus (.ci/run does so when it is missing).",
  );
}

async function runPromtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(promtool(), args, { cwd: PROMETHEUS_DIR });
    return stdout + stderr;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

const AGGREGATION_CLAUSES = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects, each with the `service` its selector requires (if
 * any): label matchers, ranges, strings and grouping clauses dropped, what is left of the names
 * that are not functions (followed by a parenthesis) or keywords.
 */
export function selectedMetrics(expr: string): { name: string; service?: string }[] {
  const selectors: { name: string; service?: string }[] = [];
  const withoutMatchers = expr.replace(/([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g, (_, name: string | undefined, matchers: string) => {
    if (name) selectors.push({ name, service: /\bservice\s*=\s*"([^"]+)"/.exec(matchers)?.[1] });
    return ' ';
  });
  const bare = withoutMatchers
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(AGGREGATION_CLAUSES, ' ');
  for (const match of bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (!match[2] && !KEYWORDS.has(match[1].toLowerCase())) selectors.push({ name: match[1] });
  }
  return selectors;
}

/** Every name a /metrics text exports: its samples' names, and each histogram's and summary's series. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type;
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]);
  }
  return names;
}

describe('operations pack: Prometheus alerts and the Grafana dashboard', () => {
  it('passes promtool check config (which checks the rule files it names) and promtool check rules', async () => {
    expect(await runPromtool('check', 'config', 'prometheus.yml')).toMatch(/SUCCESS: 1 rule files found/);
    expect(await runPromtool('check', 'rules', 'alerts.yml')).toMatch(new RegExp(`SUCCESS: ${alerts().length} rules found`));
  });

  it("passes the alerts' unit tests (promtool test rules)", async () => {
    expect(await runPromtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it('gives every alert a severity, a summary and a runbook section of docs/runbooks.md that exists', () => {
    const rules = alerts();
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const problems = rules.flatMap(({ alert, labels, annotations }) => {
      const found: string[] = [];
      if (!SEVERITIES.includes(labels?.severity ?? ''))
        found.push(`${alert}: severity ${labels?.severity} is not one of ${SEVERITIES.join(', ')}`);
      if (!annotations?.summary?.trim()) found.push(`${alert}: no summary`);
      const runbook = annotations?.runbook_url ?? '';
      if (runbook !== `docs/runbooks.md#${alert.toLowerCase()}`) found.push(`${alert}: runbook_url ${runbook} is not its section`);
      const broken = brokenLink(join(ROOT, 'README.md'), runbook);
      if (broken) found.push(`${alert}: ${broken}`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  it('unit-tests every alert both firing and not firing, and no alert that does not exist', () => {
    const cases = yaml<{ tests: RuleTest[] }>('docker/prometheus/alerts.test.yml').tests.flatMap((t) => t.alert_rule_test ?? []);
    const names = alerts().map(({ alert }) => alert);
    for (const name of names) {
      const ofAlert = cases.filter(({ alertname }) => alertname === name);
      expect({ name, fires: ofAlert.some((c) => (c.exp_alerts ?? []).length > 0) }).toEqual({ name, fires: true });
      expect({ name, staysQuiet: ofAlert.some((c) => (c.exp_alerts ?? []).length === 0) }).toEqual({ name, staysQuiet: true });
    }
    expect(cases.map(({ alertname }) => alertname).filter((name) => !names.includes(name))).toEqual([]);
  });

  it('scrapes every Keyward service of docker/compose.yaml at the port it serves on', () => {
    type Service = { environment?: Record<string, string>; ports?: string[] };
    const compose = yaml<{ services: Record<string, Service> }>('docker/compose.yaml');
    const scraped = yaml<{ scrape_configs: { static_configs: { targets: string[] }[] }[] }>('docker/prometheus/prometheus.yml')
      .scrape_configs.flatMap((config) => config.static_configs.flatMap((each) => each.targets))
      .sort();
    const appServices = Object.entries(compose.services).filter(([, service]) => service.environment?.APP !== undefined);
    expect(appServices.map(([name]) => name).sort()).toEqual(['admin-api', 'verify-1', 'verify-2', 'worker']);
    const expected = appServices.map(([name, service]) => `${name}:${service.ports![0].split(':').at(-1)}`).sort();
    expect(scraped).toEqual(expected);
  });

  it("names the provisioned data source in every panel, and provisions the dashboard's file", () => {
    const datasources = yaml<{ datasources: { uid: string; url: string }[] }>('docker/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: 'keyward-prometheus', url: 'http://prometheus:9090' })]);
    const panels = dashboard().panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(15);
    for (const panel of panels)
      expect({ title: panel.title, uid: (panel as { datasource?: { uid: string } }).datasource?.uid }).toEqual({
        title: panel.title,
        uid: 'keyward-prometheus',
      });
    const compose = readFileSync(join(ROOT, 'docker/compose.yaml'), 'utf8');
    expect(compose).toContain('./grafana/keyward.json:/etc/grafana/dashboards/keyward.json:ro');
    expect(
      yaml<{ providers: { options: { path: string } }[] }>('docker/grafana/provisioning/dashboards/keyward.yml').providers[0].options.path,
    ).toBe('/etc/grafana/dashboards');
  });

  describe('against the running services', () => {
    let dropOwnDatabase: () => Promise<void>;
    let admin: RunningHttpApp;
    let verify: RunningHttpApp;
    let worker: Awaited<ReturnType<typeof startWorker>>;
    let tenant: TestTenant;
    let exported: Record<string, Set<string>>;
    const scrape = async (url: string): Promise<string> => (await request<string>(url, 'GET', '/metrics')).body;
    const sample = (text: string, name: string, labels: string[] = []): number => total(parseSamples(text), name, labels);

    /** A delivery of the tenant's subscription, `status`, next attempt `dueInSeconds` from now. */
    const insertDelivery = (subscriptionId: string, status: string, dueInSeconds: number) =>
      sql(
        'owner',
        `INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, event_type, body, status, next_attempt_at)
         VALUES ($1, $2, $3, 'key.created', '{}', $4, now() + make_interval(secs => $5))`,
        [tenant.id, subscriptionId, `msg_${randomUUID()}`, status, dueInSeconds],
      );

    beforeAll(async () => {
      // Its own database: the backlog figures count every tenant's deliveries.
      dropOwnDatabase = await useOwnDatabase();
      [admin, verify, worker] = await Promise.all([startAdminApi(), startVerify(), startWorker()]);
      tenant = await createTenant(admin.url);
      const [subscription] = await sql<{ id: string }>(
        'owner',
        `INSERT INTO webhook_subscriptions (tenant_id, url, events, sealed_secret) VALUES ($1, 'http://127.0.0.1:9/hook', '{key.created}', '\\x00') RETURNING id`,
        [tenant.id],
      );
      // Pending but not due (no pass takes them), and done ones, which are no backlog.
      for (let i = 0; i < 3; i++) await insertDelivery(subscription.id, 'pending', 86_400);
      await insertDelivery(subscription.id, 'succeeded', -60);
      await insertDelivery(subscription.id, 'failed', -60);
      exported = {};
      for (const [service, url] of [
        ['admin-api', admin.url],
        ['verify', verify.url],
        ['worker', worker.url],
      ] as const)
        exported[service] = exportedNames(await scrape(url));
    });
    afterAll(async () => {
      await Promise.all([admin?.close(), verify?.close(), worker?.close()]);
      await dropOwnDatabase?.();
    });

    it('reads the metric names out of a query, and the service its selector names', () => {
      expect(
        selectedMetrics(
          'histogram_quantile(0.99, sum by (instance, le) (rate(x_bucket{service="verify", route="/v1/verify"}[$__rate_interval]))) / on (instance) y > 0 unless z offset 5m',
        ),
      ).toEqual([{ name: 'x_bucket', service: 'verify' }, { name: 'y' }, { name: 'z' }]);
    });

    it('exports every metric that the alerts and the dashboard name, from the service a query names', () => {
      const queries = [
        ...alerts().map(({ alert, expr }) => ({ where: `alert ${alert}`, expr })),
        ...dashboard()
          .panels.flatMap((panel) => [panel, ...(panel.panels ?? [])])
          .flatMap((panel) => (panel.targets ?? []).map(({ expr }) => ({ where: `panel "${panel.title}"`, expr }))),
      ];
      const anywhere = new Set(Object.values(exported).flatMap((names) => [...names]));
      const named = queries.flatMap(({ where, expr }) => selectedMetrics(expr).map((metric) => ({ where, ...metric })));
      expect(named.length).toBeGreaterThan(40);
      const missing = named
        .filter(({ name, service }) => !(service ? exported[service]?.has(name) : anywhere.has(name)))
        .map(({ where, name, service }) => `${where}: ${name}${service ? ` (service ${service})` : ''}`);
      expect(missing).toEqual([]);
    });

    it("reports each service's PostgreSQL and Redis readiness checks as up", async () => {
      for (const url of [admin.url, verify.url, worker.url]) {
        const text = await scrape(url);
        expect([
          sample(text, 'keyward_readiness_check_up', ['check="postgres"']),
          sample(text, 'keyward_readiness_check_up', ['check="redis"']),
        ]).toEqual([1, 1]);
      }
    });

    it("reports every queue's jobs by state, and the runs of every queue and outcome from 0", async () => {
      const text = await scrape(worker.url);
      for (const queue of ALL_QUEUES) {
        const states = ['waiting', 'active', 'delayed', 'failed'].map((state) =>
          parseSamples(text).has(`keyward_job_queue_jobs{queue="${queue}",state="${state}",service="worker"}`),
        );
        expect({ queue, states }).toEqual({ queue, states: [true, true, true, true] });
        // Each queue has its scheduler's next run, waiting, running or delayed.
        expect(sample(text, 'keyward_job_queue_jobs', [`queue="${queue}"`])).toBeGreaterThanOrEqual(1);
        expect(
          parseSamples(text).has(
            `keyward_job_runs_total{job="${queue === 'housekeeping' ? 'idempotency-purge' : queue}",outcome="failed",queue="${queue}",service="worker"}`,
          ),
        ).toBe(true);
      }
    });

    it('reports the webhook backlog of every tenant: pending deliveries, and how long the most overdue has been due', async () => {
      const text = await scrape(worker.url);
      expect(sample(text, 'keyward_webhook_deliveries_pending')).toBe(3);
      expect(sample(text, 'keyward_webhook_delivery_overdue_seconds')).toBe(0);
      // Read by the function the gauges call, as the app role, with one delivery due 10 minutes ago
      // (not scraped: the running worker would send it).
      const [subscription] = await sql<{ id: string }>('owner', 'SELECT id FROM webhook_subscriptions WHERE tenant_id = $1', [tenant.id]);
      await insertDelivery(subscription.id, 'pending', -600);
      const [backlog] = await sql<{ pending: string; overdue_seconds: number }>('app', 'SELECT * FROM keyward_webhook_backlog()');
      expect(Number(backlog.pending)).toBe(4);
      expect(backlog.overdue_seconds).toBeGreaterThanOrEqual(600);
      expect(backlog.overdue_seconds).toBeLessThan(660);
    });

    it('counts audit chain verifications by result, a broken chain included', async () => {
      const counts = async () => {
        const text = await scrape(admin.url);
        return ['valid', 'broken'].map((result) => sample(text, 'keyward_audit_chain_verifications_total', [`result="${result}"`]));
      };
      expect(await counts()).toEqual([0, 0]);
      expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
      expect(await counts()).toEqual([1, 0]);
      await sql('owner', 'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      try {
        await sql('owner', `UPDATE audit_events SET details = '{"name":"forged"}' WHERE tenant_id = $1 AND seq = 1`, [tenant.id]);
      } finally {
        await sql('owner', 'ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
      }
      expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toEqual({ valid: false, brokenAtSeq: 1 });
      expect(await counts()).toEqual([1, 1]);
    });
  });
  describe("with the worker's Redis killed", () => {
    let redis: DedicatedRedis;
    let worker: Awaited<ReturnType<typeof startWorker>>;

    beforeAll(async () => {
      redis = await DedicatedRedis.start();
      worker = await startWorker({ env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `kwops:${randomUUID()}:` } });
    }, 60_000);
    afterAll(async () => {
      await worker?.close();
      await redis?.dispose();
    }, 60_000);

    const scrape = async () => {
      const started = performance.now();
      const text = (await request<string>(worker.url, 'GET', '/metrics')).body;
      return { samples: parseSamples(text), ms: performance.now() - started };
    };
    const queueSamples = (samples: Map<string, number>) =>
      [...samples.keys()].filter((series) => series.startsWith('keyward_job_queue_jobs{'));

    it('answers /metrics within 2 s saying Redis is down, with no queue counts rather than stale ones, and counts again once it is back', async () => {
      const up = await scrape();
      expect(total(up.samples, 'keyward_readiness_check_up', ['check="redis"'])).toBe(1);
      expect(queueSamples(up.samples)).toHaveLength(ALL_QUEUES.length * 4);

      await redis.kill();
      const down = await scrape();
      expect(down.ms).toBeLessThan(2000);
      expect(total(down.samples, 'keyward_readiness_check_up', ['check="redis"'])).toBe(0);
      expect(total(down.samples, 'keyward_readiness_check_up', ['check="postgres"'])).toBe(1);
      expect(queueSamples(down.samples)).toEqual([]);

      await redis.restart();
      const back = await waitFor(scrape, ({ samples }) => queueSamples(samples).length === ALL_QUEUES.length * 4, 20_000, 200);
      expect(total(back.samples, 'keyward_readiness_check_up', ['check="redis"'])).toBe(1);
    }, 60_000);
  });
});
