import { createServer, type Server as NetServer, type Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import ssh2 from "ssh2";
import { showsSensitive } from "./commands/parse.js";
import { respond } from "./commands/respond.js";
import type { DeviceConfig } from "./config/model.js";
import { ListenError } from "./errors.js";
import type { HostKey, HostKeyStore } from "./host-key-store.js";
import { oversizeExport } from "./render/oversize.js";
import { serveConnection } from "./server/connection.js";
import type { DeliveryTuning } from "./server/deliver.js";
import type { Reply, SshHost } from "./server/host.js";
import type { ConfigChange, DeviceStats, FailureMode, RenderOptions, SimDevice } from "./types.js";

/** Everything a device is built from; the fleet derives it from FleetOptions. */
export interface DeviceSpec {
  readonly name: string;
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly config: DeviceConfig;
  readonly authorizedKeys: readonly ssh2.ParsedKey[];
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly oversizeBytes: number;
  readonly errorExitCode: number;
  readonly tuning: DeliveryTuning;
}

/**
 * One simulated RouterOS device: its own TCP listener (so `refuse` and `hang-banner` act below
 * SSH), an ssh2 server built lazily from its persisted host key, live-session tracking for the
 * concurrency stats, and the command interpreter.
 */
export class Device implements SimDevice, SshHost {
  private listener: NetServer | null = null;
  private sshServer: ssh2.Server | null = null;
  private boundPort: number;
  private stopped = false;
  private latency: { ms: number; jitter: number };
  private mode: FailureMode | null = null;
  private readonly sockets = new Set<Socket>();
  /** ssh2 reports a connection by remote address; this finds the socket again (drop mode). */
  private readonly byRemote = new Map<string, Socket>();
  private readonly counters: DeviceStats = { sessions: 0, concurrent: 0, maxConcurrent: 0, commands: 0 };
  private readonly history: { action: string; at: Date }[] = [];
  private readonly bootedAt = new Date();
  readonly usedCuts = new Set<number>();

  private constructor(
    private readonly spec: DeviceSpec,
    private readonly keys: HostKeyStore,
    private key: HostKey,
  ) {
    this.boundPort = spec.port;
    this.latency = { ms: spec.latencyMs, jitter: spec.jitterMs };
  }

  /** Loads (or creates) the host key and starts listening. */
  static async start(spec: DeviceSpec, keys: HostKeyStore): Promise<Device> {
    const device = new Device(spec, keys, await keys.load(spec.name));
    await device.listen();
    return device;
  }

  get name(): string {
    return this.spec.name;
  }
  get identity(): string {
    return this.spec.config.identity() ?? this.spec.name;
  }
  get host(): string {
    return this.spec.host;
  }
  get port(): number {
    return this.boundPort;
  }
  get username(): string {
    return this.spec.username;
  }
  get password(): string {
    return this.spec.password;
  }
  get model(): string {
    return this.spec.config.profile.model;
  }
  get serial(): string {
    return this.spec.config.profile.serial;
  }
  get routerOsVersion(): string {
    return this.spec.config.version;
  }
  get version(): string {
    return this.spec.config.version;
  }
  get majorVersion(): 6 | 7 {
    return this.spec.config.version.startsWith("6.") ? 6 : 7;
  }
  get hostKeyFingerprint(): string {
    return this.key.fingerprint;
  }
  get hostPublicKey(): string {
    return this.key.publicLine;
  }
  get failure(): FailureMode | null {
    return this.mode;
  }
  get tuning(): DeliveryTuning {
    return this.spec.tuning;
  }
  get stats(): DeviceStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters.sessions = 0;
    this.counters.commands = 0;
    this.counters.maxConcurrent = this.counters.concurrent;
  }

  async setFailure(mode: FailureMode | null): Promise<void> {
    this.mode = mode;
    this.usedCuts.clear();
    if (mode === "hostkey-rotated") await this.rotateHostKey();
    if (mode === "refuse" && this.listener !== null) {
      this.listener.close();
      this.listener = null;
      // The port is released when libuv closes the handle, one loop turn later.
      await nextTurn();
    } else if (mode !== "refuse" && this.listener === null && !this.stopped) {
      await this.listen();
    }
  }

  setLatency(latencyMs: number, jitterMs = 0): void {
    this.latency = { ms: latencyMs, jitter: jitterMs };
  }

  changeConfig(change: ConfigChange): void {
    const action = this.spec.config.apply(change);
    this.history.push({ action, at: new Date() });
  }

  renderExport(options: RenderOptions = {}): string {
    return this.spec.config.exportText(options.at ?? new Date(), {
      showSensitive: options.showSensitive ?? this.majorVersion === 6,
      terse: options.terse ?? false,
      verbose: options.verbose ?? false,
    });
  }

  async rotateHostKey(): Promise<void> {
    this.key = await this.keys.rotate(this.spec.name);
    this.sshServer = null;
  }

  prompt(): string {
    return `[${this.spec.username}@${this.identity}] > `;
  }

  authorizedKey(algo: string, blob: Buffer): ssh2.ParsedKey | null {
    return this.spec.authorizedKeys.find((k) => k.type === algo && k.getPublicSSH().equals(blob)) ?? null;
  }

  commandDelayMs(): number {
    return this.latency.ms + (this.latency.jitter > 0 ? Math.random() * this.latency.jitter : 0);
  }

  respond(input: string): readonly Reply[] {
    this.counters.commands++;
    return respond(input, {
      major: this.majorVersion,
      errorExitCode: this.spec.errorExitCode,
      exportText: (flags) =>
        this.renderExport({
          showSensitive: showsSensitive(flags, this.majorVersion),
          terse: flags.has("terse"),
          verbose: flags.has("verbose"),
        }),
      facts: () => ({
        version: this.version,
        major: this.majorVersion,
        model: this.model,
        identity: this.identity,
        username: this.spec.username,
        bootedAt: this.bootedAt,
        history: this.history,
      }),
    });
  }

  oversizeExport(): Iterable<string> {
    return oversizeExport(new Date(), this.version, this.spec.config.profile, this.spec.oversizeBytes);
  }

  /** Closes the listener and destroys every live connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    const listener = this.listener;
    this.listener = null;
    for (const socket of this.sockets) socket.destroy();
    if (listener !== null) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }

  private ssh(): ssh2.Server {
    if (this.sshServer === null) {
      this.sshServer = new ssh2.Server({ hostKeys: [{ key: this.key.parsed }], ident: "ROSSSH" }, (client, info) => {
        const socket = this.byRemote.get(`${info.ip}:${info.port}`);
        if (socket === undefined) return client.end();
        serveConnection(client, socket, this);
      });
      this.sshServer.on("error", () => undefined);
    }
    return this.sshServer;
  }

  private accept(socket: Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.sockets.add(socket);
    this.counters.sessions++;
    this.counters.concurrent++;
    this.counters.maxConcurrent = Math.max(this.counters.maxConcurrent, this.counters.concurrent);
    socket.on("error", () => undefined);
    // A session ends when the client's FIN arrives ("end"), before our FIN goes back: a client that
    // waits for its own "close" before the next connection is never counted as overlapping.
    let open = true;
    const ended = (): void => {
      if (open) this.counters.concurrent--;
      open = false;
    };
    socket.once("end", ended);
    socket.once("close", () => {
      ended();
      this.sockets.delete(socket);
      this.byRemote.delete(remote);
    });
    socket.setNoDelay(true);
    if (this.mode === "hang-banner") {
      socket.resume();
      return;
    }
    this.byRemote.set(remote, socket);
    this.ssh().injectSocket(socket);
  }

  private async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) => reject(new ListenError(this.spec.host, this.boundPort, { cause: err })));
      server.listen(this.boundPort, this.spec.host, () => resolve());
    });
    server.on("error", () => undefined);
    this.listener = server;
    const address = server.address();
    if (address !== null && typeof address === "object") this.boundPort = address.port;
  }
}
