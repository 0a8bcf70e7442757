import type { FieldError } from './domain-error';
import { PROBLEM_STATUS, problemTitle, problemType, type ProblemCode } from './problem-codes';

/** RFC 9457 problem details as the contract shapes them. */
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
