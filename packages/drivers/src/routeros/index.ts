import { defineDriver } from "../define-driver.js";
import { routerOsDefinition } from "./definition.js";

/** The RouterOS driver: `/export show-sensitive` on v7, `/export` on v6. */
export const routerOsDriver = defineDriver(routerOsDefinition);

export { routerOsDefinition } from "./definition.js";
export { parseRouterOsEntities } from "./entities/index.js";
export { ROUTEROS_FORMAT } from "./format.js";
export { ROUTEROS_SECRETS, redactRouterOsSecrets, SECRET_MARKER, type SecretRules } from "./redact.js";
export { ROUTEROS_SCOPED_SECRETS, ROUTEROS_SECRET_ATTRIBUTES, type ScopedSecret } from "./secrets.js";
