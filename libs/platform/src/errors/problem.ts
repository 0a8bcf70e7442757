import type { FieldError } from './domain-error';
import type { ServerResponse } from 'node:http';
import { PROBLEM_STATUS, problemTitle, problemType, type ProblemCode } from './problem-codes';

/** RFC 9457 problem details as docs/api.md (Errors) shapes them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function buildProblem(code: ProblemCode, detail: string, requestId: string, errors?: FieldError[]): Problem {
  const problem: Problem = {
    type: problemType(code),
    title: problemTitle(code),
    status: PROBLEM_STATUS[code],
    detail,
    code,
    requestId,
  };
  if (errors && errors.length > 0) problem.errors = errors;
  return problem;
}

/** Writes a problem on a bare node:http response (routes served ahead of the framework). */
export function writeProblem(response: ServerResponse, problem: Problem, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify(problem);
  const headers: Record<string, string | number> = {
    ...extraHeaders,
    'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
  };
  if (problem.status === 401) headers['www-authenticate'] ??= 'Bearer';
  response.writeHead(problem.status, headers).end(body);
}
