-- Azure's extension allow-list: roles other than the hidden superuser may only create the extensions
-- named in the server parameter azure.extensions (ARM configuration `azure.extensions`). Installed into
-- template1 (so every database created later has it) and into each database that exists already.
--
-- The list is read from the configuration file (pg_file_settings), not from current_setting(): a
-- custom parameter like azure.extensions can be SET by any session, so the session value proves nothing.
-- Azure's refusal text (ERROR + HINT) as captured in MicrosoftDocs/azure-docs#94751:
--   extension "pgaudit" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL
--   HINT: to see the full allow list of extensions, please run: "show azure.extensions;"
-- Its SQLSTATE is not in the capture; 0A000 (feature_not_supported) is the twin's choice.

CREATE SCHEMA twin_ext;
REVOKE ALL ON SCHEMA twin_ext FROM PUBLIC;

CREATE FUNCTION twin_ext.check_allow_list() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
DECLARE
  allowed text[];
  created record;
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    RETURN;
  END IF;
  SELECT coalesce(string_to_array(lower(replace(f.setting, ' ', '')), ','), '{}') INTO allowed
    FROM pg_file_settings f WHERE f.name = 'azure.extensions' ORDER BY f.seqno DESC LIMIT 1;
  FOR created IN
    SELECT e.extname FROM pg_event_trigger_ddl_commands() c JOIN pg_extension e ON e.oid = c.objid
    WHERE c.classid = 'pg_extension'::regclass
  LOOP
    IF NOT (lower(created.extname) = ANY (coalesce(allowed, '{}'))) THEN
      RAISE EXCEPTION 'extension "%" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL', created.extname
        USING ERRCODE = '0A000', HINT = 'to see the full allow list of extensions, please run: "show azure.extensions;"';
    END IF;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION twin_ext.check_allow_list() FROM PUBLIC;

CREATE EVENT TRIGGER twin_extension_allow_list ON ddl_command_end
  WHEN TAG IN ('CREATE EXTENSION')
  EXECUTE FUNCTION twin_ext.check_allow_list();
