/** Where a command writes: the process streams by default, string buffers in tests. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** ANSI styling that is the identity when colours are off. */
export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  /** A grey background of level 0 (black) .. 23 (white), for drawing images. */
  greyBackground(s: string, level: number): string;
}

/**
 * Colours are on only for a terminal, and never when NO_COLOR is set (to anything but ""), as
 * no-color.org asks. FORCE_COLOR (non-empty, not "0") turns them on for a non-terminal.
 */
export function colorEnabled(out: Output, env: Io["env"]): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return out.isTTY === true;
}

export function makeStyle(enabled: boolean): Style {
  const sgr = (open: string, close: string) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    enabled,
    bold: sgr("1", "22"),
    dim: sgr("2", "22"),
    red: sgr("31", "39"),
    green: sgr("32", "39"),
    yellow: sgr("33", "39"),
    cyan: sgr("36", "39"),
    greyBackground: (s, level) =>
      enabled ? `\x1b[48;5;${232 + Math.max(0, Math.min(23, Math.round(level)))}m${s}\x1b[49m` : s,
  };
}
