/** The ARM error texts the framework produces itself (providers throw their own `AzureError`s). */
import { AzureError, type Principal } from '../api.ts';

export function resourceGroupNotFound(name: string): AzureError {
  return new AzureError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

export function subscriptionNotFound(subscriptionId: string): AzureError {
  return new AzureError(
    404,
    'SubscriptionNotFound',
    `The subscription '${subscriptionId}' could not be found.`,
  );
}

export function parentResourceNotFound(name: string): AzureError {
  return new AzureError(
    404,
    'ParentResourceNotFound',
    `Can not perform requested operation on nested resource. Parent resource '${name}' not found.`,
  );
}

/** 404 for a GET of a known type whose resource is absent (ARM's text). */
export function resourceNotFound(type: string, name: string, resourceGroup: string): AzureError {
  return new AzureError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function invalidResourceType(namespace: string, type: string, apiVersion: string | null): AzureError {
  return new AzureError(
    404,
    'InvalidResourceType',
    `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${apiVersion ?? ''}'.`,
  );
}

export function authorizationFailed(caller: Principal, action: string, scope: string): AzureError {
  const who = caller.userPrincipalName ?? caller.appId ?? caller.objectId;
  return new AzureError(
    403,
    'AuthorizationFailed',
    `The client '${who}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function missingApiVersion(): AzureError {
  return new AzureError(
    400,
    'MissingApiVersionParameter',
    'The api-version query parameter (?api-version=) is required for all requests.',
  );
}

export function invalidRequestContent(detail: string): AzureError {
  return new AzureError(
    400,
    'InvalidRequestContent',
    `The request content was invalid and could not be deserialized: '${detail}'.`,
  );
}

/**
 * 403 when the caller may write a resource but not act on a resource the request references (a
 * user-assigned identity, a subnet...). The newer wording ("action(s)", "(respectively)"; several
 * linked ids joined by ',' without spaces), as captured in Azure/enterprise-azure-policy-as-code#1339;
 * the older one (Azure/aad-pod-identity#443) says "action" and has no "(respectively)".
 */
export function linkedAuthorizationFailed(
  caller: Principal,
  action: string,
  scope: string,
  linkedActions: string[],
  linkedScopes: string[],
): AzureError {
  const who = caller.userPrincipalName ?? caller.appId ?? caller.objectId;
  return new AzureError(
    403,
    'LinkedAuthorizationFailed',
    `The client '${who}' with object id '${caller.objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action(s) '${linkedActions.join(',')}' on the linked scope(s) '${linkedScopes.join(',')}' (respectively) or the linked scope(s) are invalid.`,
  );
}
