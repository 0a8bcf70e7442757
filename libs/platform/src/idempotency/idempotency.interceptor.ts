// Idempotency-Key (docs/api.md, Headers): a retry with the same key and body gets the first answer
// and creates nothing. The record is written in the same transaction as the use case's changes:
// a concurrent duplicate's insert waits on the unique index until the first commits (then replays
// its answer) or rolls back (then runs itself), so however many arrive, one thing is created.
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { principalOf, type AuthenticatedRequest } from '../auth/access';
import { TenantTransactions } from '../database/tenant-transaction';
import { DomainError, ValidationFailedError } from '../errors/domain-error';
import { SecretBox } from '../secrets/secret-box';

const VALID_KEY = /^[\x20-\x7e]{1,255}$/;
const RETENTION = '24 hours';
/** Lock waits beyond these mean the first request is still running: answer 409, don't hang. */
const LOCK_WAIT_CODES = new Set(['55P03', '57014']);

interface StoredRecord {
  request_hash: Buffer;
  status_code: number | null;
  sealed_response: Buffer | null;
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly secretBox: SecretBox,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !VALID_KEY.test(header)) {
      throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const status: number = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return from(this.execute(request, header, status, reply, () => lastValueFrom(next.handle())));
  }

  private async execute(
    request: AuthenticatedRequest,
    idempotencyKey: string,
    status: number,
    reply: FastifyReply,
    handle: () => Promise<unknown>,
  ): Promise<unknown> {
    const principal = principalOf(request);
    const caller = principal.kind === 'platform' ? 'platform' : principal.credentialId;
    const tenantId = principal.kind === 'platform' ? null : principal.tenantId;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest();
    const associatedData = `idempotency:${caller}:${idempotencyKey}`;

    try {
      return await this.transactions.runAmbient({ tenantId, platform: principal.kind === 'platform' }, async (manager) => {
        await manager.query(`SET LOCAL lock_timeout = '4s'`);
        const recordId = await this.claim(manager, tenantId, caller, idempotencyKey, requestHash);
        if (recordId === null) {
          const stored = await this.load(manager, caller, idempotencyKey);
          if (!stored.request_hash.equals(requestHash)) {
            throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request.');
          }
          if (stored.status_code === null || stored.sealed_response === null) {
            throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still in progress.');
          }
          reply.status(stored.status_code).header('idempotent-replayed', 'true');
          return JSON.parse(this.secretBox.open(stored.sealed_response, associatedData).toString('utf8'));
        }
        const body = await handle();
        const sealed = this.secretBox.seal(Buffer.from(JSON.stringify(body ?? null), 'utf8'), associatedData);
        await manager.query(`UPDATE idempotency_records SET status_code = $1, sealed_response = $2 WHERE id = $3`, [
          status,
          sealed,
          recordId,
        ]);
        return body;
      });
    } catch (error) {
      if (LOCK_WAIT_CODES.has((error as { code?: string }).code ?? '')) {
        throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still in progress.');
      }
      throw error;
    }
  }

  /** Inserts this request's record; null when a committed record with the key already exists. */
  private async claim(
    manager: EntityManager,
    tenantId: string | null,
    caller: string,
    key: string,
    requestHash: Buffer,
  ): Promise<string | null> {
    await manager.query(`DELETE FROM idempotency_records WHERE principal = $1 AND idempotency_key = $2 AND expires_at < now()`, [
      caller,
      key,
    ]);
    const inserted: Array<{ id: string }> = await manager.query(
      `INSERT INTO idempotency_records (tenant_id, principal, idempotency_key, request_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + interval '${RETENTION}')
       ON CONFLICT (principal, idempotency_key) DO NOTHING RETURNING id`,
      [tenantId, caller, key, requestHash],
    );
    return inserted[0]?.id ?? null;
  }

  private async load(manager: EntityManager, caller: string, key: string): Promise<StoredRecord> {
    const rows: StoredRecord[] = await manager.query(
      `SELECT request_hash, status_code, sealed_response FROM idempotency_records WHERE principal = $1 AND idempotency_key = $2`,
      [caller, key],
    );
    if (rows.length === 0) {
      throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still in progress.');
    }
    return rows[0];
  }
}
