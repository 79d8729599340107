/** Internal routes under `/_twin/` (admin header, no bearer): state, faults, latency, the stand-in az. */
import { AzureError, type TwinResponse } from '../api.ts';
import { type AzDeps, runAz } from './az.ts';
import type { FaultInjector, FaultSpecJson } from './faults.ts';
import type { InternalHandler } from './pipeline.ts';

export interface InternalDeps {
  state(): unknown;
  faults: FaultInjector;
  az(): AzDeps;
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
