import type { DRIVERS } from "@netledger/contracts";
import { CsvError, parse } from "csv-parse/sync";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { CreateDeviceBody, type CreateDeviceInput, DeviceHost, DeviceName, DevicePort } from "./device-schemas.js";

/**
 * Bulk import: turns CSV (header `name,host,port,username,password,model`, the shape other
 * backup tools export) or JSON rows into device inputs, one result per row. Pure: no I/O.
 */

/** Most rows one import takes; split bigger inventories. */
export const MAX_IMPORT_ROWS = 5_000;

export const CSV_REQUIRED_COLUMNS = ["name", "host", "username"] as const;
export const CSV_COLUMNS = ["name", "host", "port", "username", "password", "model"] as const;

/** Model names other tools use for the same driver. */
const MODEL_ALIASES: Readonly<Record<string, (typeof DRIVERS)[number]>> = {
  routeros: "routeros",
  mikrotik: "routeros",
  ros: "routeros",
};

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** One import row: flat, strings allowed where CSV gives strings. */
export const ImportRowSchema = z.strictObject({
  name: DeviceName,
  host: DeviceHost,
  port: z.preprocess(
    blank,
    z
      .union([
        DevicePort,
        z
          .string()
          .trim()
          .regex(/^\d{1,5}$/, { message: "must be a port number" })
          .transform(Number)
          .pipe(DevicePort),
      ])
      .default(22),
  ),
  username: z.string().min(1).max(255),
  password: z.preprocess(blank, z.string().max(1024).optional()),
  privateKey: z.preprocess(blank, z.string().max(16_384).optional()),
  passphrase: z.preprocess(blank, z.string().max(1024).optional()),
  model: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((m) => m in MODEL_ALIASES, {
        message: `unsupported model (supported: ${Object.keys(MODEL_ALIASES).join(", ")})`,
      })
      .optional(),
  ),
});

export type RowOutcome =
  | { readonly kind: "valid"; readonly row: number; readonly line: number | null; readonly input: CreateDeviceInput }
  | {
      readonly kind: "invalid";
      readonly row: number;
      readonly line: number | null;
      readonly name: string | null;
      readonly errors: readonly { path: string; message: string }[];
    };

/** Validates raw rows (objects) one by one; never throws for a bad row. */
export function validateImportRows(rows: readonly unknown[], lines?: readonly number[]): RowOutcome[] {
  return rows.map((raw, index) => {
    const row = index + 1;
    const line = lines?.[index] ?? null;
    const parsed = ImportRowSchema.safeParse(raw, { reportInput: false });
    const result = parsed.success
      ? CreateDeviceBody.safeParse(
          {
            name: parsed.data.name,
            host: parsed.data.host,
            port: parsed.data.port,
            driver: MODEL_ALIASES[parsed.data.model ?? "routeros"],
            credentials: {
              username: parsed.data.username,
              ...(parsed.data.password !== undefined && { password: parsed.data.password }),
              ...(parsed.data.privateKey !== undefined && { privateKey: parsed.data.privateKey }),
              ...(parsed.data.passphrase !== undefined && { passphrase: parsed.data.passphrase }),
            },
          },
          { reportInput: false },
        )
      : parsed;
    if (result.success) return { kind: "valid", row, line, input: result.data };
    const name = (raw as { name?: unknown } | null)?.name;
    return {
      kind: "invalid",
      row,
      line,
      name: DeviceName.safeParse(name).success ? (name as string).trim() : null,
      errors: result.error.issues.slice(0, 20).map((issue) => ({
        path: issue.path.length ? issue.path.map(String).join(".") : "(row)",
        message: issue.message,
      })),
    };
  });
}

/**
 * Parses CSV text into row objects keyed by the header. The header must name at least
 * `name,host,username`, in any order, and only known columns. Throws ValidationError for a
 * file that is not CSV (never quoting its content).
 */
export function parseImportCsv(text: string): { rows: Record<string, string>[]; lines: number[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      max_record_size: 64 * 1024,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const where = err instanceof CsvError ? ` (${err.code}${err.lines ? ` at line ${err.lines}` : ""})` : "";
    throw new ValidationError([{ location: "body", path: "(csv)", message: `not valid CSV${where}` }]);
  }
  const [header, ...data] = records;
  if (header === undefined) throw csvProblem("the CSV is empty");
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) throw csvProblem(`unknown column(s) in the header; allowed: ${CSV_COLUMNS.join(",")}`);
  if (new Set(columns).size !== columns.length) throw csvProblem("a column appears twice in the header");
  const missing = CSV_REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw csvProblem(`missing column(s): ${missing.join(",")}`);
  if (data.length === 0) throw csvProblem("no rows after the header");
  if (data.length > MAX_IMPORT_ROWS) throw csvProblem(`at most ${MAX_IMPORT_ROWS} rows per import`);
  return {
    rows: data.map(({ record }) => {
      const row: Record<string, string> = {};
      columns.forEach((column, i) => {
        row[column] = record[i] ?? "";
      });
      // More fields than columns: keep them under a name the row schema rejects.
      if (record.length > columns.length) row["(extra fields)"] = "";
      return row;
    }),
    lines: data.map(({ info }) => info.lines),
  };
}

function csvProblem(message: string): ValidationError {
  return new ValidationError([{ location: "body", path: "(csv)", message }]);
}
