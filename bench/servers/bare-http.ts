// Baseline (a): the physical limit of this machine for the verify exchange — a bare node:http
// server that reads the POST body and answers a fixed JSON of a verify answer's size.
import { createServer } from 'node:http';
import { serveInProcesses } from './in-processes';

const port = Number(process.argv[2]);
const answer = Buffer.from(process.argv[3] ?? '{"valid":true,"code":"VALID"}');

serveInProcesses((ready) =>
  createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
      response.end(answer);
    });
  }).listen(port, '127.0.0.1', ready),
);
