export { parseRouterOsEntities } from "./parse.js";
