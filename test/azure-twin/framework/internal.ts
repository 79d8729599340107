/** Internal routes under `/_twin/` (admin header, no bearer): state, faults, latency, the stand-in az, client IP. */
import { AzureError, type TwinResponse } from '../api.ts';
import { type AzDeps, runAz } from './az.ts';
import type { FaultInjector, FaultSpecJson } from './faults.ts';
import type { InternalHandler } from './pipeline.ts';

export interface InternalDeps {
  state(): unknown;
  faults: FaultInjector;
  az(): AzDeps;
}

/** `POST /_twin/client-ip {"clientIp":"203.0.113.7"}`: the address Azure sees the client come from. */
function setClientIp(deps: InternalDeps): InternalHandler {
  return (req) => {
    const clientIp = (req.body as { clientIp?: unknown } | undefined)?.clientIp;
    const octets = typeof clientIp === 'string' ? clientIp.split('.') : [];
    const valid = octets.length === 4 && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) < 256);
    if (!valid || typeof clientIp !== 'string')
      throw new AzureError(400, 'InvalidClientIp', '`clientIp` must be an IPv4 address such as 203.0.113.7.');
    deps.az().world.clientIp = clientIp;
    return { status: 200, body: { clientIp } };
  };
}

export function internalRoutes(deps: InternalDeps): Map<string, InternalHandler> {
  const json = (body: unknown, status = 200): TwinResponse => ({ status, body });
  return new Map<string, InternalHandler>([
    ['GET /_twin/state', () => json(deps.state())],
    [
      'POST /_twin/faults',
      (req) => {
        const spec = req.body as FaultSpecJson | undefined;
        if (!spec || (spec.path === undefined && spec.pathRegex === undefined)) {
          throw new AzureError(400, 'InvalidFault', 'A fault needs `path` (substring) or `pathRegex`.');
        }
        return json({ id: deps.faults.addJson(spec) }, 201);
      },
    ],
    [
      'DELETE /_twin/faults',
      () => {
        deps.faults.clear();
        return { status: 204 };
      },
    ],
    [
      'POST /_twin/latency',
      (req) => {
        const latencyMs = Number((req.body as { latencyMs?: unknown } | undefined)?.latencyMs);
        if (!Number.isFinite(latencyMs) || latencyMs < 0)
          throw new AzureError(400, 'InvalidLatency', '`latencyMs` must be a number >= 0.');
        deps.faults.latencyMs = latencyMs;
        return json({ latencyMs });
      },
    ],
    ['POST /_twin/client-ip', setClientIp(deps)],
    [
      'POST /_twin/az',
      (req) => {
        const args = (req.body as { args?: unknown } | undefined)?.args;
        if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
          throw new AzureError(400, 'InvalidArguments', '`args` must be an array of strings.');
        }
        return json(runAz(args, deps.az()));
      },
    ],
  ]);
}
