// The tests' environment (jest.config.js): node's, plus a place for what the services started in the
// test process log (support/running-apps.ts writes there). Those lines are kept, not printed, and
// shown only when a test or a hook fails: a passing run prints no log line. The lines kept are
// those written since the last test that passed (the setup's, for the first test).
import { TestEnvironment } from 'jest-environment-node';
import { LOG_SINK_GLOBAL } from './log-sink';

/** How much is kept at most: the last lines, should a test log a great deal. */
const KEPT_CHARACTERS = 1024 * 1024;

/** What this environment reads of jest-circus's events (Circus.Event). */
interface Block {
  name: string;
  parent?: Block;
}
type TestEvent =
  | { name: 'test_done'; test: Block & { errors: unknown[] } }
  | { name: 'hook_failure'; hook: { type: string; parent?: Block } }
  | { name: 'test_start' | 'run_finish' };

function titleOf(block: Block | undefined): string {
  const names: string[] = [];
  for (let current = block; current?.parent !== undefined; current = current.parent) names.unshift(current.name);
  return names.join(' › ');
}

export default class LogCaptureEnvironment extends TestEnvironment {
  private kept: string[] = [];
  private keptCharacters = 0;

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.global[LOG_SINK_GLOBAL] = { write: (line: string) => this.keep(line) };
  }

  private keep(line: string): void {
    this.kept.push(line);
    this.keptCharacters += line.length;
    while (this.keptCharacters > KEPT_CHARACTERS && this.kept.length > 1) this.keptCharacters -= this.kept.shift()!.length;
  }

  private forget(): void {
    this.kept = [];
    this.keptCharacters = 0;
  }

  private show(what: string): void {
    if (this.kept.length === 0) return;
    const lines = this.kept.join('').replace(/\n?$/, '\n');
    process.stderr.write(`\n--- what the in-process services logged before ${what} failed ---\n${lines}--- end of the log ---\n`);
    this.forget();
  }

  handleTestEvent(event: TestEvent): void {
    if (event.name === 'test_done') {
      if (event.test.errors.length > 0) this.show(`"${titleOf(event.test)}"`);
      else this.forget();
    } else if (event.name === 'hook_failure') {
      this.show(`the ${event.hook.type} hook${event.hook.parent?.parent ? ` of "${titleOf(event.hook.parent)}"` : ''}`);
    }
  }
}
