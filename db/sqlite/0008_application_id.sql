-- certkeeper marks its inventories in SQLite's header (application_id,
-- https://www.sqlite.org/fileformat.html#application_id) so that a file is
-- recognised, read-only, before anything is written to it. 0x434B5052 is
-- "CKPR" in ASCII. Inventories made before this migration are recognised by
-- their schema_version table and get the mark here.
PRAGMA application_id = 1129009234;
