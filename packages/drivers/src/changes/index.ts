export { diffEntities } from "./diff-entities.js";
export type { ChangeKind, ConfigEntity, ShownAttributes, StructuredChange } from "./structured-change.js";
export { type TextDiff, textDiff } from "./text-diff.js";
