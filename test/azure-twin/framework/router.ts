/**
 * Route table: ARM/Graph path templates with `{name}` placeholders (whole or inside a segment) matched
 * case-insensitively, plus
 * `{*name}` (framework extension) matching one or more segments, used for "any scope" routes.
 */
import type { RouteSpec } from '../api.ts';

interface CompiledRoute {
  spec: RouteSpec;
  pattern: RegExp;
  names: string[];
  /** Index of the last `{...}` segment in the template: the RBAC scope ends there. */
  lastPlaceholderSegment: number;
  literalCount: number;
}

export interface RouteMatch {
  spec: RouteSpec;
  params: Record<string, string>;
  /** The request path up to and including the last placeholder segment (RBAC scope). */
  scope: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Collapses repeated slashes (SDKs send `//` for empty path parameters) and drops a trailing slash. */
export function normalisePath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/** Specific routes before general ones: more literal segments first, `{*x}` routes last. */
function rank(route: CompiledRoute): number {
  return route.literalCount - (route.pattern.source.includes('(.+?)') ? 1000 : 0);
}

function compile(spec: RouteSpec): CompiledRoute {
  const segments = normalisePath(spec.path).split('/').slice(1);
  const names: string[] = [];
  let lastPlaceholderSegment = -1;
  let literalCount = 0;
  const parts = segments.map((segment, index) => {
    const wildcard = /^\{\*(\w+)\}$/.exec(segment);
    if (wildcard) {
      names.push(wildcard[1]!);
      lastPlaceholderSegment = index;
      return '(.+?)';
    }
    // Placeholders may sit inside a segment, e.g. Graph's `servicePrincipals(appId='{appId}')`.
    const pieces = segment.split(/\{(\w+)\}/);
    if (pieces.length === 1) {
      literalCount++;
      return escapeRegExp(segment);
    }
    lastPlaceholderSegment = index;
    return pieces
      .map((piece, i) => {
        if (i % 2 === 0) return escapeRegExp(piece);
        names.push(piece);
        return '([^/]+?)';
      })
      .join('');
  });
  return {
    spec,
    pattern: new RegExp(`^/${parts.join('/')}$`, 'i'),
    names,
    lastPlaceholderSegment,
    literalCount,
  };
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...specs: RouteSpec[]): void {
    for (const spec of specs) this.routes.push(compile(spec));
    this.routes.sort((a, b) => rank(b) - rank(a));
  }

  /** The matching route, `'method'` when only other methods match the path, or undefined. */
  match(method: string, path: string): RouteMatch | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      if (route.spec.method !== method.toUpperCase()) {
        pathMatched = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = found[index + 1]!;
      });
      return { spec: route.spec, params, scope: scopeOf(route, path) };
    }
    return pathMatched ? 'method' : undefined;
  }
}

function scopeOf(route: CompiledRoute, path: string): string {
  if (route.lastPlaceholderSegment < 0) return path;
  // Template and path have the same segment count except for `{*x}`; count from the end instead.
  const templateSegments = normalisePath(route.spec.path).split('/').slice(1);
  const pathSegments = path.split('/').slice(1);
  const trailing = templateSegments.length - 1 - route.lastPlaceholderSegment;
  return `/${pathSegments.slice(0, pathSegments.length - trailing).join('/')}`;
}
