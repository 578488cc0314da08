export { checkAndNormalizeExport, checkExport } from "./completeness.js";
export { continues, endsInsideString, joinContinuations } from "./continuations.js";
export { type CommandEnd, ExportReader, type ExportReaderOptions } from "./export-reader.js";
export type { ContinuationRule, ExportFormat, StringLiteralRule, TextRewrite } from "./format.js";
export { sha256Hex } from "./hash.js";
export { headerVersion, logicalLines, splitLines } from "./lines.js";
export { normalizeExport } from "./normalize.js";
export { lostTail } from "./tail-loss.js";
