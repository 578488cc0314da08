import type { z } from "zod";
import { InvalidMessageError } from "./errors.js";
import {
  BackupFailedEventSchema,
  BackupJobSchema,
  DeadLetterSchema,
  DeviceCredentialsSchema,
  IngestedEventSchema,
  SnapshotEventSchema,
  TriggerReplySchema,
  TriggerRequestSchema,
} from "./schemas.js";

export interface Codec<T> {
  readonly messageType: string;
  /** Validates, then serializes to UTF-8 JSON. Throws InvalidMessageError on an invalid value. */
  encode(value: T): Uint8Array;
  /** Parses and validates. Throws InvalidMessageError (code INVALID_MESSAGE); never returns unchecked data. */
  decode(data: Uint8Array | string): T;
  /** Validates an already-parsed value. */
  parse(value: unknown): T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function issuesOf(error: z.ZodError): string[] {
  // Paths and messages only: never echo received values, they may hold secrets.
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}

export function createCodec<S extends z.ZodType>(messageType: string, schema: S): Codec<z.infer<S>> {
  const parse = (value: unknown): z.infer<S> => {
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidMessageError(messageType, issuesOf(result.error));
    return result.data;
  };
  return {
    messageType,
    parse,
    encode: (value) => encoder.encode(JSON.stringify(parse(value))),
    decode: (data) => {
      let json: unknown;
      try {
        json = JSON.parse(typeof data === "string" ? data : decoder.decode(data));
      } catch (cause) {
        throw new InvalidMessageError(messageType, ["not valid UTF-8 JSON"], { cause });
      }
      return parse(json);
    },
  };
}

export const TriggerRequestCodec = createCodec("trigger request", TriggerRequestSchema);
export const TriggerReplyCodec = createCodec("trigger reply", TriggerReplySchema);
export const BackupJobCodec = createCodec("backup job", BackupJobSchema);
export const SnapshotEventCodec = createCodec("snapshot event", SnapshotEventSchema);
export const BackupFailedEventCodec = createCodec("backup failed event", BackupFailedEventSchema);
export const IngestedEventCodec = createCodec("ingested event", IngestedEventSchema);
export const DeadLetterCodec = createCodec("dead letter", DeadLetterSchema);
export const DeviceCredentialsCodec = createCodec("device credentials", DeviceCredentialsSchema);
