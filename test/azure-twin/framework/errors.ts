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

/**
 * A refusal Microsoft.Web makes itself, as opposed to ARM's own (authorization, a missing resource
 * group, an api-version): Web answers it in its PascalCase envelope, not ARM's `{"error": ...}`
 * (azure-refusals.md §0: Azure/azure-sdk-for-java#1827, microsoft/Partner-Smart-Office#1).
 */
export class WebRpError extends AzureError {
  constructor(
    status: number,
    code: string,
    message: string,
    /** `ErrorEntity.ExtendedCode`, `MessageTemplate` and `Parameters`, when the refusal has them. */
    readonly entity: { extendedCode?: string; messageTemplate?: string; parameters?: string[] } = {},
  ) {
    super(status, code, message);
  }
}

/** Web's error body: `Code`, `Message`, `Target`, `Details` (message, code, `ErrorEntity`), `Innererror`. */
export function webErrorBody(
  code: string,
  message: string,
  entity: WebRpError['entity'] = {},
): Record<string, unknown> {
  return {
    Code: code,
    Message: message,
    Target: null,
    Details: [
      { Message: message },
      { Code: code },
      {
        ErrorEntity: {
          ExtendedCode: entity.extendedCode ?? null,
          MessageTemplate: entity.messageTemplate ?? message,
          Parameters: entity.parameters ?? [],
          Code: code,
          Message: message,
        },
      },
    ],
    Innererror: null,
  };
}
