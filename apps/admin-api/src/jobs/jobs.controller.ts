import { GetJobUseCase, GetQueuesOverviewUseCase, isScheduledJob, RunJobNowUseCase, SCHEDULED_JOBS, type JobReport, type QueueOverview } from '@keyward/jobs';
import { Allow, ApiProblems, NotFoundError } from '@keyward/platform';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';

class JobRunResource {
  @ApiProperty({ example: 'rotation_5f0c…' }) jobId: string;
}

class JobResource {
  @ApiProperty() jobId: string;
  @ApiProperty({ enum: SCHEDULED_JOBS }) name: string;
  @ApiProperty({ enum: ['waiting', 'active', 'completed', 'failed'] }) state: string;
  @ApiProperty({ required: false, type: Object, description: 'What the run did, in counts (when completed)' }) result?: unknown;
}

@ApiTags('jobs (platform operator)')
@ApiBearerAuth()
@ApiProblems(401, 403, 404, 429)
@Allow('platform')
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly runJobNow: RunJobNowUseCase,
    private readonly getJob: GetJobUseCase,
    private readonly getQueuesOverview: GetQueuesOverviewUseCase,
  ) {}

  /** The queue dashboard in JSON: job counts by state and the schedules of every queue. */
  @Get()
  @ApiOkResponse({ description: '{queues: [{name, counts: {waiting, active, completed, failed, delayed}, schedules: [{id, everyMs, next}]}]}' })
  async overview(): Promise<{ queues: QueueOverview[] }> {
    return { queues: await this.getQueuesOverview.execute() };
  }

  @Post(':name/run')
  @HttpCode(202)
  @ApiParam({ name: 'name', enum: SCHEDULED_JOBS })
  @ApiAcceptedResponse({ type: JobRunResource })
  run(@Param('name') name: string): Promise<{ jobId: string }> {
    if (!isScheduledJob(name)) throw new NotFoundError('The job');
    return this.runJobNow.execute(name);
  }

  @Get(':jobId')
  @ApiOkResponse({ type: JobResource })
  get(@Param('jobId') jobId: string): Promise<JobReport> {
    return this.getJob.execute(jobId);
  }
}
