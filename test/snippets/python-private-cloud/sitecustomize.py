"""Loaded by Python at start-up (PYTHONPATH) in a generated service-principal snippet's process, by
the executed-snippet tests only. MSAL validates an authority host it does not know by asking
Microsoft's public instance discovery (login.microsoftonline.com), which the tests must never reach
and which would not know the twin. Turning instance discovery off is the SDK's own setting for such
authorities (Azure Stack Hub, private clouds); this adds it to every ClientSecretCredential the
snippet builds, so the generated file itself stays exactly what a public-cloud app runs."""
import azure.identity

_ClientSecretCredential = azure.identity.ClientSecretCredential


class ClientSecretCredential(_ClientSecretCredential):
    def __init__(self, tenant_id, client_id, client_secret, **kwargs):
        # Debian's azure-identity 1.13 beta names it instance_discovery; later releases take
        # disable_instance_discovery=True.
        kwargs.setdefault("instance_discovery", False)
        super().__init__(tenant_id, client_id, client_secret, **kwargs)


azure.identity.ClientSecretCredential = ClientSecretCredential
