/**
 * Output formats of run, replay and check (`--format text|json|html`), and
 * colour for the ftrace-like text on a terminal: the thread, the step tag,
 * the kernel function and the result each get a colour; BUG, expect and
 * deadlock lines are red. Colour is decided by the caller (a TTY, and no
 * NO_COLOR in the environment); piped output stays plain.
 */

export type OutputFormat = 'text' | 'json' | 'html';

export const FORMATS: readonly OutputFormat[] = ['text', 'json', 'html'];

/** The format asked for: `--format` wins, `--json` is an alias of `--format json`; null for an unknown name. */
export function outputFormat(format: string | undefined, json: boolean | undefined): OutputFormat | null {
  if (format === undefined) return json ? 'json' : 'text';
  return (FORMATS as readonly string[]).includes(format) ? (format as OutputFormat) : null;
}

/** Colour when writing to a terminal, unless NO_COLOR is set (https://no-color.org: any non-empty value). */
export function shouldColour(isTTY: boolean, env: { readonly [k: string]: string | undefined }): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '' && env['FORCE_COLOR'] !== '0') return true;
  return isTTY && env['TERM'] !== 'dumb';
}

const ESC = '\x1b[';
const paint = (code: string, s: string): string => `${ESC}${code}m${s}${ESC}0m`;
const C = {
  dim: (s: string) => paint('2', s),
  bold: (s: string) => paint('1', s),
  red: (s: string) => paint('1;31', s),
  green: (s: string) => paint('32', s),
  yellow: (s: string) => paint('33', s),
  blue: (s: string) => paint('34', s),
  magenta: (s: string) => paint('35', s),
  cyan: (s: string) => paint('36', s),
};

/** `  A-11     [t5]      fn: args -> result` */
const EVENT = /^(\s+)(\S+-\d+|<kernel>-0)(\s+)(\[[^\]]*\])(\s+)(\S[^:]*?):(.*)$/;

function result(r: string): string {
  if (/^-?E[A-Z0-9]+$|SIGBUS|SIGSEGV|VM_FAULT_(SIGBUS|SIGSEGV|OOM|HWPOISON)/.test(r)) return C.red(r);
  if (/VM_FAULT_FALLBACK|VM_FAULT_RETRY/.test(r)) return C.yellow(r);
  return C.green(r);
}

/** One line of text output with colour added; lines it does not recognise come back as they are. */
export function colourLine(line: string): string {
  if (line.startsWith('# FAIL') || line.startsWith('# ERROR') || line.startsWith('BUG:')) return C.red(line);
  if (line.startsWith('#')) return C.dim(line);
  if (line.startsWith('rule:') || line.startsWith('broken:')) return C.bold(line);
  if (/^\s+-- state after/.test(line)) return C.dim(line);
  const m = EVENT.exec(line);
  if (!m) return line;
  const [, lead, who, gap1, tag, gap2, fn, rest] = m as unknown as [string, string, string, string, string, string, string, string];
  if (fn.startsWith('BUG') || fn === 'expect' || fn === 'deadlock') return `${lead}${C.cyan(who)}${gap1}${C.dim(tag)}${gap2}${C.red(`${fn}:${rest}`)}`;
  const arrow = rest.lastIndexOf(' -> ');
  const args = arrow >= 0 ? rest.slice(0, arrow) : rest;
  const ret = arrow >= 0 ? ` -> ${result(rest.slice(arrow + 4))}` : '';
  const fnc = fn === 'deliver' ? C.magenta(fn) : C.bold(C.blue(fn));
  return `${lead}${C.cyan(who)}${gap1}${C.dim(tag)}${gap2}${fnc}:${args}${ret}`;
}
