/**
 * What an app is configured with, read the way Azure serves each platform: a web app's settings
 * through the read action `POST .../config/appsettings/list` (needs
 * `Microsoft.Web/sites/config/list/action`, which Reader lacks), a container app's environment from
 * its own GET (secret values stay references), a Spring app's from its active deployment (the one
 * its deployments list marks `active`). And its Service Connector linkers
 * (`GET {app}/providers/Microsoft.ServiceLinker/linkers`): Resource Graph indexes neither (shared
 * reference "fleet-audit.md" §3.1, §3.2). Values never leave this module's callers: the report names
 * settings, never shows them.
 */
import { getWebApp, listWebAppSettings } from '../azure/app-service.ts';
import { type ArmResponse, armError, armGet, armList } from '../azure/arm.ts';
import { getContainerApp } from '../azure/container-apps.ts';
import type { AppKind } from '../azure/resource-id.ts';
import type { AzureSession } from '../azure/session.ts';
import { readActiveSpringDeployment, springEnvironment } from '../azure/spring-deployment.ts';

/**
 * Api-versions of the REST reads (the Spring Apps version the doctor uses, and Service Connector's
 * stable REST version); web apps and container apps are read through their SDK clients
 * (@azure/arm-appservice, @azure/arm-appcontainers), as the doctor reads them.
 */
export const APP_CONFIG_API = {
  spring: '2023-12-01',
  linkers: '2024-04-01',
} as const;

/** One setting or environment variable; `value` undefined for a secret reference. */
export interface ConfigEntry {
  name: string;
  value: string | undefined;
  /** A container app secret's name, when the variable refers to one. */
  secretRef?: string;
}

/** A read Azure answered with something other than the resource. */
export interface ReadProblem {
  status: number;
  code: string | null;
}

export type ConfigRead =
  | { ok: true; entries: ConfigEntry[] }
  | { ok: false; problem: ReadProblem; gone: boolean };

export interface LinkerRow {
  id: string;
  name: string;
  targetId: string;
  authType: string | null;
}

export type LinkersRead =
  | { ok: true; linkers: LinkerRow[] }
  | { ok: false; problem: ReadProblem; gone: boolean };

/**
 * The app as its platform answers it (what `appIdentity` reads too, so the read is shared): a web
 * app or a container app through its SDK client (whose call the session's read transport paces, as
 * it does REST), a Spring app over REST.
 */
export function readApp(
  azure: AzureSession,
  app: { id: string; kind: AppKind },
  signal?: AbortSignal,
): Promise<ArmResponse> {
  if (app.kind === 'webapp') return getWebApp(azure, app.id, signal);
  if (app.kind === 'containerapp') return getContainerApp(azure, app.id, signal);
  return armGet(azure, app.id, APP_CONFIG_API.spring, signal);
}

/** The app's settings or environment variables. */
export async function readConfig(
  azure: AzureSession,
  app: { id: string; kind: AppKind },
  signal?: AbortSignal,
): Promise<ConfigRead> {
  if (app.kind === 'webapp') {
    const response = await listWebAppSettings(azure, app.id, signal);
    if (response.status !== 200) return failed(response);
    const properties = ((response.body as { properties?: unknown } | undefined)?.properties ?? {}) as Record<
      string,
      unknown
    >;
    return {
      ok: true,
      entries: Object.entries(properties).map(([name, value]) => ({ name, value: String(value ?? '') })),
    };
  }
  const response = await readApp(azure, app, signal);
  if (response.status !== 200) return failed(response);
  if (app.kind === 'containerapp') {
    const containers =
      ((response.body as { properties?: { template?: { containers?: unknown } } } | undefined)?.properties
        ?.template?.containers as
        | { env?: { name?: string; value?: string; secretRef?: string }[] }[]
        | undefined) ?? [];
    return {
      ok: true,
      entries: containers.flatMap((container) =>
        (container.env ?? []).flatMap((env) =>
          env.name
            ? [
                env.secretRef !== undefined
                  ? { name: env.name, value: undefined, secretRef: env.secretRef }
                  : { name: env.name, value: env.value ?? '' },
              ]
            : [],
        ),
      ),
    };
  }
  // The app's answer is at hand (and cached for the app): it names the active deployment only at
  // older api-versions; otherwise the deployments list says which is active (read once per app).
  const active = await readActiveSpringDeployment(
    azure,
    app.id,
    APP_CONFIG_API.spring,
    signal,
    response.body,
  );
  if (active.kind === 'refused') return failed(active.response);
  if (active.kind === 'none') return { ok: true, entries: [] };
  return {
    ok: true,
    entries: Object.entries(springEnvironment(active.deployment)).map(([name, value]) => ({ name, value })),
  };
}

/** The app's Service Connector linkers. */
export async function readLinkers(
  azure: AzureSession,
  app: { id: string },
  signal?: AbortSignal,
): Promise<LinkersRead> {
  const listed = await armList(
    azure,
    `${app.id}/providers/Microsoft.ServiceLinker/linkers`,
    APP_CONFIG_API.linkers,
    signal,
  );
  if (!listed.ok) {
    // A subscription that never registered Service Connector has no linkers at all.
    const error = armError(listed.response.body);
    if (listed.response.status === 409 && error?.code === 'MissingSubscriptionRegistration')
      return { ok: true, linkers: [] };
    return failed(listed.response);
  }
  return {
    ok: true,
    linkers: listed.items.flatMap((item) => {
      const linker = item as {
        id?: unknown;
        name?: unknown;
        properties?: { targetService?: { id?: unknown }; authInfo?: { authType?: unknown } };
      };
      const targetId = linker.properties?.targetService?.id;
      if (typeof linker.id !== 'string' || typeof targetId !== 'string') return [];
      return [
        {
          id: linker.id,
          name: typeof linker.name === 'string' ? linker.name : (linker.id.split('/').pop() ?? ''),
          targetId,
          authType:
            typeof linker.properties?.authInfo?.authType === 'string'
              ? linker.properties.authInfo.authType
              : null,
        },
      ];
    }),
  };
}

function failed(response: ArmResponse): { ok: false; problem: ReadProblem; gone: boolean } {
  const code = armError(response.body)?.code ?? null;
  return {
    ok: false,
    problem: { status: response.status, code },
    // ARM confirms what Resource Graph listed is gone: the app itself (or its parent) is not found.
    gone: response.status === 404,
  };
}

/**
 * A setting that holds a password: a name ending in PASSWORD (or PWD), a secret reference named so, a
 * `Password=`/`Pwd=` pair inside a connection string or URL query, or a password in a URL's user info
 * (`postgres://user:secret@host`). Only the setting's name is ever reported.
 */
export function isPasswordStyle(entry: ConfigEntry): boolean {
  if (/(password|passwd|pwd)$/i.test(entry.name)) return true;
  if (entry.secretRef && /(password|passwd|pwd)/i.test(entry.secretRef)) return true;
  const value = entry.value;
  if (value === undefined) return false;
  return (
    /(^|[;\s?&])(password|pwd)\s*=/i.test(value) || /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:[^/@\s]+@/i.test(value)
  );
}
