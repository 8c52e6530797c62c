import { createHash } from 'node:crypto';
import { DomainError } from './domain-error.js';

/** The API's single resources: ETag on GET, a new one on PATCH, If-Match honoured on PATCH/PUT/DELETE. */
export const VERSIONED_ROUTES = [
  '/targets/:code', '/targets/:code/evaluation', '/targets/:code/figures/:period', '/departments/:code', '/users/:id',
  '/alerts/:id', '/evaluations/runs/:id', '/imports/:id', '/auth/me', '/digests/preview',
] as const;

/** POSTs whose 201 is the created resource as its GET sends it: they answer with its ETag. */
export const TAGGED_CREATIONS = ['/targets', '/departments', '/users'] as const;

/** A strong entity tag: a hash of the resource's JSON representation as the service returns it. */
export function etagOf(representation: unknown): string {
  const text = typeof representation === 'string' ? representation : JSON.stringify(representation);
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}

interface EntityTag { weak: boolean; opaque: string }

/** `*`, or the entity tags of an If-Match / If-None-Match value; null when it is not one (RFC 9110 §8.8.3). */
export function parseEntityTags(header: string): '*' | EntityTag[] | null {
  if (header.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  // Elements separated by commas; empty ones are ignored (RFC 9110 §5.6.1).
  const element = /\s*(?:(W\/)?("[^"]*"))?\s*(,|$)/y;
  for (;;) {
    const m = element.exec(header);
    if (!m) return null;
    if (m[2] !== undefined) tags.push({ weak: m[1] !== undefined, opaque: m[2] });
    if (m[3] === '') break;
  }
  return tags.length ? tags : null;
}

/** If-Match holds: `*` and a current representation, or a tag equal to `current` by strong comparison. */
export function ifMatchHolds(header: string, current: string | null): boolean {
  const tags = parseEntityTags(header);
  if (tags === '*') return current !== null;
  return current !== null && (tags ?? []).some((t) => !t.weak && t.opaque === current);
}

/** If-None-Match names the current representation (weak comparison): a GET answers 304. */
export function ifNoneMatchNames(header: string | undefined, current: string): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  return tags === '*' || (tags ?? []).some((t) => t.opaque === current.replace(/^W\//, ''));
}

/** Throws 412 unless `ifMatch` holds for `current`; call it in the write's transaction, with the row locked. */
export function checkIfMatch(ifMatch: string | undefined, current: string | null, what: string): void {
  if (ifMatch === undefined || ifMatchHolds(ifMatch, current)) return;
  const malformed = parseEntityTags(ifMatch) === null;
  throw new DomainError(
    'precondition_failed',
    malformed
      ? `If-Match 不是实体标签（应为带引号的 ETag，如 "abc"，或 *），未写入任何数据 (If-Match is not an entity tag: nothing was written)`
      : `${what} 已被修改，与 If-Match 给出的版本不符，未写入任何数据；请重新读取后再修改 ` +
        `(precondition failed: the resource changed since that version; nothing was written)`,
    [{ path: '', message: malformed ? 'If-Match 格式有误' : `${what} 已被他人修改` }],
  );
}
