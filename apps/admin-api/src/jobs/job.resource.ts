import { ALL_QUEUES, SCHEDULED_JOBS } from '@keyward/jobs';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

export class JobRunResource {
  @ApiProperty({ description: 'The run, to follow with getJob', example: EXAMPLE.jobId }) jobId: string;
}

export class JobResource {
  @ApiProperty({ example: EXAMPLE.jobId }) jobId: string;
  @ApiProperty({ enum: SCHEDULED_JOBS, example: 'rotation' }) name: string;
  @ApiProperty({ enum: ['waiting', 'active', 'completed', 'failed'], example: 'completed' }) state: string;
  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: true,
    description: 'What the run did, in counts (when completed), or why it failed (when failed)',
    example: { due: 2, rotated: 2, skipped: 0, failed: 0, escrowsPurged: 1 },
  })
  result?: unknown;
}

export class RetriedJobResource {
  @ApiProperty({ example: EXAMPLE.jobId }) jobId: string;
  @ApiProperty({ description: 'Its state once queued again', example: 'waiting' }) state: string;
}

class QueueCountsResource {
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 }) waiting: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 }) active: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 }) completed: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 }) failed: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 1 }) delayed: number;
}

class QueueScheduleResource {
  @ApiProperty({ example: 'rotation' }) id: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'How often it runs, in milliseconds', example: 60_000 }) everyMs:
    number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it runs next', example: EXAMPLE.lastUsedAt })
  next: string | null;
}

class RecentJobResource {
  @ApiProperty({ example: EXAMPLE.jobId }) jobId: string;
  @ApiProperty({ example: 'run' }) name: string;
  @ApiProperty({ example: 'completed' }) state: string;
  @ApiProperty({ type: 'integer', minimum: 0, example: 1 }) attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: EXAMPLE.lastUsedAt }) finishedAt: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the run did',
    example: { due: 2, rotated: 2, skipped: 0, failed: 0, escrowsPurged: 1 },
  })
  result: unknown;
  @ApiProperty({ type: String, nullable: true, description: 'Why it failed' }) failedReason: string | null;
}

class QueueOverviewResource {
  @ApiProperty({ enum: ALL_QUEUES, example: 'rotation' }) name: string;
  @ApiProperty({ type: QueueCountsResource, description: 'Jobs by state' }) counts: QueueCountsResource;
  @ApiProperty({ type: [QueueScheduleResource], description: "The queue's schedules and when each runs next" })
  schedules: QueueScheduleResource[];
  @ApiProperty({ type: [RecentJobResource], description: 'The latest jobs, newest first' }) recent: RecentJobResource[];
}

export class QueuesOverviewResource {
  @ApiProperty({ type: [QueueOverviewResource] }) queues: QueueOverviewResource[];
}
