import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { RUN_JOB, type ScheduledJob } from '../job-names';

/** Enqueues a pass of a scheduled job now (the platform operator's run-now). */
@Injectable()
export class RunJobNowUseCase {
  constructor(private readonly moduleRef: ModuleRef) {}

  async execute(name: ScheduledJob): Promise<{ jobId: string }> {
    const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
    // The id names its queue, so GET /v1/jobs/{jobId} finds it again.
    const job = await queue.add(RUN_JOB, { trigger: 'manual' }, { jobId: `${name}_${randomUUID()}`, removeOnComplete: 1000, removeOnFail: 1000 });
    return { jobId: job.id! };
  }
}
