import {
  ApiProblems,
  Public,
  RateLimitPerAddress,
  RawJsonBody,
  rawBodyOf,
  UnauthenticatedError,
  type ChangeContext,
} from '@keyward/platform';
import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BODY_PROBLEMS } from '../admin-api.openapi';
import { GithubPublicKeys } from './github-public-keys';
import { LEAK_REPORT_BODY_LIMIT, MAX_REPORTED_TOKENS, parseLeakReport } from './leak-report';
import { LeakReports, type LeakFeedback } from './leak-reports';
import { LeakFeedbackResource, LeakReportItemDto } from './secret-scanning.dto';

/** Reports a client address may send a minute: GitHub batches its findings, so this is plenty. */
export const SECRET_SCANNING_RATE_LIMIT_PER_MINUTE = 600;

/** Who the audit log names as the author of what a report changes. */
const GITHUB_ACTOR = { type: 'system', id: 'github-secret-scanning' } as const;

@ApiTags('secret-scanning')
@Controller('v1/secret-scanning')
export class SecretScanningController {
  constructor(
    private readonly publicKeys: GithubPublicKeys,
    private readonly reports: LeakReports,
  ) {}

  @Post('github')
  @Public()
  @HttpCode(200)
  @RateLimitPerAddress(SECRET_SCANNING_RATE_LIMIT_PER_MINUTE)
  @RawJsonBody({ bodyLimit: LEAK_REPORT_BODY_LIMIT })
  @ApiOperation({
    operationId: 'reportLeakedTokensFromGithub',
    summary: 'Receive a GitHub secret scanning report',
    description:
      `The endpoint of GitHub's secret scanning partner program: up to ${MAX_REPORTED_TOKENS} tokens found in public places. ` +
      'Each that is a key or credential of this deployment is handled at once: a key as its tenant policy says ' +
      '(leakedKeyAction: revoke, disable or report; audited as key.leaked, webhook key.leaked), a credential revoked ' +
      '(audited as credential.leaked). The answer labels every token. No credential: the request is signed by GitHub ' +
      '(ECDSA P-256 SHA-256 over the raw body, checked against the keys at KEYWARD_GITHUB_KEYS_URL). Limited to ' +
      `${SECRET_SCANNING_RATE_LIMIT_PER_MINUTE} requests a minute per client address. See docs/secret-scanning.md.\n\n` +
      "Callers: GitHub's secret scanning, by signature.",
  })
  @ApiHeader({ name: 'Github-Public-Key-Identifier', required: true, description: 'The key_identifier of the key that signed the body' })
  @ApiHeader({ name: 'Github-Public-Key-Signature', required: true, description: 'The ECDSA signature of the raw body, base64 of DER' })
  @ApiBody({
    type: [LeakReportItemDto],
    examples: {
      report: {
        summary: 'One token found in a public repository',
        value: [
          {
            token: 'kw_live_0123456789abcdefghijklmnopqrstuv3Xk9Qa',
            type: 'keyward_api_key',
            url: 'https://github.com/octocat/Hello-World/blob/12345600b9cbe38a219f39a9941c9319b600c002/foo.txt',
            source: 'content',
          },
        ],
      },
    },
  })
  @ApiOkResponse({ type: [LeakFeedbackResource], description: 'One label per reported token, in the order reported' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: '0.token', message: 'must be a string' }] },
    ...BODY_PROBLEMS,
    {
      code: 'UNAUTHENTICATED',
      when: 'A signature header is missing, names an unknown key, or the signature does not hold for the body.',
      detail: 'The report is not signed by GitHub.',
    },
    {
      code: 'RATE_LIMITED',
      when: 'Too many reports from this address this minute; `Retry-After` says when to retry.',
      detail: 'Too many requests from this address; retry later.',
    },
    {
      code: 'SERVICE_UNAVAILABLE',
      when: "GitHub's public keys could not be fetched and none is known yet, or a store is unavailable.",
    },
  )
  async github(
    @Req() request: FastifyRequest,
    @Headers('github-public-key-identifier') keyIdentifier: string | undefined,
    @Headers('github-public-key-signature') signature: string | undefined,
  ): Promise<LeakFeedback[]> {
    const body = rawBodyOf(request);
    if (!(await this.publicKeys.verify(body, keyIdentifier, signature))) {
      throw new UnauthenticatedError('The report is not signed by GitHub.');
    }
    const change: ChangeContext = { actor: GITHUB_ACTOR, requestId: String(request.id), ip: request.ip };
    return this.reports.handle(parseLeakReport(body), change);
  }
}
