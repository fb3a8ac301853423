/**
 * The PostgreSQL store's schema, as numbered migrations (issue 16). Each runs
 * once, in order, inside the transaction that records it in
 * `schema_migrations`; never edit one that has shipped — add the next.
 *
 * Blobs carry a CRC-32 (node:zlib) of their bytes — text as UTF-8 — that the
 * store checks on every read, like the file store's checksums: PostgreSQL's
 * own page checksums are off by default, and a row changed by hand must be
 * caught, not served.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "plans, documents, history, reference data, versions",
    sql: `
      CREATE TABLE plans (
        id    text PRIMARY KEY,
        meta  text NOT NULL,          -- PlanMeta as JSON (hashed link tokens included)
        crc   bigint NOT NULL
      );

      -- One row per document of a plan: its snapshot and the generation it starts.
      CREATE TABLE documents (
        plan_id       text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        name          text NOT NULL,   -- "main" or a part
        gen           integer NOT NULL, -- the live document is the snapshot + updates of gen >= this
        snapshot      bytea,            -- Y.encodeStateAsUpdate at the start of gen; null: empty
        crc           bigint,
        history_from  integer NOT NULL DEFAULT 0, -- the oldest generation history keeps
        PRIMARY KEY (plan_id, name)
      );

      -- The update log; rows of older generations are history (replay) until pruned.
      CREATE TABLE updates (
        id       bigserial PRIMARY KEY,  -- append order
        plan_id  text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        name     text NOT NULL,
        gen      integer NOT NULL,
        bytes    bytea NOT NULL,
        crc      bigint NOT NULL,
        at       double precision,       -- epoch ms; null: appended without a time
        author   text                    -- Author as JSON; null: the server itself or unknown
      );
      CREATE INDEX updates_document ON updates (plan_id, name, gen, id);

      -- A document's state at the start of a generation, kept for replay when the policy wants one.
      CREATE TABLE history_snapshots (
        plan_id  text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        name     text NOT NULL,
        gen      integer NOT NULL,
        at       double precision NOT NULL,
        state    bytea NOT NULL,
        crc      bigint NOT NULL,
        PRIMARY KEY (plan_id, name, gen)
      );

      CREATE TABLE scores (
        id       bigserial PRIMARY KEY,
        plan_id  text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        at       double precision NOT NULL,
        score    double precision
      );
      CREATE INDEX scores_plan ON scores (plan_id, at);

      -- The accounts as the file store writes accounts.json's data (rows as arrays).
      CREATE TABLE plan_accounts (
        plan_id  text PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
        version  bigint NOT NULL,
        body     text NOT NULL,
        crc      bigint NOT NULL
      );

      -- PlanData, one JSON value per kind; version: the value's own version (0 without one).
      CREATE TABLE plan_data (
        plan_id  text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        kind     text NOT NULL,
        version  bigint NOT NULL,
        body     text NOT NULL,
        crc      bigint NOT NULL,
        PRIMARY KEY (plan_id, kind)
      );

      CREATE TABLE plan_activity (
        plan_id  text PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
        body     text NOT NULL,
        crc      bigint NOT NULL
      );

      -- Versions (issue 14): the entry as JSON, the body as the file store packs it, gzipped.
      CREATE TABLE versions (
        plan_id    text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        id         text NOT NULL,
        seq        bigserial,
        entry      text NOT NULL,
        entry_crc  bigint NOT NULL,
        body       bytea NOT NULL,
        crc        bigint NOT NULL,
        PRIMARY KEY (plan_id, id)
      );

      -- Accounts, competitors and unit layers kept for the versions that refer to them.
      CREATE TABLE kept_data (
        plan_id  text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        kind     text NOT NULL,
        version  bigint NOT NULL,
        body     text NOT NULL,
        crc      bigint NOT NULL,
        PRIMARY KEY (plan_id, kind, version)
      );
    `,
  },
  {
    id: 2,
    name: "fences for several instances, server-wide data",
    sql: `
      -- The fencing number of each plan's owner (issue 16). Never deleted, so it only ever grows.
      CREATE TABLE plan_fences (
        plan_id  text PRIMARY KEY,
        fence    bigint NOT NULL
      );

      -- ServerData other than the demo registry (the person key).
      CREATE TABLE server_data (
        kind  text PRIMARY KEY,
        body  text NOT NULL,
        crc   bigint NOT NULL
      );

      -- The demo copies' registry, one row per copy, so instances write their own entries.
      CREATE TABLE demo_copies (
        plan_id       text PRIMARY KEY,
        created_at    text NOT NULL,
        last_used_at  text NOT NULL
      );
    `,
  },
];
