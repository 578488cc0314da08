export {
  type ChangeKind,
  type ConfigEntity,
  diffEntities,
  type ShownAttributes,
  type StructuredChange,
  type TextDiff,
  textDiff,
} from "./changes/index.js";
export { defineDriver } from "./define-driver.js";
export type { CommandRules, DriverDefinition, FallbackRule, VersionCommandRule } from "./definition.js";
export type {
  CheckedExport,
  CommandOutput,
  CompletenessResult,
  DeviceDriver,
  ExportLimits,
  NormalizedExport,
} from "./driver.js";
export { UnknownDriverError } from "./errors.js";
export type {
  CommandEnd,
  ContinuationRule,
  ExportFormat,
  ExportReaderOptions,
  StringLiteralRule,
  TextRewrite,
} from "./export/index.js";
export {
  checkAndNormalizeExport,
  checkExport,
  continues,
  ExportReader,
  endsInsideString,
  headerVersion,
  joinContinuations,
  logicalLines,
  lostTail,
  normalizeExport,
  sha256Hex,
  splitLines,
} from "./export/index.js";
export { getDriver } from "./registry.js";
export {
  parseRouterOsEntities,
  ROUTEROS_SECRETS,
  redactRouterOsSecrets,
  routerOsDefinition,
  routerOsDriver,
  SECRET_MARKER,
} from "./routeros/index.js";
