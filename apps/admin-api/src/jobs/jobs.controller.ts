import {
  ALL_QUEUES,
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
import { ApiAcceptedResponse, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiPlatformRouteProblems } from '../admin-api.openapi';
import { EXAMPLE } from '../openapi-examples';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard/dashboard-page';
import { JobResource, JobRunResource, QueuesOverviewResource, RetriedJobResource } from './job.resource';

const JOB_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The job was not found.' } as const;
const JOB_ID_PARAM = {
  name: 'jobId',
  description: 'The run, as runJob answered it: `<job name>_<uuid>`',
  example: EXAMPLE.jobId,
};

@ApiTags('jobs')
@ApiPlatformRouteProblems()
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
  @ApiOperation({
    operationId: 'retryJob',
    summary: 'Retry a failed job',
    description: "Queues a failed job of any queue again (the dashboard's retry). Every job is idempotent, so a retry is safe.",
  })
  @ApiParam({ name: 'queue', enum: ALL_QUEUES, description: 'The queue the job is in' })
  @ApiParam({ name: 'jobId', description: 'The job, as listJobQueues shows it' })
  @ApiAcceptedResponse({ type: RetriedJobResource, description: 'The job, queued again' })
  @ApiProblems(JOB_NOT_FOUND, { code: 'CONFLICT', when: 'The job has not failed.', detail: 'Only a failed job can be retried.' })
  retry(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<{ jobId: string; state: string }> {
    return this.retryJob.execute(queue, jobId);
  }

  /** The queues in JSON (what the dashboard shows): counts by state, schedules, the latest jobs. */
  @Get()
  @ApiOperation({
    operationId: 'listJobQueues',
    summary: 'List the job queues',
    description: 'Every queue (what the dashboard at /v1/jobs/dashboard shows): its jobs by state, its schedules, and its latest jobs.',
  })
  @ApiOkResponse({ type: QueuesOverviewResource, description: 'The queues' })
  async overview(): Promise<{ queues: QueueOverview[] }> {
    return { queues: await this.getQueuesOverview.execute() };
  }

  @Post(':name/run')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'runJob',
    summary: 'Run a scheduled job now',
    description:
      'Queues a pass of a scheduled job over every tenant now, beside its schedule: 202 once Redis has taken it; follow it with ' +
      'getJob. 503 within 2 seconds when Redis cannot take it, and then the run never happens.',
  })
  @ApiParam({ name: 'name', enum: SCHEDULED_JOBS, description: 'The job: rotation, expiry, unused-audit or signals' })
  @ApiAcceptedResponse({ type: JobRunResource, description: 'Queued' })
  @ApiProblems(JOB_NOT_FOUND)
  run(@Param('name') name: string): Promise<{ jobId: string }> {
    if (!isScheduledJob(name)) throw new NotFoundError('The job');
    return this.runJobNow.execute(name);
  }

  @Get(':jobId')
  @ApiOperation({ operationId: 'getJob', summary: 'Get a job run', description: "A run's state and, once completed, what it did." })
  @ApiParam(JOB_ID_PARAM)
  @ApiOkResponse({ type: JobResource, description: 'The run' })
  @ApiProblems(JOB_NOT_FOUND)
  get(@Param('jobId') jobId: string): Promise<JobReport> {
    return this.getJob.execute(jobId);
  }
}
