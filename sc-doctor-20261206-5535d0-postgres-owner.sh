#!/bin/sh
# sc-doctor run 20261206-5535d0: the grants on orders for the role aad_postgresflexible_orders (orders-api) that only pgadmin can give.
# Run it as pgadmin, from a machine that can reach pg-orders.
set -eu
# TLS is verified against this machine's CA bundle, as every Azure client does.
if [ -z "${PGSSLROOTCERT:-}" ]; then
  for bundle in "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
    if [ -n "$bundle" ] && [ -r "$bundle" ]; then PGSSLROOTCERT=$bundle; break; fi
  done
fi
PGSSLROOTCERT=${PGSSLROOTCERT:-system}
export PGSSLROOTCERT
# As pgadmin (psql asks for its password, or set PGPASSWORD): CONNECT on database orders; USAGE, CREATE on schema public; SELECT, INSERT, UPDATE, DELETE on tables pgadmin makes later in public.
psql -X -v ON_ERROR_STOP=1 --single-transaction 'host=pg-orders.postgres.twin.test dbname=orders user=pgadmin sslmode=verify-full connect_timeout=15' <<'SC_DOCTOR_SQL'
GRANT CONNECT ON DATABASE "orders" TO "aad_postgresflexible_orders";
GRANT USAGE, CREATE ON SCHEMA "public" TO "aad_postgresflexible_orders";
ALTER DEFAULT PRIVILEGES FOR ROLE "pgadmin" IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "aad_postgresflexible_orders";
SC_DOCTOR_SQL
