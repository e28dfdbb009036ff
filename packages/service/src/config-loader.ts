import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from './config-error.js';

/** One setting of a service: a `--flag`, its environment variable and its config file key. */
export interface SettingSpec {
  /** The flag name without dashes (`data-dir`); also the config file key. */
  readonly name: string;
  /** `string` settings take a value; `boolean` ones are switches (`--help`). */
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in the usage text (`DIR`, `HOST:PORT`). */
  readonly valueName?: string;
  readonly description: string;
  /** Shown in the usage text; the value used when nothing else sets it. */
  readonly defaultValue?: string;
  /** Extra environment variables read for it (lower precedence than the prefixed one). */
  readonly extraEnv?: readonly string[];
  /** Only as a flag (`--help`, `--config`): no environment variable, no config file key. */
  readonly flagOnly?: boolean;
}

/** Where the raw values come from. */
export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prefix of the environment variables: `RAFT_KV_` makes `--data-dir` read `RAFT_KV_DATA_DIR`. */
  readonly envPrefix: string;
  /** Reads the `--config` file; defaults to the file system. */
  readonly readFile?: (path: string) => string;
}

/** Raw setting values by name (strings, or booleans for switches); absent when nothing set them. */
export type RawSettings = ReadonlyMap<string, string | boolean>;

/** The environment variable of a setting: prefix + upper-case name with `_` for `-`. */
export function envName(prefix: string, name: string): string {
  return prefix + name.toUpperCase().replaceAll('-', '_');
}

function readConfigFile(path: string, specs: readonly SettingSpec[], readFile: (path: string) => string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const values = new Map<string, string | boolean>();
  for (const [key, value] of Object.entries(parsed)) {
    const spec = specs.find((candidate) => candidate.name === key && candidate.flagOnly !== true);
    if (spec === undefined) throw new ConfigError(`config file ${path}: unknown setting "${key}"`);
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean')
        throw new ConfigError(`config file ${path}: "${key}" must be true or false`);
      values.set(key, value);
    } else if (typeof value === 'string' || typeof value === 'number') {
      values.set(key, String(value));
    } else {
      throw new ConfigError(`config file ${path}: "${key}" must be a string or a number`);
    }
  }
  return values;
}

/**
 * Collects settings from, in increasing precedence: defaults, the JSON config file (`--config`, or the
 * prefixed `CONFIG` variable), environment variables, flags. Validation of each value is the caller's.
 *
 * @throws ConfigError for an unknown flag, a missing flag value, a positional argument, or a bad file.
 */
export function loadSettings(specs: readonly SettingSpec[], sources: ConfigSources): RawSettings {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...sources.argv],
      options: Object.fromEntries(specs.map((spec) => [spec.name, { type: spec.type }])),
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const settings = new Map<string, string | boolean>();
  for (const spec of specs) if (spec.defaultValue !== undefined) settings.set(spec.name, spec.defaultValue);
  const configPath =
    (typeof flags['config'] === 'string' ? flags['config'] : undefined) ??
    sources.env[envName(sources.envPrefix, 'config')];
  if (configPath !== undefined && configPath !== '') {
    for (const [key, value] of readConfigFile(configPath, specs, sources.readFile ?? readUtf8)) {
      settings.set(key, value);
    }
  }
  for (const spec of specs) {
    if (spec.flagOnly === true) continue;
    const names = [...(spec.extraEnv ?? []), envName(sources.envPrefix, spec.name)];
    for (const name of names) {
      const value = sources.env[name];
      if (value === undefined || value === '') continue;
      if (spec.type === 'boolean') {
        if (value !== 'true' && value !== 'false') throw new ConfigError(`${name} must be true or false`);
        settings.set(spec.name, value === 'true');
      } else {
        settings.set(spec.name, value);
      }
    }
  }
  for (const spec of specs) {
    const value = flags[spec.name];
    if (value !== undefined) settings.set(spec.name, value);
  }
  return settings;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The usage text: one line per flag with its environment variable and default. */
export function formatUsage(
  command: string,
  summary: string,
  specs: readonly SettingSpec[],
  envPrefix: string,
): string {
  const lines = [`Usage: ${command} [flags]`, '', summary, '', 'Flags:'];
  for (const spec of specs) {
    const flag = `--${spec.name}${spec.valueName === undefined ? '' : ` ${spec.valueName}`}`;
    lines.push(`  ${flag}`);
    lines.push(`      ${spec.description}`);
    const details: string[] = [];
    if (spec.flagOnly !== true) {
      details.push(`env ${[envName(envPrefix, spec.name), ...(spec.extraEnv ?? [])].join(' or ')}`);
    }
    if (spec.defaultValue !== undefined) details.push(`default ${spec.defaultValue}`);
    if (details.length > 0) lines.push(`      (${details.join('; ')})`);
  }
  lines.push(
    '',
    `Precedence: flags, then environment variables, then the --config JSON file (keys are flag names).`,
  );
  return lines.join('\n');
}
