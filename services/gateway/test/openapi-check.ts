import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { JsonSchema, OpenApiDocument } from "../src/api/openapi.js";

/** One HTTP exchange as the checker sees it. */
export interface CheckedResponse {
  readonly method: string;
  /** Path as requested (query allowed): matched against the document's templates. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  /** Parsed JSON body, or the text of a non-JSON one, or undefined when empty. */
  readonly body: unknown;
}

/**
 * Test helper: checks responses against the OpenAPI document the gateway serves. A response
 * passes when its operation documents its status with its media type and (for JSON) the body
 * matches the schema. Requests no operation matches must answer a 404/405 problem.
 * Throws an AssertionError-like Error describing the first mismatch.
 *
 * @example
 * const check = createResponseChecker(await (await fetch(`${url}/openapi.json`)).json());
 * check({ method: "GET", path: "/api/tenants", status: 200, contentType: "application/json", body });
 */
export function createResponseChecker(doc: OpenApiDocument): (response: CheckedResponse) => void {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const problem = doc.components.schemas.Problem as JsonSchema;
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: JsonSchema): ValidateFunction => {
    let validate = compiled.get(key);
    if (validate === undefined) {
      validate = ajv.compile(resolveRefs(schema, problem));
      compiled.set(key, validate);
    }
    return validate;
  };
  // Most literal segments first: `/devices/import` wins over `/devices/{deviceId}`, as in express.
  const templates = Object.keys(doc.paths)
    .map((template) => ({
      template,
      literals: template.split("/").filter((s) => s !== "" && !s.startsWith("{")).length,
      pattern: new RegExp(`^${template.replace(/\{[^}/]+\}/g, "[^/]+")}$`),
    }))
    .sort((a, b) => b.literals - a.literals);

  return (response) => {
    const pathname = response.path.split("?")[0] ?? "";
    const method = response.method.toLowerCase();
    const where = `${response.method.toUpperCase()} ${pathname} → ${response.status}`;
    const operation = templates
      .filter(({ pattern }) => pattern.test(pathname))
      .map(({ template }) => doc.paths[template]?.[method])
      .find((op) => op !== undefined);
    const mediaType = response.contentType?.split(";")[0]?.trim().toLowerCase() ?? null;
    if (operation === undefined) {
      if (![404, 405].includes(response.status) || mediaType !== "application/problem+json") {
        throw new Error(`${where}: undocumented operation must answer a 404/405 problem, got ${mediaType}`);
      }
      assertValid(validatorFor("Problem", problem), response.body, where);
      return;
    }
    const documented = operation.responses[String(response.status)];
    if (documented === undefined) {
      throw new Error(
        `${where}: status not documented for ${operation.operationId} (${Object.keys(operation.responses).join(", ")})`,
      );
    }
    const content = documented.content;
    if (content === undefined) {
      if (response.body !== undefined && response.body !== "")
        throw new Error(`${where}: documented without a body, got one`);
      return;
    }
    if (mediaType === null || content[mediaType] === undefined) {
      throw new Error(`${where}: media type ${mediaType} not documented (${Object.keys(content).join(", ")})`);
    }
    const schema = content[mediaType]?.schema ?? {};
    assertValid(validatorFor(`${operation.operationId} ${response.status} ${mediaType}`, schema), response.body, where);
  };
}

function assertValid(validate: ValidateFunction, body: unknown, where: string): void {
  if (!validate(body)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`).join("; ");
    throw new Error(`${where}: body does not match the document: ${problems}`);
  }
}

/** Inlines `#/components/schemas/Problem` references (the only component the document has). */
function resolveRefs(schema: JsonSchema, problem: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) =>
    value !== null && typeof value === "object" && (value as { $ref?: unknown }).$ref === "#/components/schemas/Problem"
      ? problem
      : value,
  ) as JsonSchema;
}
