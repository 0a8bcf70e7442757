// docs/api.md, Scope queries: scope names combined with AND, OR and parentheses, AND binding tighter than OR;
// at most 1,000 characters and 100 scopes. A recursive-descent parser with a nesting bound turns the text
// into a small tree, which is evaluated against the granted scopes with the wildcard rule of scopes.ts.
// Nothing here ever runs the text as code.
import { LRUCache } from 'lru-cache';
import { grantsScope, scopeProblem } from './scopes';

export const MAX_SCOPE_QUERY_LENGTH = 1_000;
export const MAX_SCOPE_QUERY_SCOPES = 100;
/** Parentheses nest at most this deep: the parser's recursion is bounded whatever the text. */
export const MAX_SCOPE_QUERY_DEPTH = 64;

export type ScopeQuery = { scope: string } | { and: ScopeQuery[] } | { or: ScopeQuery[] };

/** Why a query does not parse, and where: `position` counts characters from 0. */
export class ScopeQueryError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} at character ${position + 1}`);
  }
}

type Token = { kind: '(' | ')' | 'AND' | 'OR' | 'end'; at: number } | { kind: 'scope'; at: number; text: string };

const WORD = /[A-Za-z0-9_.:*-]/;
const SPACE = /\s/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (SPACE.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char, at: i++ });
    } else if (WORD.test(char)) {
      const at = i;
      while (i < text.length && WORD.test(text[i])) i++;
      const word = text.slice(at, i);
      if (word === 'AND' || word === 'OR') tokens.push({ kind: word, at });
      else {
        const problem = scopeProblem(word);
        if (problem !== null)
          throw new ScopeQueryError(at, `\`${word.length > 70 ? `${word.slice(0, 64)}...` : word}\` is not a scope: ${problem}`);
        tokens.push({ kind: 'scope', at, text: word });
      }
    } else {
      throw new ScopeQueryError(i, `unexpected character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the query';
  if (token.kind === 'scope') return `scope \`${token.text}\``;
  return `\`${token.kind}\``;
}

/** Parses a scope query, or throws ScopeQueryError saying where and why. */
export function parseScopeQuery(text: string): ScopeQuery {
  if (text.length > MAX_SCOPE_QUERY_LENGTH) {
    throw new ScopeQueryError(MAX_SCOPE_QUERY_LENGTH, `longer than ${MAX_SCOPE_QUERY_LENGTH} characters`);
  }
  const tokens = tokenize(text);
  let next = 0;
  let scopes = 0;

  const expected = (what: string): never => {
    const token = tokens[next];
    throw new ScopeQueryError(token.at, `expected ${what}, found ${describe(token)}`);
  };

  // or := and ("OR" and)* ; and := operand ("AND" operand)* ; operand := scope | "(" or ")"
  const parseOr = (depth: number): ScopeQuery => {
    const terms = [parseAnd(depth)];
    while (tokens[next].kind === 'OR') {
      next++;
      terms.push(parseAnd(depth));
    }
    return terms.length === 1 ? terms[0] : { or: terms };
  };
  const parseAnd = (depth: number): ScopeQuery => {
    const factors = [parseOperand(depth)];
    while (tokens[next].kind === 'AND') {
      next++;
      factors.push(parseOperand(depth));
    }
    return factors.length === 1 ? factors[0] : { and: factors };
  };
  const parseOperand = (depth: number): ScopeQuery => {
    const token = tokens[next];
    if (token.kind === 'scope') {
      if (++scopes > MAX_SCOPE_QUERY_SCOPES) throw new ScopeQueryError(token.at, `more than ${MAX_SCOPE_QUERY_SCOPES} scopes`);
      next++;
      return { scope: token.text };
    }
    if (token.kind === '(') {
      if (depth >= MAX_SCOPE_QUERY_DEPTH) throw new ScopeQueryError(token.at, `parentheses nested deeper than ${MAX_SCOPE_QUERY_DEPTH}`);
      next++;
      const inner = parseOr(depth + 1);
      if (tokens[next].kind !== ')') expected('`)`, `AND` or `OR`');
      next++;
      return inner;
    }
    return expected('a scope or `(`');
  };

  const query = parseOr(0);
  if (tokens[next].kind !== 'end') expected('`AND`, `OR` or the end of the query');
  return query;
}

/** Whether the granted scopes satisfy the query (a grant ending in `*` covers what begins with its stem). */
export function satisfiesScopeQuery(query: ScopeQuery, granted: readonly string[]): boolean {
  if ('scope' in query) return grantsScope(granted, query.scope);
  if ('and' in query) return query.and.every((part) => satisfiesScopeQuery(part, granted));
  return query.or.some((part) => satisfiesScopeQuery(part, granted));
}

/**
 * Parsed queries by their text, so that each distinct query is parsed once while it is in use: a
 * caller sends the same few queries again and again. Bounded (least recently used first out); a
 * query that does not parse is kept too, with its error.
 */
export class ScopeQueryCache {
  private readonly parsed: LRUCache<string, ScopeQuery | ScopeQueryError>;

  constructor(max = 1_000) {
    this.parsed = new LRUCache({ max });
  }

  /** The parsed query, or throws its ScopeQueryError. */
  get(text: string): ScopeQuery {
    let parsed = this.parsed.get(text);
    if (parsed === undefined) {
      try {
        parsed = parseScopeQuery(text);
      } catch (error) {
        if (!(error instanceof ScopeQueryError)) throw error;
        parsed = error;
      }
      this.parsed.set(text, parsed);
    }
    if (parsed instanceof ScopeQueryError) throw parsed;
    return parsed;
  }

  get size(): number {
    return this.parsed.size;
  }
}
