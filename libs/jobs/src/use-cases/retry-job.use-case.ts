import { DomainError, NotFoundError } from '@keyward/platform';
import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from '../job-names';

const QUEUES = [...SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE, 'housekeeping'];

/** Runs a failed job again (the dashboard's retry). Every job is idempotent, so a retry is safe. */
@Injectable()
export class RetryJobUseCase {
  constructor(private readonly moduleRef: ModuleRef) {}

  async execute(queueName: string, jobId: string): Promise<{ jobId: string; state: string }> {
    if (!QUEUES.includes(queueName)) throw new NotFoundError('The job');
    const queue = this.moduleRef.get<Queue>(getQueueToken(queueName), { strict: false });
    const job = await queue.getJob(jobId);
    if (!job) throw new NotFoundError('The job');
    if ((await job.getState()) !== 'failed') throw new DomainError('CONFLICT', 'Only a failed job can be retried.');
    await job.retry('failed');
    return { jobId, state: await job.getState() };
  }
}
