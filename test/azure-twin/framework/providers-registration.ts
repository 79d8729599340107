/**
 * Resource provider registration of a subscription (`Microsoft.Resources` providers API, api-version
 * 2021-04-01 shapes from `GetProvider.json` / `RegisterProviders.json`): what `az` and setup use to find
 * and fix an unregistered namespace such as `Microsoft.ServiceLinker`. The world's
 * `unregisteredProviders` is the truth; registering removes the namespace from it.
 */
import type { RouteSpec, TwinContext, TwinRequest } from '../api.ts';
import { authorizationFailed } from './errors.ts';
import { isAllowed } from './permissions.ts';

const PROVIDER = '/subscriptions/{subscriptionId}/providers/{namespace}';

/** Paths of these routes are exempt from the registration check (they are how one registers). */
export const REGISTRATION_PATH = /^\/subscriptions\/[^/]+\/providers\/[^/]+(\/(register|unregister))?$/i;

function registered(twin: TwinContext, namespace: string): boolean {
  return !(twin.world.unregisteredProviders ?? []).some((ns) => ns.toLowerCase() === namespace.toLowerCase());
}

/** The provider as GET answers it. The twin lists no resource types (the tool never reads them). */
function providerBody(req: TwinRequest, state: string) {
  return {
    id: `/subscriptions/${req.params.subscriptionId}/providers/${req.params.namespace}`,
    namespace: req.params.namespace,
    registrationState: state,
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: [],
  };
}

export const providerRegistrationRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: PROVIDER,
    audience: 'arm',
    action: 'Microsoft.Resources/subscriptions/providers/read',
    parents: (p) => [`/subscriptions/${p.subscriptionId}`],
    handler: (req, twin) => ({
      status: 200,
      body: providerBody(req, registered(twin, req.params.namespace!) ? 'Registered' : 'NotRegistered'),
    }),
  },
  {
    method: 'POST',
    path: `${PROVIDER}/register`,
    audience: 'arm',
    parents: (p) => [`/subscriptions/${p.subscriptionId}`],
    handler: (req, twin) => {
      // The action is per namespace (`<namespace>/register/action`; Contributor's `*` has it, Reader's `*/read` not).
      const action = `${req.params.namespace}/register/action`;
      const scope = `/subscriptions/${req.params.subscriptionId}`;
      if (!isAllowed(twin.world.roleAssignments, req.caller.objectId, scope, action, twin.world.customRoles))
        throw authorizationFailed(req.caller, action, scope);
      const wanted = req.params.namespace!.toLowerCase();
      twin.world.unregisteredProviders = (twin.world.unregisteredProviders ?? []).filter(
        (ns) => ns.toLowerCase() !== wanted,
      );
      // ARM answers while registration runs; the twin has finished by the next call.
      return { status: 200, body: providerBody(req, 'Registering') };
    },
  },
];
