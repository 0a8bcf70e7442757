import {
  GetJobUseCase,
  GetQueuesOverviewUseCase,
  isScheduledJob,
  RetryJobUseCase,
  RunJobNowUseCase,
  SCHEDULED_JOBS,
  type JobReport,
  type QueueOverview,
} from '@keyward/jobs';
import { Allow, ApiProblems, NotFoundError, Public } from '@keyward/platform';
import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiExcludeEndpoint, ApiOkResponse, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard/dashboard-page';

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
    private readonly retryJob: RetryJobUseCase,
  ) {}

  /** The queue dashboard's page: it holds no data, and reads everything with the platform token. */
  @Get('dashboard')
  @Public()
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header(
    'content-security-policy',
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'",
  )
  dashboard(): string {
    return DASHBOARD_HTML;
  }

  @Get('dashboard.js')
  @Public()
  @ApiExcludeEndpoint()
  @Header('content-type', 'application/javascript; charset=utf-8')
  dashboardScript(): string {
    return DASHBOARD_JS;
  }

  @Post(':queue/:jobId/retry')
  @HttpCode(202)
  @ApiOkResponse({ description: 'The failed job is queued again: {jobId, state}' })
  @ApiProblems(404, 409)
  retry(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<{ jobId: string; state: string }> {
    return this.retryJob.execute(queue, jobId);
  }

  /** The queues in JSON (what the dashboard shows): counts by state, schedules, the latest jobs. */
  @Get()
  @ApiOkResponse({
    description:
      '{queues: [{name, counts: {waiting, active, completed, failed, delayed}, schedules: [{id, everyMs, next}], recent: [{jobId, name, state, attempts, finishedAt, result, failedReason}]}]}',
  })
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
