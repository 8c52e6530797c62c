/**
 * TypeORM's postgres driver answers an UPDATE or DELETE with `[rows, rowCount]` where every other
 * statement gives the rows: this unwraps the RETURNING rows of an UPDATE/DELETE.
 */
export function returned<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}
