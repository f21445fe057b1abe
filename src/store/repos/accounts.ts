// Accounts and API tokens. Token values are generated here and only their sha256 is stored; the
// plain value is returned once, by create. accountId null marks an admin token.
import type { Db } from '../change-feed.js';
import { hashToken, newId, newTokenValue } from '../ids.js';
import { toRfc3339, optionalTime } from '../time.js';
import type { Account, ApiToken, Page } from '../types.js';

interface AccountRow {
  id: string;
  name: string;
  created_on: string;
  modified_on: string;
}

interface TokenRow {
  id: string;
  account_id: string | null;
  name: string;
  status: 'active' | 'disabled';
  issued_on: string;
  modified_on: string;
  last_used_on: string | null;
}

const ACCOUNT_COLS = 'id, name, created_on, modified_on';
const TOKEN_COLS = 'id, account_id, name, status, issued_on, modified_on, last_used_on';

function toAccount(r: AccountRow): Account {
  return { id: r.id, name: r.name, createdOn: toRfc3339(r.created_on), modifiedOn: toRfc3339(r.modified_on) };
}

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    status: r.status,
    issuedOn: toRfc3339(r.issued_on),
    modifiedOn: toRfc3339(r.modified_on),
    lastUsedOn: optionalTime(r.last_used_on),
  };
}

export interface AccountRepo {
  create(name: string): Promise<Account>;
  get(id: string): Promise<Account | null>;
  /** list pages through accounts by name; `onlyId` restricts to one (an account token's view). */
  list(q: { page: number; perPage: number; onlyId?: string }): Promise<Page<Account>>;
}

export interface TokenRepo {
  /** create stores a token; `value` defaults to a fresh random one. Returns the value once. */
  create(input: { accountId: string | null; name: string; value?: string }): Promise<{ token: ApiToken; value: string }>;
  /** verify returns the active token with this value, or null. */
  verify(value: string): Promise<ApiToken | null>;
  get(accountId: string, id: string): Promise<ApiToken | null>;
  list(accountId: string, q: { page: number; perPage: number }): Promise<Page<ApiToken>>;
  delete(accountId: string, id: string): Promise<boolean>;
  /** countAdmin counts admin tokens (bootstrap: generate one only when there is none). */
  countAdmin(): Promise<number>;
}

export function accountRepo(db: Db): AccountRepo {
  return {
    async create(name) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<AccountRow>(`INSERT INTO accounts (id, name) VALUES ($1, $2) RETURNING ${ACCOUNT_COLS}`, [
          newId(),
          name,
        ]);
        const row = rows[0];
        if (!row) throw new Error('accounts insert returned no row');
        changes.push({ kind: 'account', account_id: row.id, id: row.id });
        return toAccount(row);
      });
    },
    async get(id) {
      const rows = await db.sql.query<AccountRow>(`SELECT ${ACCOUNT_COLS} FROM accounts WHERE id = $1`, [id]);
      return rows[0] ? toAccount(rows[0]) : null;
    },
    async list({ page, perPage, onlyId }) {
      const where = onlyId === undefined ? '' : 'WHERE id = $3';
      const params: unknown[] = [perPage, (page - 1) * perPage];
      if (onlyId !== undefined) params.push(onlyId);
      const rows = await db.sql.query<AccountRow & { total: number }>(
        `SELECT ${ACCOUNT_COLS}, count(*) OVER () AS total FROM accounts ${where}
         ORDER BY name, id LIMIT $1 OFFSET $2`,
        params,
      );
      const totalCount = rows[0]?.total ?? (await countAccounts(db, onlyId));
      return { items: rows.map(toAccount), totalCount };
    },
  };
}

async function countAccounts(db: Db, onlyId: string | undefined): Promise<number> {
  const rows =
    onlyId === undefined
      ? await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts')
      : await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts WHERE id = $1', [onlyId]);
  return rows[0]?.n ?? 0;
}

export function tokenRepo(db: Db): TokenRepo {
  return {
    async create({ accountId, name, value }) {
      const plain = value ?? newTokenValue();
      return db.write(async (tx, changes) => {
        const rows = await tx.query<TokenRow>(
          `INSERT INTO api_tokens (id, account_id, name, value_sha256) VALUES ($1, $2, $3, $4) RETURNING ${TOKEN_COLS}`,
          [newId(), accountId, name, hashToken(plain)],
        );
        const row = rows[0];
        if (!row) throw new Error('api_tokens insert returned no row');
        changes.push({ kind: 'token', id: row.id, ...(accountId ? { account_id: accountId } : {}) });
        return { token: toToken(row), value: plain };
      });
    },
    async verify(value) {
      const rows = await db.sql.query<TokenRow>(
        `SELECT ${TOKEN_COLS} FROM api_tokens WHERE value_sha256 = $1 AND status = 'active'`,
        [hashToken(value)],
      );
      return rows[0] ? toToken(rows[0]) : null;
    },
    async get(accountId, id) {
      const rows = await db.sql.query<TokenRow>(`SELECT ${TOKEN_COLS} FROM api_tokens WHERE account_id = $1 AND id = $2`, [
        accountId,
        id,
      ]);
      return rows[0] ? toToken(rows[0]) : null;
    },
    async list(accountId, { page, perPage }) {
      const rows = await db.sql.query<TokenRow>(
        `SELECT ${TOKEN_COLS} FROM api_tokens WHERE account_id = $1 ORDER BY issued_on, id LIMIT $2 OFFSET $3`,
        [accountId, perPage, (page - 1) * perPage],
      );
      const total = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE account_id = $1', [
        accountId,
      ]);
      return { items: rows.map(toToken), totalCount: total[0]?.n ?? 0 };
    },
    async delete(accountId, id) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<{ id: string }>('DELETE FROM api_tokens WHERE account_id = $1 AND id = $2 RETURNING id', [
          accountId,
          id,
        ]);
        if (rows.length === 0) return false;
        changes.push({ kind: 'token', id, account_id: accountId });
        return true;
      });
    },
    async countAdmin() {
      const rows = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE account_id IS NULL');
      return rows[0]?.n ?? 0;
    },
  };
}
