-- Stand-ins for Azure Database for PostgreSQL flexible server's Entra functions (pgaadauth_*),
-- installed into the `postgres` database, where Azure has them and where `az ... connection create`
-- calls them. A role created here gets as its password exactly the token the twin issues for the
-- principal and the ossrdbms audience (test/azure-twin/tokens.ts, withProfile = false), so a client
-- that logs in with a twin token takes the same path as with a real Entra token.
--
-- Azure's role model: the Entra admins are members of azure_pg_admin with CREATEROLE and CREATEDB but
-- are not superusers; the functions below run as the hidden superuser (azuresu, SECURITY DEFINER), as
-- Azure's do. PostgreSQL 16+ CREATEROLE rules apply: a role an admin creates through them is granted
-- back to that admin WITH ADMIN OPTION (INHERIT FALSE, SET FALSE), exactly what CREATE ROLE by a
-- CREATEROLE user would do, so the admin may later drop what it created and nothing else.
--
-- Placeholders (SECRET, T0, LIFETIME, TENANT, AUDIENCE, each between two pairs of at-signs) are replaced with SQL
-- literals by test/servers/postgres-aad.ts. The secret lives in a table only the superuser can read,
-- not in a function body (pg_proc.prosrc is readable by every role).

CREATE SCHEMA twin_aad;
REVOKE ALL ON SCHEMA twin_aad FROM PUBLIC;
CREATE EXTENSION pgcrypto SCHEMA twin_aad;

CREATE TABLE twin_aad.config (
  secret text NOT NULL,
  t0 bigint NOT NULL,
  lifetime bigint NOT NULL,
  tenant_id text NOT NULL,
  audience text NOT NULL
);
INSERT INTO twin_aad.config VALUES (@@SECRET@@, @@T0@@, @@LIFETIME@@, @@TENANT@@, @@AUDIENCE@@);

-- What Azure keeps about each Entra-mapped role (Azure stores it in role security labels).
CREATE TABLE twin_aad.principals (
  role_name name PRIMARY KEY,
  object_id text NOT NULL,
  object_type text NOT NULL,
  is_mfa boolean NOT NULL,
  is_admin boolean NOT NULL
);

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'azure_pg_admin') THEN
    CREATE ROLE azure_pg_admin NOLOGIN;
  END IF;
END $$;

