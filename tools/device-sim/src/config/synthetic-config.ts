import { renderBody } from "../render/export-render.js";
import { headerLine } from "../render/header.js";
import { attributeValue } from "../render/words.js";
import type { ConfigChange } from "../types.js";
import {
  applyToSections,
  type ConfigSection,
  type DeviceConfig,
  type DeviceProfile,
  type ExportFlags,
} from "./model.js";
import { syntheticSections } from "./synthetic.js";

/**
 * A synthetic device's config. Sections are generated on first use (a 500-device fleet pays only
 * for the devices it exports) and each rendered body is cached until the next change, so a
 * multi-MB export costs one render per flag combination, not one per session.
 */
export class SyntheticConfig implements DeviceConfig {
  private sections: ConfigSection[] | null = null;
  private readonly bodies = new Map<string, string>();

  constructor(
    readonly version: string,
    readonly profile: DeviceProfile,
    private readonly spec: { seed: number; major: 6 | 7; identity: string; bytes: number },
  ) {}

  private model(): ConfigSection[] {
    this.sections ??= syntheticSections(this.spec.seed, this.spec.major, this.spec.identity, this.spec.bytes);
    return this.sections;
  }

  identity(): string | null {
    if (this.sections === null) return this.spec.identity;
    const line = this.model()
      .find((s) => s.path === "/system identity")
      ?.lines.find((l) => l.startsWith("set "));
    return line === undefined ? null : attributeValue(line, "name");
  }

  exportText(at: Date, flags: ExportFlags): string {
    const key = `${flags.showSensitive}/${flags.terse}/${flags.verbose}`;
    let body = this.bodies.get(key);
    if (body === undefined) {
      body = renderBody(this.profile, this.model(), flags);
      this.bodies.set(key, body);
    }
    return `${headerLine(at, this.version)}\r\n${body}`;
  }

  apply(change: ConfigChange): string {
    const action = applyToSections(this.model(), change);
    this.bodies.clear();
    return action;
  }
}
