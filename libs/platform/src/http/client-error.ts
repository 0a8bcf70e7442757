// Requests that node's HTTP parser refuses never become a request: no route, hook or filter sees
// them, and no request id exists yet. They are answered here, on the socket, with the same
// problem+json and X-Request-Id as every other error (docs/input-validation.md), then the
// connection is closed (its byte stream cannot be trusted any more).
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { buildProblem, PROBLEM_CONTENT_TYPE, type Problem } from '../errors/problem';

const MALFORMED_REQUEST_LINE = new Set(['HPE_INVALID_METHOD', 'HPE_INVALID_URL', 'HPE_INVALID_VERSION', 'HPE_INVALID_CONSTANT']);
const BAD_CONTENT_LENGTH = new Set(['HPE_INVALID_CONTENT_LENGTH', 'HPE_UNEXPECTED_CONTENT_LENGTH']);

/** The problem answering a parser error (error.code as node's `clientError` event gives it). */
export function clientErrorProblem(code: string | undefined, requestId: string): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') return buildProblem('HEADERS_TOO_LARGE', 'The request headers are larger than the limit.', requestId);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return buildProblem('REQUEST_TIMEOUT', 'The request did not arrive in time.', requestId);
  if (code !== undefined && MALFORMED_REQUEST_LINE.has(code))
    return buildProblem('BAD_REQUEST', 'The request line is not valid HTTP/1.1.', requestId);
  if (code !== undefined && BAD_CONTENT_LENGTH.has(code))
    return buildProblem('BAD_REQUEST', 'The Content-Length header is not valid.', requestId);
  return buildProblem('BAD_REQUEST', 'The request is not valid HTTP/1.1.', requestId);
}

/** A whole HTTP/1.1 response carrying `problem`, as bytes for the socket. */
export function rawProblemResponse(problem: Problem): string {
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${problem.requestId}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Fastify's `clientErrorHandler` (node's `clientError` event), on both ports. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one to answer; a response already under way cannot be replaced.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || socket.destroyed || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawProblemResponse(clientErrorProblem(error.code, randomUUID())), () => socket.destroy());
}
