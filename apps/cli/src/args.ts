import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

/** One option of a command, as shown by --help and given to node:util parseArgs. */
export interface OptionSpec {
  name: string;
  type: "string" | "boolean";
  /** Placeholder for the value in --help, e.g. "N" or "FILE". */
  arg?: string;
  description: string;
  /** Shown in --help as "(default ...)". */
  default?: string;
}

export type Values = Record<string, string | boolean | undefined>;

/**
 * Parses `argv` strictly against `options` (plus --help); turns node's parse errors into a
 * one-line `UsageError` that names the command and the option.
 */
export function parseCommandArgs(
  command: string,
  argv: string[],
  options: OptionSpec[],
  positionals = 0,
): { values: Values; positionals: string[] } {
  const config: ParseArgsConfig["options"] = { help: { type: "boolean", short: "h" } };
  for (const o of options) config[o.name] = { type: o.type };
  // "--lr -0.1": node's parseArgs takes "-0.1" for an option; pass negative numbers as values so
  // that the value check below reports them.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const spec = a.startsWith("--") ? options.find((o) => `--${o.name}` === a) : undefined;
    if (spec?.type === "string" && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else {
      args.push(a);
    }
  }
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof config; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(
      `${command}: ${describeParseError(e as Error & { code?: string })} (see bp ${command} --help)`,
    );
  }
  if (parsed.values.help !== true && parsed.positionals.length > positionals) {
    throw new UsageError(
      `${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals])} (see bp ${command} --help)`,
    );
  }
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

function describeParseError(e: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted ?? ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = /(--?[\w-]+)/.exec(e.message)?.[1] ?? "an option";
      return e.message.includes("does not take an argument")
        ? `${flag} does not take a value`
        : `${flag} needs a value`;
    }
    default:
      return e.message.split(". ")[0]!;
  }
}

export function stringOption(values: Values, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} needs a value`);
  return v;
}

export function choiceOption<T extends string>(values: Values, name: string, choices: readonly T[], fallback: T): T {
  const v = stringOption(values, name) ?? fallback;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** An integer option within [min, max]. */
export function intOption(
  values: Values,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = stringOption(values, name);
  if (v === undefined) return fallback;
  const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${name} must be ${range}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A finite number option greater than `above` (exclusive). */
export function numberOption(
  values: Values,
  name: string,
  fallback: number | undefined,
  above: number,
): number | undefined {
  return checkedNumber(values, name, (x) => x > above, `a number greater than ${above}`) ?? fallback;
}

/** A decimal number as typed on a command line ("0.1", "-3", "1e-4"); NaN for anything else. */
export function parseDecimal(v: string): number {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
}

/** A finite number option that passes `ok`; otherwise a UsageError saying it must be `expected`. */
export function checkedNumber(
  values: Values,
  name: string,
  ok: (x: number) => boolean,
  expected: string,
): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const n = parseDecimal(v);
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(v)}`);
  return n;
}

/** The --help text of a command. */
export function helpText(usage: string, summary: string, options: OptionSpec[]): string {
  const rows = [...options, { name: "help", type: "boolean" as const, description: "show this help" }].map((o) => {
    const flag = `--${o.name}${o.type === "string" ? ` ${o.arg ?? "VALUE"}` : ""}`;
    const def = "default" in o && o.default !== undefined ? ` (default ${o.default})` : "";
    return [flag, `${o.description}${def}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `Usage: ${usage}`,
    "",
    summary,
    "",
    "Options:",
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    "",
  ].join("\n");
}
