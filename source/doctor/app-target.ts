/**
 * The app the target checks look at, from `--source-id`, or `--app` with `--resource-group` and
 * `--target`. A Spring app is named `<service>/<app>` because Spring apps live inside a service.
 * Problems are `UsageError`s (exit 2) naming the flag to fix.
 */
import { UsageError } from '../cli/usage-error.ts';
import type { AppKind } from './facts.ts';

/** Where an app lives in ARM, before anything was asked of Azure. */
export interface AppTarget {
  kind: AppKind;
  subscriptionId: string;
  resourceGroup: string;
  /** The app's name; for Spring, the app inside `service`. */
  name: string;
  /** Spring only: the Spring Apps service the app belongs to. */
  service: string | null;
  /** The ARM id built from the parts. */
  id: string;
}

const PROVIDER_PATHS: Record<AppKind, string> = {
  webapp: 'Microsoft.Web/sites',
  containerapp: 'Microsoft.App/containerApps',
  spring: 'Microsoft.AppPlatform/Spring',
};

const APP_FLAGS = '--source-id, or --app with --resource-group and --target';

/** The flags that name an app, for `skip` messages. */
export const APP_TARGET_FLAGS = APP_FLAGS;

/**
 * The app named by the target flags, or null when none are given. `subscriptionId` is the run's
 * subscription, used when the app is named by `--app` rather than by its resource id.
 */
export function appTargetFrom(
  target: Readonly<Record<string, string | undefined>>,
  subscriptionId: string,
): AppTarget | null {
  const { sourceId, app, resourceGroup } = target;
  const kindFlag = target.target as AppKind | undefined;
  if (sourceId) return fromSourceId(sourceId, kindFlag);
  if (!app) {
    if (kindFlag)
      throw new UsageError(`--target ${kindFlag} needs the app: pass --app <name> and --resource-group.`);
    return null;
  }
  if (!resourceGroup)
    throw new UsageError(
      `--app ${app} needs its resource group: pass --resource-group <name> (or use --source-id).`,
    );
  if (!kindFlag)
    throw new UsageError(`--app ${app} needs its kind: pass --target webapp, containerapp or spring.`);
  if (kindFlag === 'spring') {
    const [service, name, ...rest] = app.split('/');
    if (!service || !name || rest.length > 0)
      throw new UsageError(`--app for a Spring app is <service>/<app>; got '${app}'.`);
    return build('spring', subscriptionId, resourceGroup, name, service);
  }
  if (app.includes('/'))
    throw new UsageError(`--app is the app's name, not a path; got '${app}' (use --source-id for an id).`);
  return build(kindFlag, subscriptionId, resourceGroup, app, null);
}

/**
 * Throws the `UsageError` `appTargetFrom` would, before anything runs (the subscription is not known
 * yet then: any stands in for it, since only the flags' shape is checked).
 */
export function validateAppTarget(target: Readonly<Record<string, string | undefined>>): void {
  appTargetFrom(target, 'subscription');
}

function fromSourceId(sourceId: string, kindFlag: AppKind | undefined): AppTarget {
  const match =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/(Microsoft\.Web\/sites|Microsoft\.App\/containerApps|Microsoft\.AppPlatform\/Spring)\/([^/]+)(?:\/apps\/([^/]+))?\/?$/i.exec(
      sourceId.trim(),
    );
  if (!match)
    throw new UsageError(
      `--source-id must be the resource id of a web app, container app or Spring app; got '${clip(sourceId)}'.`,
      [
        'e.g. /subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Web/sites/<app>',
        'Find it with: az webapp show -g <group> -n <app> --query id -o tsv',
      ],
    );
  const [, subscriptionId, resourceGroup, provider, first, springApp] = match as unknown as string[];
  const kind = (Object.keys(PROVIDER_PATHS) as AppKind[]).find(
    (k) => PROVIDER_PATHS[k].toLowerCase() === provider!.toLowerCase(),
  )!;
  if (kind === 'spring' && !springApp)
    throw new UsageError(
      `--source-id of a Spring app ends in /Spring/<service>/apps/<app>; got '${clip(sourceId)}'.`,
    );
  if (kind !== 'spring' && springApp)
    throw new UsageError(`--source-id has an unexpected /apps/ part; got '${clip(sourceId)}'.`);
  if (kindFlag && kindFlag !== kind)
    throw new UsageError(`--target ${kindFlag} does not match --source-id, which is a ${kind}.`);
  return kind === 'spring'
    ? build(kind, subscriptionId!, resourceGroup!, springApp!, first!)
    : build(kind, subscriptionId!, resourceGroup!, first!, null);
}

function build(
  kind: AppKind,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  service: string | null,
): AppTarget {
  const group = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const id =
    kind === 'spring'
      ? `${group}/providers/${PROVIDER_PATHS.spring}/${service}/apps/${name}`
      : `${group}/providers/${PROVIDER_PATHS[kind]}/${name}`;
  return { kind, subscriptionId, resourceGroup, name, service, id };
}

function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
