// A small, safe expression language for `when` and `loop`: literals, dotted paths
// with [n] / ["key"], comparisons, `in`, `and`, `or`, `not` and parentheses.
// It is parsed and interpreted here; nothing is ever handed to eval or Function.

type Token =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'str'; value: string; pos: number }
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'op'; value: string; pos: number }
  | { kind: 'end'; pos: number };

type Node =
  | { kind: 'lit'; value: unknown }
  | { kind: 'path'; root: string; steps: Node[] }
  | { kind: 'list'; items: Node[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'bin'; op: string; left: Node; right: Node };

export class ExpressionError extends Error {
  constructor(readonly expression: string, message: string) {
    super(`${message} in expression "${expression}"`);
    this.name = 'ExpressionError';
  }
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', '.', ','];
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new ExpressionError(text, `${msg} at column ${i + 1}`);
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j++];
      }
      if (j >= text.length) fail('unterminated string');
      tokens.push({ kind: 'str', value, pos: i });
      i = j + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'ident', value: m[0], pos: i });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) fail(`unexpected character "${c}"`);
      tokens.push({ kind: 'op', value: op!, pos: i });
      i += op!.length;
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

/** Recursive descent: or > and > not > comparison > primary. */
function parse(text: string): Node {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const fail = (msg: string): never => {
    throw new ExpressionError(text, `${msg} at column ${peek().pos + 1}`);
  };
  const isOp = (v: string) => peek().kind === 'op' && (peek() as { value: string }).value === v;
  const isWord = (v: string) => peek().kind === 'ident' && (peek() as { value: string }).value === v;
  const expectOp = (v: string) => {
    if (!isOp(v)) fail(`expected "${v}"`);
    at++;
  };

  const orExpr = (): Node => {
    let left = andExpr();
    while (isWord('or')) {
      at++;
      left = { kind: 'bin', op: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Node => {
    let left = notExpr();
    while (isWord('and')) {
      at++;
      left = { kind: 'bin', op: 'and', left, right: notExpr() };
    }
    return left;
  };
  const notExpr = (): Node => {
    if (isWord('not')) {
      at++;
      return { kind: 'not', operand: notExpr() };
    }
    return comparison();
  };
  const comparison = (): Node => {
    const left = primary();
    const t = peek();
    if (t.kind === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.value)) {
      at++;
      return { kind: 'bin', op: t.value, left, right: primary() };
    }
    if (isWord('in')) {
      at++;
      return { kind: 'bin', op: 'in', left, right: primary() };
    }
    if (isWord('not') && tokens[at + 1]?.kind === 'ident' && (tokens[at + 1] as { value: string }).value === 'in') {
      at += 2;
      return { kind: 'not', operand: { kind: 'bin', op: 'in', left, right: primary() } };
    }
    return left;
  };
  const primary = (): Node => {
    const t = peek();
    if (t.kind === 'num' || t.kind === 'str') {
      at++;
      return { kind: 'lit', value: t.value };
    }
    if (isOp('(')) {
      at++;
      const inner = orExpr();
      expectOp(')');
      return inner;
    }
    if (isOp('[')) {
      at++;
      const items: Node[] = [];
      while (!isOp(']')) {
        items.push(orExpr());
        if (!isOp(']')) expectOp(',');
      }
      at++;
      return { kind: 'list', items };
    }
    if (t.kind === 'ident') {
      at++;
      if (t.value === 'true') return { kind: 'lit', value: true };
      if (t.value === 'false') return { kind: 'lit', value: false };
      if (t.value === 'null') return { kind: 'lit', value: null };
      if (KEYWORDS.has(t.value)) fail(`unexpected "${t.value}"`);
      const steps: Node[] = [];
      for (;;) {
        if (isOp('.')) {
          at++;
          const name = peek();
          if (name.kind !== 'ident' && name.kind !== 'num') fail('expected a name after "."');
          steps.push({ kind: 'lit', value: String((name as { value: unknown }).value) });
          at++;
        } else if (isOp('[')) {
          at++;
          steps.push(orExpr());
          expectOp(']');
        } else break;
      }
      return { kind: 'path', root: t.value, steps };
    }
    return fail(t.kind === 'end' ? 'unexpected end' : 'unexpected token');
  };

  const node = orExpr();
  if (peek().kind !== 'end') fail('unexpected token');
  return node;
}

const own = (obj: unknown, key: string) =>
  obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);

function lookup(base: unknown, key: unknown): unknown {
  if (typeof key === 'number' && Array.isArray(base)) return base[key < 0 ? base.length + key : key];
  if (typeof key === 'number' || typeof key === 'string') {
    const k = String(key);
    // Own properties only: no way to reach prototypes or constructors.
    return own(base, k) ? (base as Record<string, unknown>)[k] : undefined;
  }
  return undefined;
}

/** Deep equality of JSON values; a missing value equals null. */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function compare(op: string, a: unknown, b: unknown, text: string): boolean {
  if (op === '==') return same(a, b);
  if (op === '!=') return !same(a, b);
  const bothNumbers = typeof a === 'number' && typeof b === 'number';
  const bothStrings = typeof a === 'string' && typeof b === 'string';
  if (!bothNumbers && !bothStrings) {
    throw new ExpressionError(text, `cannot compare ${JSON.stringify(a)} ${op} ${JSON.stringify(b)}`);
  }
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

function evaluateNode(node: Node, scope: Record<string, unknown>, text: string): unknown {
  switch (node.kind) {
    case 'lit':
      return node.value;
    case 'list':
      return node.items.map((n) => evaluateNode(n, scope, text));
    case 'path': {
      let value: unknown = own(scope, node.root) ? scope[node.root] : undefined;
      for (const step of node.steps) value = lookup(value, evaluateNode(step, scope, text));
      return value;
    }
    case 'not':
      return !truthy(evaluateNode(node.operand, scope, text));
    case 'bin': {
      const left = evaluateNode(node.left, scope, text);
      if (node.op === 'and') return truthy(left) ? truthy(evaluateNode(node.right, scope, text)) : false;
      if (node.op === 'or') return truthy(left) ? true : truthy(evaluateNode(node.right, scope, text));
      const right = evaluateNode(node.right, scope, text);
      if (node.op === 'in') {
        if (Array.isArray(right)) return right.some((x) => same(x, left));
        if (typeof right === 'string') return typeof left === 'string' && right.includes(left);
        if (right && typeof right === 'object') return typeof left === 'string' && own(right, left);
        return false;
      }
      return compare(node.op, left, right, text);
    }
  }
}

/** Evaluates an expression against a scope; an unknown name yields undefined. */
export function evaluate(expression: string, scope: Record<string, unknown>): unknown {
  return evaluateNode(parse(expression), scope, expression);
}

/** Parses only, so playbooks can be checked before anything runs. */
export function checkExpression(expression: string): void {
  parse(expression);
}
