import type { LevelWithSilent } from 'pino';
import { accessErrorFields, accessLogLevel } from './access-log';
import { createRootLogger } from './logger';
import { REDACTED } from './redact';

const KEY = `kw_live_${'A1b2C3d4E5'.repeat(3)}f6G7h8I9`;
const CREDENTIAL = `kwc_${'Z9y8X7w6V5'.repeat(3)}u4T3s2R1`;

/** A logger whose lines are kept in `lines`. */
function capture(format: 'json' | 'pretty', level: LevelWithSilent = 'debug') {
  const lines: string[] = [];
  const logger = createRootLogger({ level, format, service: 'admin-api', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

/** What a request's access line holds (pino-http's bindings and fields). */
function logAccess(logger: ReturnType<typeof capture>['logger']): void {
  logger
    .child({
      req: {
        id: 'req-1',
        method: 'GET',
        url: `/v1/keys?access_token=plain-secret&k=${KEY}`,
        headers: { authorization: `Bearer ${CREDENTIAL}`, 'x-api-key': KEY, host: 'localhost' },
      },
    })
    .info({ res: { statusCode: 404 }, responseTime: 3 }, 'request completed');
}

describe('createRootLogger', () => {
  it.each(['json', 'pretty'] as const)('keeps secrets out of %s lines: fields, headers and URLs', (format) => {
    const { logger, lines } = capture(format);
    logAccess(logger);
    logger.warn({ token: CREDENTIAL, nested: { secret: 'plain-secret', key: KEY } }, 'something');
    const text = lines.join('');

    for (const secret of [KEY, CREDENTIAL, 'plain-secret']) expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
  });

  it('writes one JSON object a line', () => {
    const { logger, lines } = capture('json');
    logger.warn({ keyId: 'k1' }, 'hello');
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, service: 'admin-api', keyId: 'k1', msg: 'hello' });
  });

  it('writes one readable line a record in the pretty format, an access line as its request and answer', () => {
    const { logger, lines } = capture('pretty');
    logAccess(logger);
    logger.child({ context: 'ScheduleKeeper' }).warn({ keyId: 'k1' }, 'hello');

    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: admin-api: GET \/v1\/keys\?access_token=\[REDACTED\]&k=\[REDACTED\] 404 3 ms/,
    );
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: admin-api ScheduleKeeper: hello \{"keyId":"k1"\}/);
  });

  it("writes Nest's start-up lines at debug, not at info", () => {
    const info = capture('json', 'info');
    info.logger.info({ context: 'RouterExplorer' }, 'Mapped {/v1/keys, GET} route');
    info.logger.info({ context: 'InstanceLoader' }, 'AppModule dependencies initialized');
    info.logger.info({ context: 'JobDrain' }, 'Stopping');
    expect(info.lines.map((line) => JSON.parse(line).msg)).toEqual(['Stopping']);

    const debug = capture('json', 'debug');
    debug.logger.info({ context: 'RouterExplorer' }, 'Mapped {/v1/keys, GET} route');
    expect(debug.lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 20, context: 'RouterExplorer' })]);
  });
});

describe('access lines', () => {
  it.each([
    [200, 'debug'],
    [201, 'debug'],
    [304, 'debug'],
    [400, 'info'],
    [401, 'info'],
    [404, 'info'],
    [429, 'info'],
    [500, 'error'],
    [503, 'error'],
  ])('logs a %i at %s', (status, level) => {
    expect(accessLogLevel(status)).toBe(level);
  });

  it('logs an error raised while answering at error, whatever the status', () => {
    expect(accessLogLevel(200, new Error('socket hang up'))).toBe('error');
  });

  it('gives a 5xx no exception caused no err (no made-up stack), and keeps a real one', () => {
    const made = new Error('failed with status code 503');
    const fields = { res: { statusCode: 503 }, err: made, responseTime: 2 };
    expect(accessErrorFields({ statusCode: 503 }, made, fields)).toEqual({ res: { statusCode: 503 }, responseTime: 2 });

    const real = new Error('connection reset');
    expect(accessErrorFields({ statusCode: 500 }, real, { err: real })).toEqual({ err: real });
    expect(accessErrorFields({ statusCode: 503, err: made }, made, { err: made })).toEqual({ err: made });
  });
});
