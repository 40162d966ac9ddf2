/**
 * A split op's task written into shared memory for the workers to read, instead of posting it as a
 * message (a structured clone each way: 5-11 us for the calling thread, 12-22 us before an awake
 * worker has it, measured in Node 20 here; through shared memory an awake worker has it in under
 * a microsecond).
 *
 * The encoding mirrors what a structured clone of a task keeps: numbers (every bit, -0 and NaN
 * included), booleans, strings, null and undefined, arrays, plain objects (their own enumerable
 * string keys), and typed arrays. A typed array over the backend's shared memory is written as its
 * place there (the worker views the same bytes, as a posted SharedArrayBuffer would share them); a
 * small one in ordinary memory (a fused program's code) is copied, as a clone copies it. Anything
 * else (a typed array over another SharedArrayBuffer, a Map, a class instance, a task too large for
 * the area) makes `TaskWriter.encode` return false, and the caller posts the task as a message instead.
 *
 * Words are float64. A value is a tag word followed by its payload.
 *
 * Short strings (a task's keys, its op's name) are written once into a table at the end of the
 * area, which is only ever appended to, and then by their place in it: each thread turns a place
 * into the same string object every time, instead of reading the string's characters and building
 * it anew for every task. Measured in the float32 SimpleConvNet step (MNIST, 2 threads, 17 split ops
 * a step, medians over 100 steps, in the step's cold caches, each task read back on the calling
 * thread right after it was written): writing a task took 4-14 us and reading it 6-23 us, 133
 * and 202 us a step, spelling out every key; with the table, 2-10 us and 2-11 us, 63-69 and 58-66
 * us a step (two runs). Writing delays the calling thread's own start and the announcement,
 * reading the worker's start, in every split op.
 */

/** The typed array constructors a task may hold, by their code in the encoding. */
const ARRAY_TYPES = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
] as const;
type AnyTypedArray = InstanceType<(typeof ARRAY_TYPES)[number]>;

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const NUMBER = 4; // then the value
const STRING = 5; // then the length, then one UTF-16 code unit per word
const ARRAY = 6; // then the length, then the items
const OBJECT = 7; // then the key count, then (key string, value) pairs
const SHARED_VIEW = 8; // then the type code, the byte offset and the length
const COPIED_VIEW = 9; // then the type code, the length, then one word per element
const TABLE_STRING = 10; // then the string's place in the table

/** Words at the end of the area that hold the string table: TABLE_SLOTS words of where each string
 * starts, then the strings (each its length and one UTF-16 code unit per word). */
const TABLE_WORDS = 1024;
const TABLE_SLOTS = 128;
/** Strings longer than this are spelled out each time (task keys and op names are short). */
const MAX_TABLE_STRING = 24;

/** The most elements of an array in ordinary memory copied into the area (larger: a message). */
const MAX_COPIED = 4096;

/** Float64 words of the area a task is written into (64 KiB). */
export const TASK_AREA_WORDS = 8192;

/** Where encoded tasks go: the area's words, and the shared memory whose views are written by place. */
export class TaskWriter {
  private i = 0;
  /** Words a task may take: the area's, but for its string table. */
  private readonly end: number;
  /** Each string in the table, by its place there. */
  private readonly table = new Map<string, number>();
  /** Where the next string goes in the table. */
  private tableAt: number;
  /** Buffer objects known to view the memory (a shared memory hands out a new one after it grows). */
  private readonly known = new WeakSet<ArrayBufferLike>();

  constructor(
    readonly words: Float64Array,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.end = words.length - TABLE_WORDS;
    this.tableAt = this.end + TABLE_SLOTS;
  }

  /** Records that `buffer` views the memory (one taken from `memory.buffer` earlier, which views
   * made then still use). */
  know(buffer: ArrayBufferLike): void {
    this.known.add(buffer);
  }

  /** Writes `value` from word 0; false (the area left in any state) when it cannot be encoded. */
  encode(value: unknown): boolean {
    this.i = 0;
    return this.put(value);
  }

  private word(x: number): boolean {
    if (this.i >= this.end) return false;
    this.words[this.i++] = x;
    return true;
  }

  private inMemory(buffer: ArrayBufferLike): boolean {
    if (this.known.has(buffer)) return true;
    const current = this.memory.buffer;
    this.known.add(current);
    return buffer === current;
  }

