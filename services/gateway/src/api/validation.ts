import { type RawBuilder, sql } from "kysely";
import { z } from "zod";
import type { IssueLocation, ValidationIssue } from "../errors.js";

/**
 * Zod building blocks for path parameters, queries and bodies, so every route validates the
 * same way. Query values arrive as strings (or arrays of strings when repeated): the `query*`
 * helpers accept one string and convert it; a repeated key is a validation error.
 */

/** A uuid path parameter or body field. */
export const Id = z.uuid({ message: "must be a uuid" });

/** `{tenantId}` path parameters. */
export const TenantParams = z.strictObject({ tenantId: Id });
/** `{tenantId}/devices/{deviceId}` path parameters. */
export const DeviceParams = z.strictObject({ tenantId: Id, deviceId: Id });

/** A whole number in a query string, within [min, max], `def` when absent. */
export function queryInt(min: number, max: number, def: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, { message: "must be a whole number" })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(def);
}

/** An RFC 3339 timestamp in a query string (with offset), as a Date. */
export const queryTimestamp = z.iso
  .datetime({ offset: true, message: "must be an RFC 3339 timestamp" })
  .transform((v) => new Date(v));

/** Page size: `limit`, 1-200, default 50. */
export const queryLimit = queryInt(1, 200, 50);

/** Dates to RFC 3339 strings (null stays null), for response bodies. */
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** Zod issues as {@link ValidationIssue}s: paths and messages, never received values. */
export function issuesOf(error: z.ZodError, location: IssueLocation): ValidationIssue[] {
  return error.issues.slice(0, 50).map((issue) => ({
    location,
    path: issue.path.length ? issue.path.map(String).join(".") : "(root)",
    message: issue.message,
  }));
}

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

/** Position in a newest-first list: the last row's time and id. Opaque to clients. */
export interface Cursor {
  readonly at: Date;
  /** `at` as sent, to the microsecond (a Date keeps only milliseconds). */
  readonly atText: string;
  readonly id: string;
}

const CursorPayload = z.strictObject({ at: z.iso.datetime({ offset: true }), id: z.uuid() });
const INVALID = "must be a cursor returned by a previous page";

/**
 * The opaque cursor of a row: its time (a Date, or text to the microsecond from
 * {@link cursorTimeOf}) and id.
 */
export function encodeCursor(cursor: { readonly at: Date | string; readonly id: string }): string {
  const at = cursor.at instanceof Date ? cursor.at.toISOString() : cursor.at;
  return Buffer.from(JSON.stringify({ at, id: cursor.id })).toString("base64url");
}

/** `cursor` query parameter: what a previous page's `nextCursor` was, else a validation error. */
export const queryCursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, { message: INVALID })
  .transform((value, ctx): Cursor => {
    try {
      const { at, id } = CursorPayload.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
      return { at: new Date(at), atText: at, id };
    } catch {
      ctx.addIssue({ code: "custom", message: INVALID });
      return z.NEVER;
    }
  });

/** `column` as UTC text with microseconds; select it `.as("cursor_at")` for {@link pageOf}. */
export function cursorTimeOf(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `(column, id) < (cursor)`: the rows after the cursor in newest-first order. */
export function beforeCursor(cursor: Cursor, column = "created_at", idColumn = "id"): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(column)}, ${sql.ref(idColumn)}) < (${cursor.atText}::timestamptz, ${cursor.id}::uuid)`;
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
