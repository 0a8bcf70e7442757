// The ordered list of migrations; listed explicitly so the same code runs from src and dist.
import { Foundation1763870000000 } from './1763870000000-foundation';

export const MIGRATIONS = [Foundation1763870000000];
