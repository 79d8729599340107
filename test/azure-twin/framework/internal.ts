/**
 * Internal routes under `/_twin/` (admin header, no bearer): state, faults (request and LRO), latency
 * (per request and per long-running operation, `Retry-After`), the stand-in az, the client's address.
 */
import { AzureError, type TwinResponse } from '../api.ts';
import { type AzDeps, runAz } from './az.ts';
import type { FaultInjector, FaultSpecJson, LroFaultSpec } from './faults.ts';
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
        // Each field is optional; the ones given must be numbers >= 0 (nothing changes otherwise).
        // `retryAfterSeconds: null` goes back to the seconds each operation has left.
        const body = (req.body ?? {}) as Record<string, unknown>;
        const fields = ['latencyMs', 'lroDelayMs', 'retryAfterSeconds'] as const;
        const given = fields.filter((field) => body[field] !== undefined);
        if (given.length === 0)
          throw new AzureError(
            400,
            'InvalidLatency',
            'Give at least one of `latencyMs`, `lroDelayMs`, `retryAfterSeconds`.',
          );
        const derived = (field: (typeof fields)[number]) =>
          field === 'retryAfterSeconds' && body[field] === null;
        for (const field of given) {
          const value = Number(body[field]);
          if (!derived(field) && (!Number.isFinite(value) || value < 0))
            throw new AzureError(400, 'InvalidLatency', `\`${field}\` must be a number >= 0.`);
        }
        for (const field of given) {
          if (field === 'retryAfterSeconds')
            deps.faults.retryAfterSeconds = derived(field) ? undefined : Number(body[field]);
          else deps.faults[field] = Number(body[field]);
        }
        const { latencyMs, lroDelayMs, retryAfterSeconds } = deps.faults;
        return json({ latencyMs, lroDelayMs, retryAfterSeconds: retryAfterSeconds ?? null });
      },
    ],
    [
      'POST /_twin/lro-faults',
      (req) => {
        const spec = req.body as LroFaultSpec | undefined;
        if (!spec || typeof spec.resourceId !== 'string' || spec.resourceId === '')
          throw new AzureError(
            400,
            'InvalidFault',
            'An LRO fault needs `resourceId` (substring of the ARM id).',
          );
        if (spec.outcome !== undefined && spec.outcome !== 'Failed' && spec.outcome !== 'Canceled')
          throw new AzureError(400, 'InvalidFault', '`outcome` must be `Failed` or `Canceled`.');
        deps.faults.addLro(spec);
        return { status: 204 };
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
