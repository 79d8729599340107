/** Server-side paging the way ARM and Graph lists page: `{ value, nextLink }` with a `$skiptoken`. */
import type { TwinRequest } from '../api.ts';

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

/**
 * Returns the page of `items` the request asks for. `nextLink` is absolute, keeps the request's other
 * query parameters (api-version) and carries the offset in `$skiptoken`.
 */
export function page<T>(req: TwinRequest, items: T[], pageSize = 100): Page<T> {
  const offset = Number.parseInt(req.query.get('$skiptoken') ?? '0', 10) || 0;
  const value = items.slice(offset, offset + pageSize);
  if (offset + pageSize >= items.length) return { value };
  const next = new URL(req.url.toString());
  next.searchParams.set('$skiptoken', String(offset + pageSize));
  // Azure writes `$skiptoken` literally; URLSearchParams would encode the `$`.
  return { value, nextLink: next.toString().replace('%24skiptoken=', '$skiptoken=') };
}
