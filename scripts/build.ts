/**
 * `npm run build`: bundles each service entry point and the migrate command into plain JavaScript
 * under `dist/` (one ES module per entry, shared code in chunks), so production runs `node dist/<x>.mjs`
 * with no TypeScript loader. Every npm dependency is bundled in, so the image needs no node_modules;
 * the only externals are optional native addons the libraries already treat as optional.
 * Development (`npm start`, `npm test`) keeps running the sources through tsx.
 */
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Output name → entry file; the Dockerfile and the manifests run `node /app/<name>.mjs`. */
export const entryPoints = {
  gateway: "services/gateway/src/main.ts",
  collector: "services/collector/src/main.ts",
  ingestor: "services/ingestor/src/main.ts",
  /** Not a service: the ingestor's diff thread, loaded from next to the ingestor's code. */
  "ingestor-diff-worker": "services/ingestor/src/diff/diff-worker.ts",
  migrate: "packages/db/src/migrate-cli.ts",
} as const;

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist`;

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: entryPoints,
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
  // Optional native addons: ssh2 and pg fall back to pure JavaScript without them.
  external: ["cpu-features", "pg-native", "*.node"],
  // CommonJS dependencies bundled into ESM still call require() and read __dirname.
  banner: {
    js: [
      "import { createRequire as __nlCreateRequire } from 'node:module';",
      "import { dirname as __nlDirname } from 'node:path';",
      "import { fileURLToPath as __nlFileURLToPath } from 'node:url';",
      "const require = __nlCreateRequire(import.meta.url);",
      "const __filename = __nlFileURLToPath(import.meta.url);",
      "const __dirname = __nlDirname(__filename);",
    ].join(" "),
  },
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `built ${Object.keys(entryPoints).join(", ")} into dist/ (${(bytes / 1024 / 1024).toFixed(1)} MiB with source maps)`,
);
