export {
  createSealer,
  generateKey,
  type KeyRing,
  parseKeyRing,
  SealError,
  type SealErrorCode,
  type Sealer,
} from "./seal.js";
