import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Repository root (build context of the Dockerfile). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `docker <args>` and returns its exit code and output (never throws on a non-zero exit).
 * `env` is added to this process's environment: values passed as `-e NAME` (no `=value`) come
 * from there, so secrets such as the seal key ring never appear on a command line.
 * The legacy builder is forced: the engine here has no buildx.
 */
export async function docker(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<DockerResult> {
  try {
    const { stdout, stderr } = await run("docker", [...args], {
      cwd: repoRoot,
      env: { ...process.env, DOCKER_BUILDKIT: "0", ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 127, stdout: e.stdout ?? "", stderr: e.stderr ?? String(err) };
  }
}

/** Why no engine can be used, or null when `docker info` answers. */
export async function engineUnavailable(): Promise<string | null> {
  const info = await docker(["info", "--format", "{{.ServerVersion}}"]);
  if (info.code === 0 && info.stdout.trim()) return null;
  return info.stderr.split("\n").find((line) => line.trim()) ?? "docker info failed";
}

/** Runs a repository script (bash) and returns its last stdout line; throws with its output on failure. */
export function runScript(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0 && last) resolve(last);
      else reject(new Error(`${script} exited ${code}:\n${out}\n${err}`));
    });
  });
}

/** Whether `name` is an executable on PATH. */
export async function hasCommand(name: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}
