/**
 * The App Service managed-identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, api-version 2019-08-01)
 * on plain HTTP, as App Service serves it to the app. Each app gets its own header secret, which also
 * tells the endpoint whose identities to issue for (docs/architecture.md, "Where the facts come from").
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArmResource, Principal } from '../api.ts';

export interface MsiDeps {
  principal(id: string): Principal | undefined;
  resource(id: string): ArmResource | undefined;
  /** Token for the principal and resource, with its `exp` in seconds. */
  token(principal: Principal, resource: string): { token: string; exp: number };
}

export class MsiEndpoint {
  private server?: Server;
  private readonly apps = new Map<string, string>();
  endpoint = '';

  constructor(private readonly deps: MsiDeps) {}

  async listen(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/msi/token`;
  }

  /** The IDENTITY_HEADER value for the app with ARM id `appResourceId` (created on first use). */
  headerFor(appResourceId: string): string {
    for (const [header, app] of this.apps)
      if (app.toLowerCase() === appResourceId.toLowerCase()) return header;
    const header = randomBytes(16).toString('hex');
    this.apps.set(header, appResourceId);
    return header;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const failure = (status: number, message: string) =>
      send(status, { statusCode: status, message, correlationId: crypto.randomUUID() });

    if (req.method !== 'GET' || url.pathname !== '/msi/token') return failure(404, 'Not found.');
    const header = req.headers['x-identity-header'];
    if (typeof header !== 'string' || header.length === 0) {
      return failure(400, 'No X-IDENTITY-HEADER header was provided with the request.');
    }
    const app = this.apps.get(header);
    if (!app) return failure(401, 'Unauthorized. The X-IDENTITY-HEADER value is not valid.');
    if (url.searchParams.get('api-version') !== '2019-08-01') {
      return failure(
        400,
        `The api-version '${url.searchParams.get('api-version') ?? ''}' is not supported. Supported: 2019-08-01.`,
      );
    }
    const resource = url.searchParams.get('resource');
    if (!resource) return failure(400, 'The resource parameter is required.');

    const clientId = url.searchParams.get('client_id');
    const principalId = url.searchParams.get('principal_id') ?? url.searchParams.get('object_id');
    const miResId = url.searchParams.get('mi_res_id');
    const requested = clientId ?? principalId ?? miResId;
    let identity: Principal | undefined;
    if (requested) {
      identity = this.deps.principal(requested);
      if (identity && !this.assigned(app, identity)) identity = undefined;
    } else {
      identity = this.deps.principal(app);
    }
    if (!identity) return failure(400, 'Unable to load the proper Managed Identity.');

    const { token, exp } = this.deps.token(identity, resource);
    send(200, {
      access_token: token,
      expires_on: String(exp),
      resource,
      token_type: 'Bearer',
      client_id: identity.appId ?? identity.objectId,
    });
  }

  /** A user-assigned identity serves an app only when the app lists it (when the app is in the store). */
  private assigned(app: string, identity: Principal): boolean {
    if (identity.alternativeId?.toLowerCase() === app.toLowerCase()) return true;
    const site = this.deps.resource(app);
    if (!site) return true;
    const assignedIds = Object.keys(
      (site.identity as { userAssignedIdentities?: object } | undefined)?.userAssignedIdentities ?? {},
    );
    return assignedIds.some((id) => id.toLowerCase() === identity.alternativeId?.toLowerCase());
  }
}
