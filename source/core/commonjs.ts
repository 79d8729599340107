/**
 * The exports of a CommonJS package loaded on first use with `await import('pkg')`. The three ways
 * sc-doctor runs disagree on where they are: Node gives `module.exports` as `default` (and the names
 * it can detect); the bundle (esbuild, which cannot know a CommonJS module's names) gives only
 * `default`; tsx, which runs the sources in tests, follows `__esModule` and gives the names, with
 * `default` undefined when the package has no default export (tedious). Every dynamic import of a
 * CommonJS package goes through this one function (docs/architecture.md, "Heavy modules and the
 * bundle"; test/e2e/bundle-imports.test.ts holds the rule).
 */
export function commonJs<T>(namespace: { default: T }): T {
  const loaded = namespace as { default?: T };
  return loaded.default ?? (namespace as unknown as T);
}
