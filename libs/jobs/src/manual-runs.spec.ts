import { isUnreleasedManualRun, MANUAL_RUN_PARK_MS } from './manual-runs';

describe('isUnreleasedManualRun', () => {
  const now = Date.now();

  it('refuses a manual run that reached a worker because its parking ran out', () => {
    expect(isUnreleasedManualRun({ data: { trigger: 'manual' }, timestamp: now - MANUAL_RUN_PARK_MS }, now)).toBe(true);
  });

  it('runs a manual run released after its add, however long it then waited for a worker', () => {
    expect(isUnreleasedManualRun({ data: { trigger: 'manual' }, timestamp: now - 3 * 24 * 60 * 60 * 1000 }, now)).toBe(false);
  });

  it('never refuses a scheduled run', () => {
    expect(isUnreleasedManualRun({ data: { trigger: 'schedule' }, timestamp: now - 2 * MANUAL_RUN_PARK_MS }, now)).toBe(false);
    expect(isUnreleasedManualRun({ data: undefined, timestamp: 0 }, now)).toBe(false);
  });
});
