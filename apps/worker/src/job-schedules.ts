import { RUN_JOB, SCHEDULED_JOBS } from '@keyward/jobs';
import { KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';

/**
 * Puts each scheduled job on its interval with BullMQ's job schedulers. They live in Redis, keyed
 * by job name: however many workers upsert the same scheduler, each period runs once.
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const name of SCHEDULED_JOBS) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      await queue.upsertJobScheduler(
        `${name}-schedule`,
        { every: this.config.jobIntervals[name] * 1000 },
        { name: RUN_JOB, data: { trigger: 'schedule' }, opts: { removeOnComplete: 1000, removeOnFail: 1000 } },
      );
    }
  }
}
