-- Privileges of the sink's writer role and the read-only reader role; the owner owns everything. Re-applied
-- when this file or a role name changes, and after every versioned migration (so new tables get them too).
-- ${writer} and ${reader} are the configured role names (NODEPULSE_DB_WRITER_USER, NODEPULSE_DB_READER_USER).

-- Roles these scripts granted to before (a writer or reader that was renamed since) lose what they were given:
-- every privilege the owner granted, on the database and in schemas nodepulse_data and nodepulse, to a role
-- that is neither ${writer} nor ${reader}. Grants made by others (a DBA's monitoring role) are left alone.
DO $revoke$
DECLARE
    r text;
BEGIN
    FOR r IN
        SELECT a.grantee::regrole::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
            aclexplode(c.relacl) a
        WHERE n.nspname IN ('nodepulse_data', 'nodepulse') AND a.grantor = current_user::regrole AND a.grantee <> 0
        UNION
        SELECT a.grantee::regrole::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
            aclexplode(p.proacl) a
        WHERE n.nspname = 'nodepulse' AND a.grantor = current_user::regrole AND a.grantee <> 0
        UNION
        SELECT a.grantee::regrole::text FROM pg_namespace n, aclexplode(n.nspacl) a
        WHERE n.nspname IN ('nodepulse_data', 'nodepulse') AND a.grantor = current_user::regrole AND a.grantee <> 0
        UNION
        SELECT a.grantee::regrole::text FROM pg_database d, aclexplode(d.datacl) a
        WHERE d.datname = current_database() AND a.grantor = current_user::regrole AND a.grantee <> 0
    LOOP
        IF r <> current_user::regrole::text AND r <> quote_ident('${writer}') AND r <> quote_ident('${reader}') THEN
            RAISE NOTICE 'revoking the privileges of %, which is no longer the writer or the reader', r;
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA nodepulse_data FROM %s', r);
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA nodepulse FROM %s', r);
            EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA nodepulse FROM %s', r);
            EXECUTE format('REVOKE ALL ON SCHEMA nodepulse_data FROM %s', r);
            EXECUTE format('REVOKE ALL ON SCHEMA nodepulse FROM %s', r);
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM %s', current_database(), r);
        END IF;
    END LOOP;
END
$revoke$;

-- Database: nobody but these roles (and the owner) may connect; only the writer may create temporary tables
-- (the sink's COPY staging tables).
DO $grants$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %s', current_database(), '${writer}');
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %s', current_database(), '${reader}');
END
$grants$;

-- Start from nothing, so a privilege removed here is removed from the database too.
REVOKE ALL ON ALL TABLES IN SCHEMA nodepulse_data FROM PUBLIC, ${writer}, ${reader};
REVOKE ALL ON SCHEMA nodepulse_data FROM PUBLIC, ${writer}, ${reader};

-- Writer: INSERT everywhere; SELECT for the ON CONFLICT arbiters and for the repair task, which reads raw rows.
GRANT USAGE ON SCHEMA nodepulse_data TO ${writer};
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA nodepulse_data TO ${writer};
REVOKE INSERT ON nodepulse_data.schema_migrations FROM ${writer};

-- UPDATE only where the sink upserts: rollups (repairs use ON CONFLICT DO UPDATE), the inventory, the latest
-- table, its offsets and the repair queue.
GRANT UPDATE ON nodepulse_data.nodes, nodepulse_data.latest, nodepulse_data.sink_offsets,
    nodepulse_data.repair_queue TO ${writer};
DO $grants$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'nodepulse_data' AND tablename ~ '_1[mh]$' LOOP
        EXECUTE format('GRANT UPDATE ON nodepulse_data.%I TO %s', t, '${writer}');
    END LOOP;
END
$grants$;

-- DELETE only on the repair queue: the repair task removes an entry in the transaction that repairs it. Data
-- tables are never deleted from by the writer; retention runs as the owner.
GRANT DELETE ON nodepulse_data.repair_queue TO ${writer};

-- Reader: nothing in nodepulse_data; the views in schema nodepulse are granted in R__views.sql.
