/**
 * The app the target flags name: by `--source-id`, or by `--app` with `--resource-group` and
 * `--target` (a Spring app is `<service>/<app>`), every name held to Azure's rule for its kind.
 */
import { APP_ARM_TYPES, type AppKind, armIds } from '../azure/resource-id.ts';
import { clip, GUID, namesProblem, SEGMENT, SOURCE_ID_SHAPE, type TargetProblem } from './target-names.ts';

const APP_TYPES = APP_ARM_TYPES;

/**
 * The app the flags name: by `--source-id`, or by `--app` with `--resource-group` and `--target`
 * (a Spring app is `<service>/<app>`, since Spring apps live inside a service). Only the subscription
 * of a named app is open: the run's subscription, known once the session has one (`appRefOf`).
 */
export type AppSelector =
  | ({ by: 'id'; subscriptionId: string; id: string } & AppParts)
  | ({ by: 'name' } & AppParts);

interface AppParts {
  kind: AppKind;
  resourceGroup: string;
  /** The app's name; for Spring, the app inside `service`. */
  name: string;
  /** The Spring Apps service the app belongs to (`kind: 'spring'` only). */
  service: string | null;
}

/** Where an app lives in ARM, before anything was asked of Azure. */
export interface AppRef extends AppParts {
  subscriptionId: string;
  /** The ARM id. */
  id: string;
}

/** The flags that name an app, for `skip` messages. */
export const APP_TARGET_FLAGS = '--source-id, or --app with --resource-group and --target';

/** The app of `--source-id` or `--app`; null without app flags; a `TargetProblem` when they are wrong. */
export function appSelectorFrom(
  value: (key: string) => string | undefined,
): AppSelector | TargetProblem | null {
  const kind = (value('target') as AppKind | undefined) ?? null;
  const sourceId = value('sourceId');
  if (sourceId !== undefined) {
    const parsed = parseSourceId(sourceId);
    if ('flag' in parsed) return parsed;
    if (kind !== null && kind !== parsed.kind)
      return {
        flag: '--target',
        message: `--target ${kind} does not match --source-id, which is a ${parsed.kind}.`,
        hint: 'Drop --target or fix it.',
      };
    return parsed;
  }
  const app = value('app');
  if (app === undefined) {
    if (kind === null) return null;
    return {
      flag: '--app',
      message: `--target ${kind} needs the app: pass --app <name> and --resource-group.`,
      hint: `Name the app with ${APP_TARGET_FLAGS}.`,
    };
  }
  const resourceGroup = value('resourceGroup');
  if (resourceGroup === undefined)
    return {
      flag: '--resource-group',
      message: `--app ${app} needs its resource group: pass --resource-group <name>.`,
      hint: 'Or name the app by its resource id with --source-id.',
    };
  if (kind === null)
    return {
      flag: '--target',
      message: `--app ${app} needs its kind: pass --target webapp, containerapp or spring.`,
      hint: 'Or name the app by its resource id with --source-id.',
    };
  if (kind === 'spring') {
    const [service, name, ...rest] = app.split('/');
    if (!service || !name || rest.length > 0)
      return {
        flag: '--app',
        message: `--app for a Spring app is <service>/<app>; got '${clip(app)}'.`,
        hint: 'e.g. --app spring-orders/orders-spring',
      };
    const bad = namesProblem([
      ['--app', 'spring-service', service],
      ['--app', 'spring-app', name],
    ]);
    return bad ?? { by: 'name', kind, resourceGroup, name, service };
  }
  if (!SEGMENT.test(app))
    return {
      flag: '--app',
      message: `--app is the app's name, not a path; got '${clip(app)}' (use --source-id for an id).`,
      hint: 'Pass the name only (e.g. orders-api), or the full id with --source-id.',
    };
  return (
    namesProblem([['--app', kind, app]]) ?? { by: 'name', kind, resourceGroup, name: app, service: null }
  );
}

function parseSourceId(id: string): AppSelector | TargetProblem {
  const bad = (message: string): TargetProblem => ({
    flag: '--source-id',
    message,
    hint: `Expected ${SOURCE_ID_SHAPE}`,
  });
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/(.+?)\/?$/i.exec(id.trim());
  if (!match || !GUID.test(match[1]!))
    return bad(`--source-id '${clip(id)}' is not the resource id of an app.`);
  const subscriptionId = match[1]!.toLowerCase();
  const resourceGroup = match[2]!;
  const rest = match[3]!.split('/');
  const type = `${rest[0]}/${rest[1]}`.toLowerCase();
  const kind = (Object.keys(APP_TYPES) as AppKind[]).find((k) => APP_TYPES[k].toLowerCase() === type);
  if (!kind || rest.some((part) => part === ''))
    return bad(`--source-id '${clip(id)}' is not the resource id of an app.`);
  const badGroup = namesProblem([['--source-id', 'resource-group', resourceGroup]]);
  if (badGroup) return badGroup;
  if (kind === 'spring') {
    if (rest.length !== 5 || rest[3]!.toLowerCase() !== 'apps')
      return bad(`--source-id of a Spring app ends in /Spring/<service>/apps/<app>; got '${clip(id)}'.`);
    const badName = namesProblem([
      ['--source-id', 'spring-service', rest[2]!],
      ['--source-id', 'spring-app', rest[4]!],
    ]);
    if (badName) return badName;
    const ref = appRefOf(
      { by: 'name', kind, resourceGroup, name: rest[4]!, service: rest[2]! },
      subscriptionId,
    );
    return { by: 'id', ...ref };
  }
  if (rest.length !== 3) return bad(`--source-id '${clip(id)}' is not the resource id of an app.`);
  const badName = namesProblem([['--source-id', kind, rest[2]!]]);
  if (badName) return badName;
  const ref = appRefOf({ by: 'name', kind, resourceGroup, name: rest[2]!, service: null }, subscriptionId);
  return { by: 'id', ...ref };
}

/**
 * Where the app lives: an app named by id carries its own subscription; one named by `--app` is in
 * `subscriptionId`, the run's subscription.
 */
export function appRefOf(app: AppSelector, subscriptionId: string): AppRef {
  const { kind, resourceGroup, name, service } = app;
  const owner = app.by === 'id' ? app.subscriptionId : subscriptionId;
  const id = armIds.app(kind, owner, resourceGroup, name, service);
  return { kind, subscriptionId: owner, resourceGroup, name, service, id };
}
