-- Durable zone contents (issue: restart without re-transfer). A version is stored as a few large
-- snapshot chunks (src/zone/snapshot.ts: node records in wire format), written in one transaction
-- with the move of zone_current, so a crash leaves exactly the old or exactly the new version.
-- zone_journal keeps the IXFR diffs (encoded by src/zone/snapshot.ts), oldest pruned first.

CREATE TABLE zone_versions (
  zone_id      text   NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
  serial       bigint NOT NULL CONSTRAINT zone_versions_serial_range CHECK (serial BETWEEN 0 AND 4294967295),
  origin       text   NOT NULL,
  soa_ttl      bigint NOT NULL,
  soa_rdata    bytea  NOT NULL,
  record_count bigint NOT NULL,
  byte_count   bigint NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone_id, serial)
);

CREATE TABLE zone_version_chunks (
  zone_id text   NOT NULL,
  serial  bigint NOT NULL,
  seq     integer NOT NULL,
  data    bytea  NOT NULL,
  PRIMARY KEY (zone_id, serial, seq),
  FOREIGN KEY (zone_id, serial) REFERENCES zone_versions (zone_id, serial) ON DELETE CASCADE
);

-- zone_current: the served serial, and the stored snapshot it is built from (base_serial) plus the
-- journal rows after base_seq. An IXFR or API change stores only its diff (no copy of the zone);
-- a full snapshot is written on AXFR and from time to time to bound the replay at start-up.
CREATE TABLE zone_current (
  zone_id     text   PRIMARY KEY REFERENCES zones (id) ON DELETE CASCADE,
  serial      bigint NOT NULL,
  base_serial bigint NOT NULL,
  base_seq    bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (zone_id, base_serial) REFERENCES zone_versions (zone_id, serial) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE zone_journal (
  zone_id     text   NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
  seq         bigint NOT NULL,
  serial_from bigint NOT NULL,
  serial_to   bigint NOT NULL,
  diff        bytea  NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone_id, seq)
);
