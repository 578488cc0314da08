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
