import type { DatabaseConnection, Dialect, Driver } from 'kysely';

/**
 * A database error as it leaves hermes' database layer: the driver's code, errno and SQL
 * state, and its message with every quoted value replaced by '…'. It carries no SQL text, no
 * parameters and no cause: mysql2 errors hold the failing statement with its values inlined
 * (`sql`), and MySQL messages quote values ("Duplicate entry 'secret' for key …", "… near
 * 'values …'"), so a password, ha1 or token written by a failing statement could otherwise
 * reach a log line, stderr or an error message.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;

  constructor(message: string, fields: { code?: string; errno?: number; sqlState?: string }) {
    super(message);
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.errno !== undefined) this.errno = fields.errno;
    if (fields.sqlState !== undefined) this.sqlState = fields.sqlState;
  }
}

/** Words after which a quoted name is an identifier (a column, key, table), kept. */
const IDENTIFIER_BEFORE = /\b(column|key|table|database|index|constraint|trigger|function|procedure|savepoint)\s*$/i;
const MAX_MESSAGE = 300;

/** A driver message with every quoted value replaced by '…' (quoted identifiers kept), one line. */
export function redactDriverMessage(message: string): string {
  const line = message.replace(/\s*\n[\s\S]*$/, '');
  let out = '';
  let last = 0;
  for (const m of line.matchAll(/'(?:[^'\\]|\\.|'')*'?/g)) {
    const before = line.slice(last, m.index);
    out += before;
    const identifier = IDENTIFIER_BEFORE.test(out) && /^'[\w$.-]{0,64}'$/.test(m[0]);
    out += identifier ? m[0] : "'…'";
    last = m.index + m[0].length;
  }
  out += line.slice(last);
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

/** Any error met running a query, as a DatabaseError (a DatabaseError is returned as is). */
export function toDatabaseError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const e = (error ?? {}) as { code?: unknown; errno?: unknown; sqlState?: unknown; sqlMessage?: unknown; message?: unknown };
  const text = typeof e.sqlMessage === 'string' ? e.sqlMessage : typeof e.message === 'string' ? e.message : String(error);
  return new DatabaseError(redactDriverMessage(text), {
    code: typeof e.code === 'string' ? e.code : undefined,
    errno: typeof e.errno === 'number' ? e.errno : undefined,
    sqlState: typeof e.sqlState === 'string' ? e.sqlState : undefined,
  });
}

/** Makes a connection's queries throw DatabaseErrors (in place: drivers keep private state on it). */
function guard(connection: DatabaseConnection, guarded: WeakSet<DatabaseConnection>): DatabaseConnection {
  if (guarded.has(connection)) return connection;
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = async (query) => {
    try {
      return await execute(query);
    } catch (error) {
      throw toDatabaseError(error);
    }
  };
  guarded.add(connection);
  return connection;
}

/**
 * The dialect with every query's error turned into a DatabaseError (transactions' begin,
 * commit and rollback included: the drivers run them through the same connection).
 */
export function withSafeErrors(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: (): Driver => {
      const driver = dialect.createDriver();
      const guarded = new WeakSet<DatabaseConnection>();
      const acquire = driver.acquireConnection.bind(driver);
      driver.acquireConnection = async () => guard(await acquire(), guarded);
      return driver;
    },
  };
}
