/**
 * Route table: ARM/Graph path templates with `{name}` placeholders matched case-insensitively, plus
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
    const placeholder = /^\{(\w+)\}$/.exec(segment);
    if (placeholder) {
      names.push(placeholder[1]!);
      lastPlaceholderSegment = index;
      return '([^/]+)';
    }
    literalCount++;
    return escapeRegExp(segment);
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
    // More literal segments first, so `/.../flexibleServers/{s}/databases` wins over `{*scope}` routes.
    this.routes.sort((a, b) => b.literalCount - a.literalCount);
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
