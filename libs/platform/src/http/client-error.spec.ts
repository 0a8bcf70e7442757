import { Socket } from 'node:net';
import { answerClientError, clientErrorProblem, rawProblemResponse } from './client-error';

describe('answers to errors of the HTTP parser', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 400, 'BAD_REQUEST'],
    ['HPE_INVALID_CONTENT_LENGTH', 400, 'BAD_REQUEST'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'BAD_REQUEST'],
    ['HPE_INVALID_CHUNK_SIZE', 400, 'BAD_REQUEST'],
    [undefined, 400, 'BAD_REQUEST'],
  ])('maps %s to %i %s', (code, status, problemCode) => {
    expect(clientErrorProblem(code, 'req-1')).toEqual({
      type: `urn:keyward:problem:${problemCode.toLowerCase().replace(/_/g, '-')}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code: problemCode,
      requestId: 'req-1',
    });
  });

  it('writes a whole HTTP/1.1 response: problem+json, exact length, the request id, and a closed connection', () => {
    const problem = clientErrorProblem('HPE_HEADER_OVERFLOW', 'req-2');
    const [head, body] = rawProblemResponse(problem).split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Content-Type: application/problem+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Request-Id: req-2',
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual(problem);
  });

  it('writes nothing on a connection that was reset or is gone', () => {
    const socket = new Socket();
    const end = jest.spyOn(socket, 'end');
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket);
    expect(end).not.toHaveBeenCalled();
    expect(socket.destroyed).toBe(true);
  });
});