-- JWT base64url: PostgreSQL's base64 wraps lines at 76 characters and pads with '='; drop both.
CREATE FUNCTION twin_aad.base64url(data bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(encode(data, 'base64'), E'+/=\n', '-_') $$;

-- The same bytes as tokens.ts issueToken(config, subject, audience, false): header, then the payload
-- with keys in the order aud, iss, iat, nbf, exp, oid, sub, tid, idtyp, HS256 over "header.payload".
CREATE FUNCTION twin_aad.token(object_id text, idtyp text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
DECLARE
  c twin_aad.config;
  header text := twin_aad.base64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'));
  payload text;
  signing_input text;
BEGIN
  SELECT * INTO STRICT c FROM twin_aad.config;
  payload := twin_aad.base64url(convert_to(
    '{"aud":' || to_json(c.audience)::text
    || ',"iss":' || to_json('https://sts.twin.test/' || c.tenant_id || '/')::text
    || ',"iat":' || c.t0
    || ',"nbf":' || c.t0
    || ',"exp":' || (c.t0 + c.lifetime)
    || ',"oid":' || to_json(object_id)::text
    || ',"sub":' || to_json(object_id)::text
    || ',"tid":' || to_json(c.tenant_id)::text
    || ',"idtyp":' || to_json(idtyp)::text
    || '}', 'UTF8'));
  signing_input := header || '.' || payload;
  RETURN signing_input || '.'
    || twin_aad.base64url(twin_aad.hmac(convert_to(signing_input, 'UTF8'), convert_to(c.secret, 'UTF8'), 'sha256'));
END $$;
REVOKE ALL ON FUNCTION twin_aad.token(text, text) FROM PUBLIC;

-- Gives an existing role what an Entra admin has on Azure.
CREATE FUNCTION twin_aad.grant_admin(role_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  EXECUTE format('ALTER ROLE %I CREATEROLE CREATEDB', role_name);
  EXECUTE format('GRANT azure_pg_admin TO %I', role_name);
END $$;
REVOKE ALL ON FUNCTION twin_aad.grant_admin(text) FROM PUBLIC;

CREATE FUNCTION twin_aad.create_role(role_name text, object_id text, object_type text, is_admin boolean, is_mfa boolean)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
DECLARE
  kind text := lower(object_type);
BEGIN
  IF kind NOT IN ('user', 'group', 'service') THEN
    RAISE EXCEPTION 'Invalid principal type "%". Valid types are user, group and service.', object_type
      USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
    RAISE EXCEPTION 'role "%" already exists', role_name USING ERRCODE = '42710';
  END IF;
  IF kind = 'group' THEN
    -- A group's members sign in with the group's name and their own token (Learn, "Use Microsoft
    -- Entra ID for authentication with Azure Database for PostgreSQL", groups). The front proxy
    -- checks the member's token and group membership, then logs in with this password, which only
    -- the twin can compute (postgres-gate.ts, `groupPassword`).
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', role_name, twin_aad.token(object_id, 'group'));
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', role_name,
      twin_aad.token(object_id, CASE kind WHEN 'user' THEN 'user' ELSE 'app' END));
  END IF;
  IF is_admin THEN
    PERFORM twin_aad.grant_admin(role_name);
  END IF;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION, INHERIT FALSE, SET FALSE', role_name, session_user);
  END IF;
  INSERT INTO twin_aad.principals VALUES (role_name, object_id, kind, is_mfa, is_admin)
    ON CONFLICT ON CONSTRAINT principals_pkey DO UPDATE
    SET object_id = EXCLUDED.object_id, object_type = EXCLUDED.object_type,
        is_mfa = EXCLUDED.is_mfa, is_admin = EXCLUDED.is_admin;
  RETURN format('Created role for "%s"', role_name);
END $$;
REVOKE ALL ON FUNCTION twin_aad.create_role(text, text, text, boolean, boolean) FROM PUBLIC;

-- Azure lets only Entra administrators map Entra principals (a password-auth admin cannot).
CREATE FUNCTION twin_aad.require_entra_admin() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    RETURN;
  END IF;
  IF NOT EXISTS (
    SELECT FROM twin_aad.principals p
    WHERE p.role_name = session_user AND p.is_admin AND pg_has_role(session_user, 'azure_pg_admin', 'MEMBER')
  ) THEN
    RAISE EXCEPTION 'permission denied: only a Microsoft Entra administrator can create Microsoft Entra roles'
      USING ERRCODE = '42501';
  END IF;
END $$;
REVOKE ALL ON FUNCTION twin_aad.require_entra_admin() FROM PUBLIC;

-- The server's password admin (`administratorLogin`), as Azure creates it with the server: a member
-- of azure_pg_admin with LOGIN, NOSUPERUSER, INHERIT, CREATEDB, CREATEROLE, REPLICATION (Learn,
-- "Describe built-in Azure Database for PostgreSQL server roles").
-- Called again with a new password when ARM resets it.
CREATE FUNCTION twin_aad.set_password_admin(login text, password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE REPLICATION PASSWORD %L', login, password);
    EXECUTE format('GRANT azure_pg_admin TO %I', login);
  ELSE
    EXECUTE format('ALTER ROLE %I PASSWORD %L', login, password);
  END IF;
END $$;
REVOKE ALL ON FUNCTION twin_aad.set_password_admin(text, text) FROM PUBLIC;

-- Called by the twin (as superuser) when ARM adds an Entra admin: create or upgrade its role.
CREATE FUNCTION twin_aad.add_admin(role_name text, object_id text, object_type text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
DECLARE
  kind text := lower(object_type);
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
    PERFORM twin_aad.create_role(role_name, object_id, kind, true, false);
    RETURN;
  END IF;
  IF kind = 'group' THEN
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', role_name, twin_aad.token(object_id, 'group'));
  ELSE
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', role_name,
      twin_aad.token(object_id, CASE kind WHEN 'user' THEN 'user' ELSE 'app' END));
  END IF;
  PERFORM twin_aad.grant_admin(role_name);
  INSERT INTO twin_aad.principals VALUES (role_name, object_id, kind, false, true)
    ON CONFLICT ON CONSTRAINT principals_pkey DO UPDATE
    SET object_id = EXCLUDED.object_id, object_type = EXCLUDED.object_type, is_admin = true;
END $$;
REVOKE ALL ON FUNCTION twin_aad.add_admin(text, text, text) FROM PUBLIC;

-- Called by the twin when ARM removes an Entra admin: drop the role, or, when it owns objects,
-- take away login and admin membership instead.
CREATE FUNCTION twin_aad.remove_admin(role_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  DELETE FROM twin_aad.principals p WHERE p.role_name = remove_admin.role_name;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
    RETURN;
  END IF;
  BEGIN
    EXECUTE format('DROP ROLE %I', role_name);
  EXCEPTION WHEN dependent_objects_still_exist THEN
    EXECUTE format('ALTER ROLE %I NOLOGIN PASSWORD NULL NOCREATEROLE NOCREATEDB', role_name);
    EXECUTE format('REVOKE azure_pg_admin FROM %I', role_name);
  END;
END $$;
REVOKE ALL ON FUNCTION twin_aad.remove_admin(text) FROM PUBLIC;

-- Scenario seeds: a role that exists from an earlier setup, created then by `created_by` (an Entra
-- admin, who therefore holds ADMIN on it), with the grants `az ... connection create` gives on `db`.
CREATE FUNCTION twin_aad.seed_role(role_name text, object_id text, object_type text, created_by text, db text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  PERFORM twin_aad.create_role(role_name, object_id, object_type, false, false);
  IF created_by IS NOT NULL AND EXISTS (SELECT FROM pg_roles WHERE rolname = created_by) THEN
    EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION, INHERIT FALSE, SET FALSE', role_name, created_by);
  END IF;
  IF db IS NOT NULL AND EXISTS (SELECT FROM pg_database WHERE datname = db) THEN
    EXECUTE format('GRANT ALL PRIVILEGES ON DATABASE %I TO %I', db, role_name);
  END IF;
END $$;
REVOKE ALL ON FUNCTION twin_aad.seed_role(text, text, text, text, text) FROM PUBLIC;

CREATE FUNCTION public.pgaadauth_create_principal_with_oid(rolename text, objectid text, objecttype text, isadmin boolean, ismfa boolean)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  PERFORM twin_aad.require_entra_admin();
  RETURN twin_aad.create_role(rolename, objectid, objecttype, isadmin, ismfa);
END $$;

-- Azure resolves the name in the tenant through Graph; the twin's database side cannot, so only the
-- object-id variant creates roles here.
CREATE FUNCTION public.pgaadauth_create_principal(rolename text, isadmin boolean, ismfa boolean)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
BEGIN
  PERFORM twin_aad.require_entra_admin();
  RAISE EXCEPTION 'Could not validate AAD user "%" because its name is not found in the tenant. Use pgaadauth_create_principal_with_oid with the object id instead.', rolename
    USING ERRCODE = 'P0001';
END $$;

CREATE FUNCTION public.pgaadauth_list_principals(isadmin boolean)
RETURNS TABLE (rolname name, principaltype text, objectid text, tenantid text, ismfa boolean, isadmin boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, twin_aad
AS $$
  SELECT p.role_name, p.object_type, p.object_id, c.tenant_id, p.is_mfa, p.is_admin
  FROM twin_aad.principals p
  JOIN pg_roles r ON r.rolname = p.role_name
  CROSS JOIN twin_aad.config c
  WHERE NOT $1 OR p.is_admin
  ORDER BY p.role_name
$$;
