/**
 * The Microsoft identity platform's token endpoint for the client-credentials grant (a service
 * principal signing in with a client secret), on its own HTTPS port with the twin's certificate, so
 * `ClientSecretCredential` can be pointed at it with the standard `AZURE_AUTHORITY_HOST`. It serves
 * what MSAL asks an authority for: the tenant's OpenID configuration
 * (`/{tenant}/v2.0/.well-known/openid-configuration`) and `POST /{tenant}/oauth2/v2.0/token`.
 * Refusals carry Entra's error body (`error`, `error_description` starting with `AADSTSnnnnn:`,
 * `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Principal } from '../api.ts';

export interface EntraTokenDeps {
  tenantId: string;
  principal(appId: string): Principal | undefined;
  /** Token for the principal and the resource (the scope without `/.default`), with its lifetime. */
  token(principal: Principal, resource: string): { token: string; expiresIn: number };
  tls: { cert: string; key: string };
}

interface EntraError {
  status: number;
  error: string;
  code: number;
  description: string;
}

export class EntraTokenEndpoint {
  private server?: Server;
  /** Client secrets by application (client) id; an app may have several, as in Entra. */
  private readonly secrets = new Map<string, Set<string>>();
  /** `https://127.0.0.1:PORT`, the value for AZURE_AUTHORITY_HOST. */
  authorityHost = '';

  constructor(private readonly deps: EntraTokenDeps) {}

  async listen(): Promise<void> {
    this.server = createServer({ cert: this.deps.tls.cert, key: this.deps.tls.key }, (req, res) =>
      this.handle(req, res),
    );
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.authorityHost = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Adds a client secret to the application `appId` (generated unless given) and returns its value. */
  addClientSecret(appId: string, secret = randomBytes(30).toString('base64url')): string {
    const key = appId.toLowerCase();
    if (!this.secrets.has(key)) this.secrets.set(key, new Set());
    this.secrets.get(key)!.add(secret);
    return secret;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.authorityHost);
    const [tenant, ...rest] = url.pathname.split('/').filter(Boolean);
    const path = rest.join('/');
    const knownTenant = tenant?.toLowerCase() === this.deps.tenantId.toLowerCase();
    if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
      if (!knownTenant) return this.refuse(res, tenantNotFound(tenant ?? ''));
      return send(res, 200, this.openIdConfiguration(tenant!));
    }
    if (req.method === 'POST' && path === 'oauth2/v2.0/token') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (!knownTenant) return this.refuse(res, tenantNotFound(tenant ?? ''));
        this.token(res, form);
      });
      return;
    }
    send(res, 404, { error: 'not_found', error_description: `No route for ${req.method} ${url.pathname}` });
  }

  /** The discovery document, with the fields MSAL reads (endpoints, issuer) as Entra publishes them. */
  private openIdConfiguration(tenant: string): Record<string, unknown> {
    const base = `${this.authorityHost}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${this.authorityHost}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'oid', 'tid'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'twin.test',
    };
  }

  private token(res: ServerResponse, form: URLSearchParams) {
    const grantType = form.get('grant_type') ?? '';
    if (grantType !== 'client_credentials') {
      return this.refuse(res, {
        status: 400,
        error: 'unsupported_grant_type',
        code: 70003,
        description: `The app requested an unsupported grant type '${grantType}'.`,
      });
    }
    const clientId = form.get('client_id') ?? '';
    const principal = this.deps.principal(clientId);
    const secrets = this.secrets.get(clientId.toLowerCase());
    if (principal?.kind !== 'servicePrincipal' || !secrets) {
      return this.refuse(res, {
        status: 400,
        error: 'unauthorized_client',
        code: 700016,
        description: `Application with identifier '${clientId}' was not found in the directory '${this.deps.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      });
    }
    const secret = form.get('client_secret');
    if (!secret || !secrets.has(secret)) {
      // Entra's answer for a wrong secret; the secret itself is never echoed.
      return this.refuse(res, {
        status: 401,
        error: 'invalid_client',
        code: 7000215,
        description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      });
    }
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
    if (!scope) {
      return this.refuse(res, {
        status: 400,
        error: 'invalid_scope',
        code: 1002012,
        description: `The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      });
    }
    const { token, expiresIn } = this.deps.token(principal, scope.slice(0, -'/.default'.length));
    send(res, 200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
    });
  }

  private refuse(res: ServerResponse, failure: EntraError): void {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    send(res, failure.status, {
      error: failure.error,
      error_description: `AADSTS${failure.code}: ${failure.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp.replace('T', ' ')}`,
      error_codes: [failure.code],
      timestamp: timestamp.replace('T', ' '),
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${this.authorityHost}/error?code=${failure.code}`,
    });
  }
}

function tenantNotFound(tenant: string): EntraError {
  return {
    status: 400,
    error: 'invalid_request',
    code: 90002,
    description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store, no-cache',
  });
  res.end(text);
}
