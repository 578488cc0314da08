import { type RawBuilder, sql } from "kysely";
import { z } from "zod";

/**
 * Keyset pagination of newest-first lists ordered by `(time column desc, id desc)`. The cursor
 * carries the last row's time at full (microsecond) precision, so rows created in the same
 * millisecond are neither skipped nor repeated.
 *
 * @example
 * const rows = await db.selectFrom("devices").select([...cols, cursorTimeOf("created_at").as("cursor_at")])
 *   .where(...).$if(query.cursor !== undefined, (q) => q.where(beforeCursor(query.cursor!)))
 *   .orderBy("created_at", "desc").orderBy("id", "desc").limit(query.limit + 1).execute();
 * return { status: 200, body: pageOf(rows, query.limit, toView) };
 */

/** Position in a newest-first list: the last row's time (RFC 3339, µs) and id. Opaque to clients. */
export interface Cursor {
  readonly at: string;
  readonly id: string;
}

const CursorPayload = z.strictObject({ at: z.iso.datetime({ offset: true, precision: 6 }), id: z.uuid() });
const INVALID = "must be a cursor returned by a previous page";

/** `cursor` query parameter: what a previous page's `nextCursor` was, else a validation error. */
export const queryCursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, { message: INVALID })
  .transform((value, ctx): Cursor => {
    try {
      return CursorPayload.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    } catch {
      ctx.addIssue({ code: "custom", message: INVALID });
      return z.NEVER;
    }
  });

/** The opaque `nextCursor` string of a position. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ at: cursor.at, id: cursor.id })).toString("base64url");
}

/** `column` as UTC text with microseconds; select it `.as("cursor_at")` for {@link pageOf}. */
export function cursorTimeOf(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `(column, id) < (cursor)`: the rows after the cursor in newest-first order. */
export function beforeCursor(cursor: Cursor, column = "created_at", idColumn = "id"): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(column)}, ${sql.ref(idColumn)}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}

/** The page of `rows` (fetched with `limit + 1`) and the cursor of the next page, null on the last. */
export function pageOf<R extends { id: string; cursor_at: string }, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined ? encodeCursor({ at: last.cursor_at, id: last.id }) : null;
  return { items: page.map(view), nextCursor };
}

/** Schema of a page of `item`s. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
