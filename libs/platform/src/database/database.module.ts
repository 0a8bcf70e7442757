import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig } from '../config/keyward-config';
import { BoundedPgClient } from './bounded-pg-client';
import { TenantTransactions } from './tenant-transaction';

/** Refuses to serve as a role that row-level security would not hold back. */
async function assertRowLevelSecurityApplies(dataSource: DataSource): Promise<void> {
  const [role] = await dataSource.query(
    `SELECT rolname, rolsuper, rolbypassrls,
            EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns_tables
       FROM pg_roles WHERE rolname = current_user`,
  );
  if (role.rolsuper || role.rolbypassrls || role.owns_tables) {
    throw new Error(
      `The database role "${role.rolname}" is a superuser, bypasses row-level security or owns the tables. ` +
        'Connect the services as an app role (DATABASE_APP_URL); `npm start` and `npm run migrate` make one.',
    );
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => ({
        type: 'postgres' as const,
        url: config.databaseUrl,
        autoLoadEntities: true,
        synchronize: false,
        migrationsRun: false,
        logging: false,
        retryAttempts: 3,
        retryDelay: 1000,
        // No session state, so that PgBouncer in transaction pooling mode works unchanged: the tenant
        // is set per transaction (tenant-transaction.ts), statements are unnamed (never prepared on
        // the server), and the time limits are settings of the app role (provision.ts), not startup
        // parameters, which PgBouncer refuses. application_name is one PgBouncer passes on.
        extra: {
          max: 10,
          connectionTimeoutMillis: 3000,
          application_name: 'keyward',
          // A stalled server answers no query, not even with its statement_timeout: the client
          // bounds each query itself (docs/failure-modes.md).
          Client: BoundedPgClient,
        },
      }),
    }),
  ],
  providers: [TenantTransactions],
  exports: [TenantTransactions],
})
export class DatabaseModule implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await assertRowLevelSecurityApplies(this.dataSource);
  }
}
