/**
 * Number expressions in scenarios: `2M`, `0x1000`, `$bar0 + 0x1000`,
 * `region(0) + PAGE_SIZE`.
 *
 * An expression is parsed when the scenario loads (so a typo is reported
 * with its line) and evaluated when its step runs, against the variables
 * of the running thread's process (values that earlier steps bound with
 * `as`). Grammar:
 *
 *     expr   := term (('+' | '-') term)*
 *     term   := '-' term | number | '$' name | 'region(' expr ')' | NAME | '(' expr ')'
 *     number := decimal or 0x hex, optionally followed by K, M, G or T (binary units)
 */

/** VFIO_PCI_OFFSET_SHIFT (include/linux/vfio_pci_core.h): region index lives above bit 40. */
export const VFIO_PCI_OFFSET_SHIFT = 40;

/** Names an expression may use, with their values. */
export const EXPR_CONSTANTS: { readonly [name: string]: number } = {
  PAGE_SIZE: 0x1000,
  PMD_SIZE: 0x200000,
  PUD_SIZE: 0x40000000,
  PCI_COMMAND: 0x04,
  PCI_COMMAND_IO: 0x1,
  PCI_COMMAND_MEMORY: 0x2,
  PCI_COMMAND_MASTER: 0x4,
};

const SUFFIX: { readonly [s: string]: number } = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

export type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'region'; readonly index: Expr }
  | { readonly k: 'add' | 'sub'; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'neg'; readonly a: Expr };

/** A parsed expression with the text it came from (for traces and messages). */
export interface NumExpr {
  readonly src: string;
  readonly expr: Expr;
}

/** A malformed expression or one that cannot be evaluated; `message` says how to fix it. */
export class ExprError extends Error {
  override name = 'ExprError';
}

/** Parse a number or expression text. */
export function parseExpr(input: number | string): NumExpr {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) throw new ExprError(`${input} is not an integer below 2^53`);
    return { src: String(input), expr: { k: 'num', v: input } };
  }
  const p = new Parser(input);
  const expr = p.parseAll();
  return { src: input.trim(), expr };
}

/** Evaluate against variables; an unknown variable is an {@link ExprError}. */
export function evalExpr(e: NumExpr | Expr, vars: { readonly [name: string]: number }): number {
  const x = 'src' in e ? e.expr : e;
  let v: number;
  switch (x.k) {
    case 'num': return x.v;
    case 'var': {
      const val = vars[x.name];
      if (val === undefined) {
        const known = Object.keys(vars);
        throw new ExprError(
          `$${x.name} is not set in this process (bind it with \`as: ${x.name}\` on an earlier step` +
            (known.length ? `; set here: ${known.map((n) => '$' + n).join(', ')})` : ')'),
        );
      }
      return val;
    }
    case 'region': {
      const i = evalExpr(x.index, vars);
      if (i < 0 || i > 255) throw new ExprError(`region(${i}): the index must be 0..255`);
      v = i * 2 ** VFIO_PCI_OFFSET_SHIFT;
      break;
    }
    case 'add': v = evalExpr(x.a, vars) + evalExpr(x.b, vars); break;
    case 'sub': v = evalExpr(x.a, vars) - evalExpr(x.b, vars); break;
    case 'neg': v = -evalExpr(x.a, vars); break;
  }
  if (!Number.isSafeInteger(v)) throw new ExprError(`the value ${v} does not fit in 53 bits`);
  return v;
}

/** Variables an expression reads (without `$`). */
export function exprVars(e: NumExpr | Expr): string[] {
  const x = 'src' in e ? e.expr : e;
  switch (x.k) {
    case 'num': return [];
    case 'var': return [x.name];
    case 'region': return exprVars(x.index);
    case 'neg': return exprVars(x.a);
    case 'add':
    case 'sub': return [...exprVars(x.a), ...exprVars(x.b)];
  }
}

type Token =
  | { readonly t: 'num'; readonly v: number; readonly at: number }
  | { readonly t: 'var' | 'name'; readonly v: string; readonly at: number }
  | { readonly t: '+' | '-' | '(' | ')' | 'end'; readonly at: number };

class Parser {
  private readonly toks: Token[];
  private i = 0;

  constructor(private readonly text: string) {
    this.toks = tokenize(text);
  }

  parseAll(): Expr {
    if (this.toks.length === 1) throw new ExprError('empty expression; write a number such as 0x1000 or 2M');
    const e = this.sum();
    const t = this.peek();
    if (t.t !== 'end') throw this.error(t, `unexpected '${this.text.slice(t.at).trim()}'`);
    return e;
  }

  private sum(): Expr {
    let e = this.term();
    for (;;) {
      const t = this.peek();
      if (t.t !== '+' && t.t !== '-') return e;
      this.i++;
      e = { k: t.t === '+' ? 'add' : 'sub', a: e, b: this.term() };
    }
  }

  private term(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'num': return { k: 'num', v: t.v };
      case 'var': return { k: 'var', name: t.v };
      case '-': return { k: 'neg', a: this.term() };
      case '(': {
        const e = this.sum();
        this.expect(')');
        return e;
      }
      case 'name': {
        if (t.v === 'region') {
          this.expect('(');
          const index = this.sum();
          this.expect(')');
          return { k: 'region', index };
        }
        const c = EXPR_CONSTANTS[t.v];
        if (c !== undefined) return { k: 'num', v: c };
        throw new ExprError(
          `unknown name '${t.v}' in '${this.text}'; use $${t.v} for a variable, region(i), or one of ` +
            Object.keys(EXPR_CONSTANTS).join(', '),
        );
      }
      default:
        throw this.error(t, t.t === 'end' ? 'the expression ends too early' : `unexpected '${t.t}'`);
    }
  }

  private expect(t: ')' | '('): void {
    const got = this.next();
    if (got.t !== t) throw this.error(got, `expected '${t}'`);
  }

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.t !== 'end') this.i++;
    return t;
  }

  private error(_t: Token, what: string): ExprError {
    return new ExprError(`${what} in '${this.text}'; write e.g. "$bar0 + 0x1000" or "region(0) + 2M"`);
  }
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)([KMGTkmgt])?(?![0-9A-Za-z_])|\$([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*)|([-+()]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) {
      const bad = text.slice(at).trim().split(/\s/)[0] ?? '';
      throw new ExprError(
        `cannot read '${bad}' in '${text}'; numbers are decimal or 0x hex with an optional K, M, G or T ` +
          'suffix, variables are $name',
      );
    }
    const start = at;
    at = re.lastIndex;
    if (m[1] !== undefined) {
      const digits = m[1].replace(/_/g, '');
      let v = Number(digits.startsWith('0x') || digits.startsWith('0X') ? digits : parseInt(digits, 10));
      if (m[2] !== undefined) v *= SUFFIX[m[2].toUpperCase()]!;
      if (!Number.isSafeInteger(v)) throw new ExprError(`${m[0].trim()} does not fit in 53 bits`);
      out.push({ t: 'num', v, at: start });
    } else if (m[3] !== undefined) out.push({ t: 'var', v: m[3], at: start });
    else if (m[4] !== undefined) out.push({ t: 'name', v: m[4], at: start });
    else out.push({ t: m[5] as '+' | '-' | '(' | ')', at: start });
  }
  out.push({ t: 'end', at: text.length });
  return out;
}
