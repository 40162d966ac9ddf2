import type { OptionSpec, Values } from "./args.js";
import type { Io, Style } from "./io.js";

/** What a command gets: where to write, and styles for each stream (colours may differ). */
export interface Context {
  io: Io;
  /** Writes a line to stdout. */
  out(line?: string): void;
  /** Writes a line to stderr. */
  err(line?: string): void;
  style: Style;
  errStyle: Style;
}

export interface Command {
  name: string;
  /** One line for `bp --help`. */
  brief: string;
  /** The paragraph at the top of `bp <command> --help`. */
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** How many positional arguments the command takes. */
  positionals?: number;
  /** Returns the exit status. */
  run(ctx: Context, values: Values, positionals: string[]): Promise<number>;
}
