/**
 * Preloaded (`node --require`) into a generated service-principal snippet's process by the
 * executed-snippet tests only. MSAL validates an authority host it does not know by asking
 * Microsoft's public instance discovery (login.microsoftonline.com), which the tests must never
 * reach and which would not know the twin. `disableInstanceDiscovery` is the SDK's own setting for
 * such authorities (Azure Stack Hub, private clouds); this adds it to every `ClientSecretCredential`
 * the snippet builds, so the generated file itself stays exactly what a public-cloud app runs.
 */
'use strict';
const Module = require('node:module');

const load = Module._load;
Module._load = function loadWithPrivateCloudAuthority(request, ...rest) {
  const loaded = load.call(this, request, ...rest);
  if (request !== '@azure/identity') return loaded;
  class ClientSecretCredential extends loaded.ClientSecretCredential {
    constructor(tenantId, clientId, clientSecret, options = {}) {
      super(tenantId, clientId, clientSecret, { ...options, disableInstanceDiscovery: true });
    }
  }
  return Object.create(loaded, {
    ClientSecretCredential: { value: ClientSecretCredential, enumerable: true },
  });
};
