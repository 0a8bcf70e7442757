// The ordered list of migrations; listed explicitly so the same code runs from src and dist.
import { Foundation1763870000000 } from './1763870000000-foundation';
import { AuditLog1763880000000 } from './1763880000000-audit-log';

export const MIGRATIONS = [Foundation1763870000000, AuditLog1763880000000];
