-- certkeeper marks its inventories so that one is recognised, read-only,
-- before anything is written to it. On SQLite the mark is the header's
-- application_id (0x434B5052, "CKPR"; db/sqlite/0008_application_id.sql);
-- on PostgreSQL it is the comment on the schema certkeeper, which another
-- application's schema of the same name does not carry.
COMMENT ON SCHEMA certkeeper IS 'certkeeper inventory (CKPR)';
