// How the routes served ahead of the framework (verify-handler.ts, forward-auth-handler.ts) write
// their answers: those known at once in bursts, those that waited for a store when it replies.
import type { ServerResponse } from 'node:http';
import type { VerifyOutcome } from './verify-answer';

/** The most answers held back for one burst, and the longest the first of them waits (ms). */
const BURST = 8;
const HOLD_MS = 0.1;

/**
 * Answers known at once, written together once this turn's reads are done, or as soon as BURST
 * of them are ready: [response, context, start, outcome] per answer, flat (no allocation per
 * request). Under load a turn reads many requests; writing their answers in bursts instead of
 * each amid the reads costs the verify process less CPU per request. Unbounded bursts (a whole
 * turn's) cost 20 to 40 % less under (b)'s load, but an answer could then wait for the reads of
 * 50 others: the server-side p99 at half load rose from 0.2 to 5 ms; with at most 8 held back,
 * 0.5 ms in two runs but 2 ms in a third, on a slower machine. So a burst also goes out once its
 * first answer has waited 0.1 ms (docs/architecture.md, Answers written in bursts). An answer that
 * waited for a store is written in the turn that brought the store's reply, with the others it
 * brought. `context` is what the route needs to write its answer (for /v1/verify, the request id).
 */
export class AnswerBursts<Context> {
  private ready: unknown[] = [];
  private firstReadyAt = 0;

  constructor(
    private readonly respond: (response: ServerResponse, context: Context, started: number, outcome: VerifyOutcome) => void,
    private readonly fail: (response: ServerResponse, context: Context, started: number, error: unknown) => void,
  ) {}

  private readonly writeReady = (): void => {
    const answers = this.ready;
    this.ready = [];
    for (let i = 0; i < answers.length; i += 4) {
      const response = answers[i] as ServerResponse;
      const context = answers[i + 1] as Context;
      const started = answers[i + 2] as number;
      try {
        this.respond(response, context, started, answers[i + 3] as VerifyOutcome);
      } catch (error) {
        this.fail(response, context, started, error);
      }
    }
  };

  answer(response: ServerResponse, context: Context, started: number, outcome: VerifyOutcome | Promise<VerifyOutcome>): void {
    if (outcome instanceof Promise) {
      outcome
        .then((settled) => this.respond(response, context, started, settled))
        .catch((error: unknown) => this.fail(response, context, started, error));
      return;
    }
    const now = performance.now();
    if (this.ready.length === 0) {
      setImmediate(this.writeReady);
      this.firstReadyAt = now;
    }
    this.ready.push(response, context, started, outcome);
    // A full burst, or one whose first answer has waited HOLD_MS, goes out at once: on a slow or
    // busy machine an answer waits for a few others' reads, never for a whole turn's.
    if (this.ready.length === 4 * BURST || now - this.firstReadyAt >= HOLD_MS) this.writeReady();
  }
}
