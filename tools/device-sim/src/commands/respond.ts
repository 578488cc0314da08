import type { Reply } from "../server/host.js";
import { type ExportFlag, parseCommandLine } from "./parse.js";
import { type DeviceFacts, printOutput } from "./print-output.js";

/** What the interpreter reads from the device. */
export interface ConsoleContext {
  readonly major: 6 | 7;
  readonly errorExitCode: number;
  exportText(flags: ReadonlySet<ExportFlag>): string;
  facts(): DeviceFacts;
}

/**
 * Interprets one console input. A syntax error anywhere rejects the whole input before anything
 * runs, with the error line as the only output, as RouterOS parses a script before executing it.
 */
export function respond(input: string, ctx: ConsoleContext): Reply[] {
  const parsed = parseCommandLine(input, ctx.major);
  if (!parsed.ok) return [{ kind: "text", text: `${parsed.error}\r\n`, exitCode: ctx.errorExitCode }];
  return parsed.commands.map((command): Reply => {
    if (command.kind === "export") return { kind: "export", text: ctx.exportText(command.flags) };
    if (command.kind === "print") {
      return { kind: "text", text: printOutput(command.menu, ctx.facts(), new Date()), exitCode: 0 };
    }
    return { kind: "quit" };
  });
}
