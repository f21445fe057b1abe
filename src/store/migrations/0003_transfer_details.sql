-- 0003_transfer_details: what the transfer history API shows besides op, peer and result
-- (issue 8): the records and octets a transfer carried (RRs and octets on the wire, TCP length
-- prefixes included; NULL for NOTIFY, refresh failures and rows written before this migration)
-- and the short transfer id that also tags the transfer's log lines (`xfr`).
-- The duration is not stored: it is finished_at - started_at.

ALTER TABLE zone_transfers
  ADD COLUMN records bigint CONSTRAINT zone_transfers_records_nonneg CHECK (records IS NULL OR records >= 0),
  ADD COLUMN bytes   bigint CONSTRAINT zone_transfers_bytes_nonneg CHECK (bytes IS NULL OR bytes >= 0),
  ADD COLUMN xfr_id  text;
