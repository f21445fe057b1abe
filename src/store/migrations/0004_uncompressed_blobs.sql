-- 0004_uncompressed_blobs: snapshot chunks and journal diffs are stored out of line WITHOUT
-- TOAST compression (STORAGE EXTERNAL). pglz roughly halves a zone snapshot but costs more time
-- than the write itself (measured on a 1M-record zone: writes about 1.5-2x slower, reads 2x
-- slower, and on PGlite it runs in WebAssembly on the event loop); zonexfer stores a version
-- before serving it (issue 6), so that time is paid on every transfer. Disk is cheaper.
-- Rows written before this migration keep their compressed form and are read as before.

ALTER TABLE zone_version_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE zone_journal ALTER COLUMN diff SET STORAGE EXTERNAL;