  private put(v: unknown): boolean {
    switch (typeof v) {
      case "number":
        return this.word(NUMBER) && this.word(v);
      case "boolean":
        return this.word(v ? TRUE : FALSE);
      case "undefined":
        return this.word(UNDEFINED);
      case "string": {
        const place = this.place(v);
        if (place >= 0) return this.word(TABLE_STRING) && this.word(place);
        if (!this.word(STRING) || !this.word(v.length) || this.i + v.length > this.end) return false;
        for (let c = 0; c < v.length; c++) this.words[this.i++] = v.charCodeAt(c);
        return true;
      }
      case "object":
        break;
      default:
        return false;
    }
    if (v === null) return this.word(NULL);
    if (Array.isArray(v)) {
      if (!this.word(ARRAY) || !this.word(v.length)) return false;
      for (const item of v) if (!this.put(item)) return false;
      return true;
    }
    if (ArrayBuffer.isView(v)) {
      const code = ARRAY_TYPES.indexOf(v.constructor as (typeof ARRAY_TYPES)[number]);
      if (code < 0) return false;
      const a = v as AnyTypedArray;
      if (this.inMemory(a.buffer))
        return this.word(SHARED_VIEW) && this.word(code) && this.word(a.byteOffset) && this.word(a.length);
      if (a.buffer instanceof ArrayBuffer === false || a.length > MAX_COPIED) return false;
      if (!this.word(COPIED_VIEW) || !this.word(code) || !this.word(a.length) || this.i + a.length > this.end)
        return false;
      for (let e = 0; e < a.length; e++) this.words[this.i++] = a[e]!;
      return true;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    const keys = Object.keys(v);
    if (!this.word(OBJECT) || !this.word(keys.length)) return false;
    for (const key of keys) {
      if (!this.put(key) || !this.put((v as Record<string, unknown>)[key])) return false;
    }
    return true;
  }

  /** The place of `s` in the string table, written there first if new; -1 when it is too long or
   * the table is full (then it is spelled out). Written before the task that uses it is announced,
   * and never overwritten, so a reader finds it whichever tasks it read before. */
  private place(s: string): number {
    const known = this.table.get(s);
    if (known !== undefined) return known;
    const place = this.table.size;
    if (s.length > MAX_TABLE_STRING || place >= TABLE_SLOTS || this.tableAt + 1 + s.length > this.words.length)
      return -1;
    const w = this.words;
    w[this.tableAt] = s.length;
    for (let c = 0; c < s.length; c++) w[this.tableAt + 1 + c] = s.charCodeAt(c);
    w[this.end + place] = this.tableAt;
    this.tableAt += 1 + s.length;
    this.table.set(s, place);
    return place;
  }
}

/** Reads what a TaskWriter wrote, viewing shared arrays in the same memory. */
export class TaskReader {
  private i = 0;
  private buffer: ArrayBufferLike;
  /** The strings of the writer's table read so far, by their place. */
  private readonly table: string[] = [];

  constructor(
    private readonly words: Float64Array,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.buffer = memory.buffer;
  }

  decode(): unknown {
    this.i = 0;
    return this.get();
  }

  private string(): string {
    const w = this.words;
    const n = w[this.i++]!;
    let s = "";
    for (let c = 0; c < n; c++) s += String.fromCharCode(w[this.i++]!);
    return s;
  }

  /** The string at `place` in the writer's table. */
  private tableString(place: number): string {
    let s = this.table[place];
    if (s === undefined) {
      const w = this.words;
      const at = w[w.length - TABLE_WORDS + place]!;
      s = "";
      for (let c = 0; c < w[at]!; c++) s += String.fromCharCode(w[at + 1 + c]!);
      // The engine's one copy of the string (a property key's): flat, and found at once as a key.
      s = Object.keys({ [s]: 0 })[0]!;
      this.table[place] = s;
    }
    return s;
  }

  private get(): unknown {
    const w = this.words;
    const tag = w[this.i++]!;
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case NUMBER:
        return w[this.i++]!;
      case STRING:
        return this.string();
      case TABLE_STRING:
        return this.tableString(w[this.i++]!);
      case ARRAY: {
        const n = w[this.i++]!;
        const a: unknown[] = new Array<unknown>(n);
        for (let k = 0; k < n; k++) a[k] = this.get();
        return a;
      }
      case OBJECT: {
        const n = w[this.i++]!;
        const o: Record<string, unknown> = {};
        for (let k = 0; k < n; k++) {
          const key = w[this.i++] === TABLE_STRING ? this.tableString(w[this.i++]!) : this.string();
          o[key] = this.get();
        }
        return o;
      }
      case SHARED_VIEW: {
        const Type = ARRAY_TYPES[w[this.i++]!]!;
        const offset = w[this.i++]!;
        const length = w[this.i++]!;
        // The memory grew since this thread last looked: view its current extent.
        if (offset + length * Type.BYTES_PER_ELEMENT > this.buffer.byteLength) this.buffer = this.memory.buffer;
        return new (Type as unknown as new (b: ArrayBufferLike, o: number, n: number) => AnyTypedArray)(
          this.buffer,
          offset,
          length,
        );
      }
      case COPIED_VIEW: {
        const Type = ARRAY_TYPES[w[this.i++]!]!;
        const length = w[this.i++]!;
        const a = new Type(length);
        for (let e = 0; e < length; e++) a[e] = w[this.i++]!;
        return a;
      }
      default:
        throw new Error(`corrupt task encoding: tag ${tag} at word ${this.i - 1}`);
    }
  }
}
