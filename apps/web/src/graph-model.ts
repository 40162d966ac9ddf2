// The computational graphs of the book's section 5.4 (figures 5-14/5-15: two apples; 5-16/5-17:
// apples and oranges), run one node at a time by the real MulLayer and AddLayer of @bp/layers:
// first every node's forward in order, then every node's backward in reverse order, starting from
// d(price)/d(price) = 1. The view draws whatever this state holds.
import { AddLayer, MulLayer } from "@bp/layers";
import { type MessageKey, t } from "./i18n/index.js";

export interface GraphInput {
  id: string;
  /** Its name on the figure (a message key: "apple count" in the page's language). */
  label: MessageKey;
  /** Its default value (the book's). */
  value: number;
  /** Where its edge starts on the figure (the edge runs right along y, then up into its node). */
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  op: "mul" | "add";
  /** Ids of the two inputs (a graph input or another node). */
  a: string;
  b: string;
  /** What the node's output is called on the figure ("apple price"; a message key). */
  label: MessageKey;
  x: number;
  y: number;
}

export interface GraphSpec {
  id: string;
  title: MessageKey;
  inputs: GraphInput[];
  /** Width and height of the figure (its viewBox). */
  width: number;
  height: number;
  /** In forward order; the last one is the output (price). */
  nodes: GraphNode[];
}

export const GRAPHS: GraphSpec[] = [
  {
    id: "fruits",
    title: "graph.fruits",
    width: 1000,
    height: 540,
    inputs: [
      { id: "apple", label: "graph.apple", value: 100, x: 20, y: 90 },
      { id: "appleNum", label: "graph.appleNum", value: 2, x: 20, y: 190 },
      { id: "orange", label: "graph.orange", value: 150, x: 20, y: 300 },
      { id: "orangeNum", label: "graph.orangeNum", value: 3, x: 20, y: 400 },
      { id: "tax", label: "graph.tax", value: 1.1, x: 20, y: 490 },
    ],
    nodes: [
      { id: "mulApple", op: "mul", a: "apple", b: "appleNum", label: "graph.applePrice", x: 300, y: 90 },
      { id: "mulOrange", op: "mul", a: "orange", b: "orangeNum", label: "graph.orangePrice", x: 300, y: 300 },
      { id: "add", op: "add", a: "mulApple", b: "mulOrange", label: "graph.sumPrice", x: 540, y: 90 },
      { id: "mulTax", op: "mul", a: "add", b: "tax", label: "graph.price", x: 780, y: 90 },
    ],
  },
  {
    id: "apples",
    title: "graph.apples",
    width: 780,
    height: 350,
    inputs: [
      { id: "apple", label: "graph.apple", value: 100, x: 20, y: 90 },
      { id: "appleNum", label: "graph.appleNum", value: 2, x: 20, y: 190 },
      { id: "tax", label: "graph.tax", value: 1.1, x: 20, y: 300 },
    ],
    nodes: [
      { id: "mulApple", op: "mul", a: "apple", b: "appleNum", label: "graph.applePrice", x: 300, y: 90 },
      { id: "mulTax", op: "mul", a: "mulApple", b: "tax", label: "graph.price", x: 560, y: 90 },
    ],
  },
];

export function graphById(id: string | null): GraphSpec {
  return GRAPHS.find((g) => g.id === id) ?? GRAPHS[0]!;
}

/** What one step did, in words, for the step log. */
export interface StepRecord {
  phase: "forward" | "backward";
  node: GraphNode;
  text: string;
}

/** The graph's values after some steps: forward values of every edge's source, and gradients. */
export class GraphRun {
  readonly spec: GraphSpec;
  /** The value flowing out of an input or node, once known. */
  readonly forward = new Map<string, number>();
  /** d(price)/d(value of an input or node), once known. */
  readonly backward = new Map<string, number>();
  /** Steps done: 0 .. 2 × nodes. */
  position = 0;
  readonly log: StepRecord[] = [];
  private readonly layers: Map<string, MulLayer | AddLayer>;

  constructor(spec: GraphSpec, inputs: Readonly<Record<string, number>>) {
    this.spec = spec;
    for (const i of spec.inputs) this.forward.set(i.id, inputs[i.id] ?? i.value);
    this.layers = new Map(spec.nodes.map((n) => [n.id, n.op === "mul" ? new MulLayer() : new AddLayer()]));
  }

  get totalSteps(): number {
    return 2 * this.spec.nodes.length;
  }

  get done(): boolean {
    return this.position >= this.totalSteps;
  }

  get output(): GraphNode {
    return this.spec.nodes.at(-1)!;
  }

  /** Runs the next node's forward (or, after the last forward, the next backward). */
  step(): StepRecord | null {
    if (this.done) return null;
    const n = this.spec.nodes.length;
    const record = this.position < n ? this.stepForward(this.spec.nodes[this.position]!) : this.stepBackward();
    this.position++;
    this.log.push(record);
    return record;
  }

  /** The figure's name for the value flowing out of an input or node, in the page's language. */
  labelOf(id: string): string {
    const key = (this.spec.inputs.find((i) => i.id === id) ?? this.spec.nodes.find((n) => n.id === id))?.label;
    return key === undefined ? id : t(key);
  }

  runAll(): void {
    while (this.step() !== null);
  }

  private layer(node: GraphNode): MulLayer | AddLayer {
    return this.layers.get(node.id)!;
  }

  private stepForward(node: GraphNode): StepRecord {
    const a = this.forward.get(node.a)!;
    const b = this.forward.get(node.b)!;
    const out = this.layer(node).forward(a, b);
    this.forward.set(node.id, out);
    const sign = node.op === "mul" ? "×" : "+";
    return {
      phase: "forward",
      node,
      text: `${layerName(node)}.forward(${a}, ${b}) = ${a} ${sign} ${b} = ${out} (${t(node.label)})`,
    };
  }

  private stepBackward(): StepRecord {
    const n = this.spec.nodes.length;
    const node = this.spec.nodes[2 * n - 1 - this.position]!;
    if (node === this.output) this.backward.set(node.id, 1);
    const dout = this.backward.get(node.id)!;
    const [da, db] = this.layer(node).backward(dout);
    // A value used by two nodes would receive both gradients: add them (none of the book's
    // figures has one, but the rule is the chain rule's).
    this.backward.set(node.a, (this.backward.get(node.a) ?? 0) + da);
    this.backward.set(node.b, (this.backward.get(node.b) ?? 0) + db);
    const a = this.forward.get(node.a)!;
    const b = this.forward.get(node.b)!;
    const [la, lb] = [this.labelOf(node.a), this.labelOf(node.b)];
    // Exact values as JavaScript prints them (strings: not regrouped for the language).
    const values = { la, lb, a: exact(a), b: exact(b), da: exact(da), db: exact(db) };
    const rule = t(node.op === "mul" ? "graph.ruleMul" : "graph.ruleAdd", values);
    return { phase: "backward", node, text: `${layerName(node)}.backward(dout = ${dout}): ${rule}` };
  }
}

export function layerName(node: GraphNode): string {
  return node.op === "mul" ? "MulLayer" : "AddLayer";
}

/** The book's exact JS numbers: `String(x)` gives the shortest text that reads back as x
 * (220.00000000000003, not 220). */
export function exact(x: number | undefined): string {
  return x === undefined ? "" : String(x);
}
