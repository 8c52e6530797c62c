export interface FieldError {
  path: string;
  message: string;
  /** `implausible`: a warning that an explicit confirmation (`confirm: true`) turns into an accepted value */
  code?: 'implausible';
}

export type DomainErrorCode =
  | 'not_found' | 'invalid' | 'conflict' | 'unavailable' | 'unauthorized' | 'forbidden' | 'locked'
  /** If-Match (or the version a form showed) names another state than the stored one: 412 */
  | 'precondition_failed';

/** Errors services throw; the problem filter maps codes to HTTP, so jobs and controllers share services. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    /** e.g. WWW-Authenticate on 401, Retry-After on 429 */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, path?: string) =>
  new DomainError('not_found', `${what} 不存在 (not found)`, path ? [{ path, message: `${what} 不存在` }] : []);

export const invalid = (errors: FieldError[], message = '输入有误 (invalid input)') =>
  new DomainError('invalid', message, errors);

export const conflict = (path: string, message: string) => new DomainError('conflict', message, [{ path, message }]);

/** PostgreSQL's unique_violation, e.g. a code inserted concurrently since it was checked. */
export const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';
