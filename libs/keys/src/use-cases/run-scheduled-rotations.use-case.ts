import { systemChange } from '@keyward/platform';
import { Injectable, Logger } from '@nestjs/common';
import { KeyNotRotatableError } from '../domain/api-key';
import { KeyEscrowRepository } from '../escrow/key-escrow.repository';
import { RotateKeyUseCase } from './rotate-key/rotate-key.use-case';

export interface ScheduledRotationReport {
  due: number;
  rotated: number;
  /** Rotated meanwhile by another run or by hand: nothing to do (a re-run is harmless). */
  skipped: number;
  failed: number;
  escrowsPurged: number;
}

const KEYS_PER_RUN = 500;

/**
 * One pass of the rotation job: every key whose rotation.intervalSeconds has passed since it was
 * made gets a successor, through the same use case as a manual rotation, with its plaintext
 * escrowed. Each key is its own transaction, so a run killed half-way leaves each key either
 * rotated or not, and the next run finishes the rest exactly once.
 */
@Injectable()
export class RunScheduledRotationsUseCase {
  private readonly logger = new Logger(RunScheduledRotationsUseCase.name);

  constructor(
    private readonly escrows: KeyEscrowRepository,
    private readonly rotateKey: RotateKeyUseCase,
  ) {}

  async execute(runId: string): Promise<ScheduledRotationReport> {
    const due = await this.escrows.dueRotations(KEYS_PER_RUN);
    const report: ScheduledRotationReport = { due: due.length, rotated: 0, skipped: 0, failed: 0, escrowsPurged: 0 };
    for (const { tenantId, keyId } of due) {
      try {
        await this.rotateKey.execute({ tenantId, keyId, change: systemChange('rotation', runId), escrow: true });
        report.rotated++;
      } catch (error) {
        if (error instanceof KeyNotRotatableError) report.skipped++;
        else {
          report.failed++;
          this.logger.warn({ err: error, keyId }, 'Scheduled rotation of a key failed; the next run retries it');
        }
      }
    }
    report.escrowsPurged = await this.escrows.purgeExpired();
    return report;
  }
}
