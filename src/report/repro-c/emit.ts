/**
 * A reproducer plan as C: one function per thread (pthreads) and per forked
 * child (fork), the scripted prefix of the scenario inline in main(), every
 * action gated on the shared sync block so actions start in the trace's
 * order and wait for those the trace finished before them, and after each
 * action a check of what the model predicts.
 */
import type { UserAction } from '../../kernel/syscalls.js';
import type { Expr, NumExpr } from '../../scenario/expr.js';
import { EXPR_CONSTANTS } from '../../scenario/expr.js';
import { errnoName, isErr } from '../../uapi/errno.js';
import { protName, mapFlagsName } from '../../uapi/mman.js';
import { vfioIoctlName, VFIO_DEVICE_FEATURE } from '../../uapi/vfio.js';
import { openFlagsName } from '../../scenario/action.js';
import type { ReproAction, ReproPlan } from './plan.js';
import { prelude } from './prelude.js';

export interface ReproOptions {
  /** Default vfio cdev path. */
  readonly device: string;
  /** Default BAR index (else the trace's). */
  readonly bar?: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const u64 = (n: number): string => (n < 0 ? `(uint64_t)${n}LL` : `${hex(n)}ULL`);
const cstr = (s: string): string => JSON.stringify(s).replace(/\?\?/g, '?\\?');
/** A C comment's text: no comment terminator inside. */
const ctext = (s: string): string => s.replace(/\*\//g, '* /').replace(/\/\*/g, '/ *');
const cname = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

function isNumExpr(v: unknown): v is NumExpr {
  return typeof v === 'object' && v !== null && 'expr' in v && 'src' in v;
}

/** An expression in C: variables are the process's `v_NAME`, region(i) the region's offset from GET_REGION_INFO. */
function cexpr(e: Expr, fd: string): string {
  switch (e.k) {
    case 'num': return u64(e.v);
    case 'var': return `v_${cname(e.name)}`;
    case 'region': return `reg_off((int)(${fd}), (int)(${cexpr(e.index, fd)}))`;
    case 'add': return `(${cexpr(e.a, fd)} + ${cexpr(e.b, fd)})`;
    case 'sub': return `(${cexpr(e.a, fd)} - ${cexpr(e.b, fd)})`;
    case 'neg': return `(-${cexpr(e.a, fd)})`;
  }
}

/** Variables an expression reads. */
function exprVarNames(e: Expr, out: Set<string>): void {
  if (e.k === 'var') out.add(e.name);
  else if (e.k === 'region' || e.k === 'neg') exprVarNames(e.k === 'region' ? e.index : e.a, out);
  else if (e.k === 'add' || e.k === 'sub') { exprVarNames(e.a, out); exprVarNames(e.b, out); }
}

/** Op field `name` in C: the written expression when there is one, else the model's value. */
function field(a: ReproAction, name: string, model: number, fd = '0'): string {
  const v = a.op ? (a.op.args as Record<string, unknown>)[name] : undefined;
  if (isNumExpr(v)) {
    const known = Object.keys(EXPR_CONSTANTS).includes(v.src) ? ` /* ${v.src} */` : '';
    return cexpr(v.expr, fd) + known;
  }
  return u64(model);
}

function bytesArray(name: string, bytes: readonly number[]): string {
  if (bytes.length === 0) return `unsigned char ${name}[1] = { 0 };`;
  return `unsigned char ${name}[${bytes.length}] = { ${bytes.map((b) => hex(b)).join(', ')} };`;
}

function retText(ret: number | undefined, kind: string): string {
  if (ret === undefined) return 'the model does not return within the trace';
  if (isErr(ret)) return `-1 errno ${errnoName(ret)}`;
  if (kind === 'WANT_FD') return `an fd (model: ${ret})`;
  if (kind === 'WANT_ADDR') return `an address (model: ${hex(ret)})`;
  return String(ret);
}

/** C statements running one action; `ret` and `err` are set, `sig` for accesses. */
function opCode(a: ReproAction, devIndex: (bdf: string) => number): { code: string[]; kind: string; what: string } {
  const x: UserAction = a.action;
  const what = `${a.label} ${a.thread}: ${x.op}`;
  switch (x.op) {
    case 'open':
      if (x.bind === false) {
        return { what, kind: 'WANT_FD', code: [`ret = open(dev_path[${devIndex(x.device)}], ${openFlagsName(x.flags).replace(/\|/g, ' | ')}); /* ${ctext(x.device)}, not bound */`] };
      }
      return { what, kind: 'WANT_FD', code: [`ret = open_device(${devIndex(x.device)}, ${openFlagsName(x.flags).replace(/\|/g, ' | ')}); /* ${ctext(x.device)} */`] };
    case 'close':
      return { what, kind: 'WANT_EXACT', code: [`ret = close((int)${field(a, 'fd', x.fd)});`] };
    case 'dup':
      return { what, kind: 'WANT_FD', code: [`ret = dup((int)${field(a, 'fd', x.fd)});`] };
    case 'ioctl': {
      const fd = field(a, 'fd', x.fd);
      const name = vfioIoctlName(x.cmd);
      const cmd = name.startsWith('0x') ? `${hex(x.cmd)}UL` : name;
      const argp = x.argFault ? '(void *)8 /* a pointer copy_from_user() cannot read */' : x.arg.length ? 'arg' : 'NULL';
      return {
        what: `${what} ${name}`, kind: x.cmd === VFIO_DEVICE_FEATURE && (a.ret ?? 0) > 0 ? 'WANT_FD' : 'WANT_EXACT',
        code: [`${bytesArray('arg', x.arg)} /* the struct's bytes, little endian, as the model passed them */`, `(void)arg;`, `ret = ioctl((int)${fd}, ${cmd}, ${argp});`],
      };
    }
    case 'pread':
    case 'pwrite': {
      const fd = field(a, 'fd', x.fd);
      const args = a.op ? (a.op.args as Record<string, unknown>) : {};
      const region = typeof args['region'] === 'number' ? (args['region'] as number) : undefined;
      const within = region !== undefined ? x.offset - region * 2 ** 40 : x.offset;
      const off = region !== undefined ? `reg_off((int)${fd}, ${region}) + ${field(a, 'offset', within, fd)}` : field(a, 'offset', x.offset, fd);
      const label = region === 7 ? 'config space' : region !== undefined ? `region ${region}` : 'file';
      if (x.op === 'pread') {
        return { what: `${what} ${label}`, kind: 'WANT_EXACT', code: [`unsigned char buf[${Math.max(1, x.count)}];`, `ret = pread((int)${fd}, buf, ${x.count}, (off_t)(${off}));`] };
      }
      return { what: `${what} ${label}`, kind: 'WANT_EXACT', code: [bytesArray('data', x.data), `ret = pwrite((int)${fd}, data, ${x.data.length}, (off_t)(${off}));`] };
    }
    case 'mmap': {
      const fd = field(a, 'fd', x.fd);
      const prot = protName(x.prot).replace(/\|/g, ' | ');
      const flags = /=/.test(mapFlagsName(x.flags)) ? hex(x.flags) : mapFlagsName(x.flags).replace(/\|/g, ' | ');
      return {
        what, kind: 'WANT_ADDR',
        code: [
          `void *p = mmap((void *)(uintptr_t)${field(a, 'addr', x.addr, fd)}, ${field(a, 'length', x.length, fd)}, ${prot}, ${flags}, (int)${fd}, (off_t)(${field(a, 'offset', x.offset, fd)}));`,
          `ret = p == MAP_FAILED ? -1 : (long long)(uintptr_t)p;`,
        ],
      };
    }
    case 'munmap':
      return { what, kind: 'WANT_EXACT', code: [`ret = munmap((void *)(uintptr_t)${field(a, 'addr', x.addr)}, ${field(a, 'length', x.length)});`] };
    case 'fork':
      return {
        what, kind: 'WANT_FD',
        code: [
          `pid_t child = fork();`,
          `if (child == 0) {`, `\tproc_${cname(x.child)}();`, `\t_exit(0);`, `}`,
          `ret = child;`,
        ],
      };
    case 'exit':
      return { what, kind: 'WANT_ANY', code: ['ret = 0; /* exit: this thread does nothing more */'] };
    case 'load':
      return { what: `${what} of ${x.size} bytes`, kind: 'LOAD', code: [`uint64_t val = 0;`, `sig = user_load(${field(a, 'addr', x.addr)}, ${x.size}, &val);`, `ret = sig ? 0 : (long long)val;`] };
    case 'store':
      return { what: `${what} of ${x.size} bytes`, kind: 'STORE', code: [`sig = user_store(${field(a, 'addr', x.addr)}, ${x.size}, ${field(a, 'value', x.value)});`, `ret = 0;`] };
    case 'o_direct':
      return { what: `${what} ${x.rw}`, kind: 'WANT_EXACT', code: [`ret = o_direct_rw(${x.rw === 'write' ? 1 : 0}, ${field(a, 'addr', x.addr)}, ${field(a, 'length', x.length)});`] };
    case 'lseek':
      return { what, kind: 'WANT_EXACT', code: [`ret = lseek((int)${field(a, 'fd', x.fd)}, (off_t)${field(a, 'offset', x.offset)}, ${x.whence});`] };
    case 'mremap':
      return {
        what, kind: 'WANT_ADDR',
        code: [
          `void *p = mremap((void *)(uintptr_t)${field(a, 'addr', x.addr)}, ${x.old_len}, ${x.new_len}, ${x.flags}, (void *)(uintptr_t)${field(a, 'new_addr', x.new_addr)});`,
          `ret = p == MAP_FAILED ? -1 : (long long)(uintptr_t)p;`,
        ],
      };
    case 'madvise':
      return { what, kind: 'WANT_EXACT', code: [`ret = madvise((void *)(uintptr_t)${field(a, 'addr', x.addr)}, ${field(a, 'length', x.length)}, ${x.advice});`] };
    case 'gup':
      return { what, kind: 'SKIP', code: ['/* gup: get_user_pages() as a driver calls it has no user-space entry; O_DIRECT (o_direct) is the closest. */', 'ret = 0;'] };
    case 'unbind':
      return { what, kind: 'SKIP', code: [`/* unbind: echo ${ctext(x.device)} > /sys/bus/pci/drivers/vfio-pci/unbind blocks until the device is released; run it by hand */`, 'ret = 0;'] };
    default:
      return { what, kind: 'SKIP', code: [`/* ${x.op}: an in-kernel importer or device action with no user-space equivalent in this reproducer */`, 'ret = 0;'] };
  }
}

function checkCode(a: ReproAction, kind: string, what: string): string[] {
  const w = cstr(what);
  if (kind === 'SKIP') return [];
  if (a.end === Infinity) {
    return [`printf("%-40s returned %lld (errno %d); the model's trace ends with this call inside the kernel\\n", ${w}, ret, err);`];
  }
  const wantSig = a.signals.includes('SIGBUS') ? 'SIGBUS' : a.signals.includes('SIGSEGV') ? 'SIGSEGV' : '0';
  if (kind === 'LOAD' || kind === 'STORE') {
    const out = [`check_sig(${w}, sig, ${wantSig});`];
    if (kind === 'LOAD' && wantSig === '0' && a.ret !== undefined && a.action.op === 'load') {
      const ones = 2 ** (8 * a.action.size) - 1;
      if (a.ret === ones) out.push(`if (!sig) check_ret(${cstr(`${what} value`)}, ret, 0, ${u64(a.ret)}, WANT_EXACT, "all ones (an Unsupported Request)");`);
      else out.push(`if (!sig) printf("%-40s read 0x%llx (the model's BAR memory reads ${hex(a.ret)}; a real device may hold other data)\\n", ${cstr(`${what} value`)}, (unsigned long long)ret);`);
    }
    return out;
  }
  const want = a.ret ?? 0;
  return [`check_ret(${w}, ret, err, ${want}LL, ${kind}, ${cstr(retText(a.ret, kind))});`];
}

/** The C source of a reproducer. */
export function emitC(plan: ReproPlan, opts: ReproOptions): string {
  const sc = plan.scenario;
  const acts = plan.actions;
  const devs = sc.world.devices.map((d) => d.bdf);
  const devIndex = (bdf: string): number => Math.max(0, devs.indexOf(bdf));
  const first = sc.world.processes[0];
  const firstThreads = new Set(first?.threads ?? []);
  // The scripted prefix main() runs itself: first process, strictly one after the other, no fork/until.
  let inline = 0;
  while (inline < acts.length) {
    const a = acts[inline]!;
    if (!a.setup || !firstThreads.has(a.thread) || a.until !== undefined || a.end !== a.start || a.action.op === 'fork' || a.action.op === 'exit' || a.inFlight.length) break;
    inline++;
  }
  const vars = new Set<string>();
  for (const a of acts) {
    if (a.as) vars.add(a.as);
    for (const v of Object.values(a.op?.args ?? {})) if (isNumExpr(v)) exprVarNames(v.expr, vars);
  }
  const body = (a: ReproAction, gated: boolean): string[] => {
    const { code, kind, what } = opCode(a, devIndex);
    const out: string[] = [];
    const sys = `${a.action.op}`;
    out.push(`/* ${a.label}: ${a.thread} ${sys}${a.op ? ` ${ctext(JSON.stringify(a.op.args, (_k, v: unknown) => (isNumExpr(v) ? v.src : typeof v === 'bigint' ? `0x${v.toString(16)}` : v)))}` : ''} */`);
    if (gated) {
      if (a.i > 0) out.push(`wait_started(${a.i - 1});`);
      for (const b of acts) if (b.i < a.i && b.end < a.start && b.i >= inline) out.push(`wait_done(${b.i}); /* ${b.label} ${b.thread} returned first in the trace */`);
      if (a.inFlight.length) {
        out.push('/*');
        for (const f of a.inFlight) {
          out.push(` * In the trace ${ctext(f.thread)} (${f.label}) is inside the kernel at ${ctext(f.at)} when this starts. User space cannot`);
          out.push(' * hold it there: we only wait until it has started, and a little longer; run the program in a loop to hit the window.');
        }
        out.push(' */');
        out.push('usleep(delay_us);');
      }
      out.push(`mark_started(${a.i});`);
    }
    out.push('{', ...code.map((l) => `\t${l}`), '\terr = ret < 0 ? errno : 0;');
    if (gated) out.push(`\tmark_done(${a.i});`);
    if (a.as) out.push(`\tv_${cname(a.as)} = (uint64_t)ret;`);
    out.push(...checkCode(a, kind, what).map((l) => `\t${l}`), '}');
    return out;
  };
  const fn = (name: string, list: readonly ReproAction[], isThread: boolean): string[] => {
    const out = [isThread ? `static void *thread_${cname(name)}(void *unused)` : `static void proc_${cname(name)}(void)`, '{', '\tlong long ret = 0;', '\tint err = 0, sig = 0;', '\t(void)sig;'];
    if (isThread) out.push('\t(void)unused;');
    for (const a of list) out.push(...body(a, true).map((l) => `\t${l}`));
    out.push('\t(void)ret; (void)err;', isThread ? '\treturn NULL;' : '\treturn;', '}', '');
    return out;
  };
  const rest = acts.slice(inline);
  const threadsOf = (t: string): ReproAction[] => rest.filter((a) => a.thread === t);
  const forked = new Set(acts.flatMap((a) => (a.action.op === 'fork' ? [a.action.child] : [])));
  const lines: string[] = [];
  const head = [
    `barmap reproducer: ${plan.title}`,
    `scenario ${sc.name}; the model's design ${plan.design}, arch ${plan.arch}`,
    ...(plan.invariant ? [`model: ${plan.invariant} breaks: ${plan.message ?? ''}`] : []),
    '',
    `build: cc -Wall -pthread -o repro repro.c`,
    `run:   ./repro [-d /dev/vfio/devices/vfioN] [-b BAR] [-i /dev/iommu|none] [-f O_DIRECT_FILE] [-w DELAY_US]`,
    'It prints, for each call, what the model predicts and what the kernel did, and exits 1 on a mismatch.',
    'The scripted steps run first in main(); then each thread of the trace runs in its own pthread (a',
    'forked child in its own process), starting its calls in the trace order. Where the trace has one',
    'thread at a point inside the kernel while another starts, user space cannot force that point:',
    'the comment at that call says where it should be.',
    ...(plan.schedule.length ? ['', 'the schedule after the setup (one transition each):', ...plan.schedule.map((s) => `  ${s}`)] : []),
  ];
  lines.push('/*', ...head.map((l) => ` * ${ctext(l)}`.trimEnd()), ' */');
  lines.push(`#define DEFAULT_DEVICE ${cstr(opts.device)}`, `#define TRACE_BAR ${plan.bar}`, `#define DEFAULT_BAR ${opts.bar ?? -1}`);
  lines.push(prelude());
  lines.push('/* ---- the scenario\'s variables (per process: fork copies them) ---- */');
  for (const v of [...vars].sort()) lines.push(`static uint64_t v_${cname(v)};`);
  lines.push('', '/* ---- forked children ---- */');
  for (const c of forked) lines.push(`static void proc_${cname(c)}(void);`);
  lines.push('');
  for (const t of first?.threads ?? []) if (threadsOf(t).length) lines.push(...fn(t, threadsOf(t), true));
  for (const c of forked) lines.push(...fn(c, threadsOf(c), false));
  const others = sc.world.processes.slice(1);
  for (const p of others) for (const t of p.threads) if (threadsOf(t).length) lines.push(...fn(t, threadsOf(t), true));
  lines.push('int main(int argc, char **argv)', '{', '\tlong long ret = 0;', '\tint err = 0, sig = 0, failures;', '\tpthread_t th[16];', '\tint nth = 0;', '\t(void)sig; (void)th; (void)nth;');
  lines.push('\tparse_args(argc, argv);', '\tsetvbuf(stdout, NULL, _IOLBF, 0);', '\tcatch_faults();');
  lines.push('\tsync_blk = mmap(NULL, sizeof(*sync_blk), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);', '\tif (sync_blk == MAP_FAILED) { perror("mmap"); return 2; }');
  if (acts.length > 256) lines.push('\t/* more than MAX_ACTIONS actions: raise MAX_ACTIONS */');
  lines.push('', '\t/* the scripted steps */');
  for (const a of acts.slice(0, inline)) {
    lines.push(...body(a, false).map((l) => `\t${l}`));
    lines.push(`\tmark_started(${a.i}); mark_done(${a.i});`);
  }
  lines.push('', '\t/* the threads */');
  for (const t of first?.threads ?? []) {
    if (threadsOf(t).length) lines.push(`\tif (pthread_create(&th[nth++], NULL, thread_${cname(t)}, NULL)) { perror("pthread_create"); return 2; }`);
  }
  for (const p of others) {
    const ts = p.threads.filter((t) => threadsOf(t).length);
    if (!ts.length) continue;
    lines.push(`\tif (fork() == 0) { /* process ${ctext(p.name)} */`, '\t\tpthread_t pt[16];', '\t\tint n = 0;');
    for (const t of ts) lines.push(`\t\tpthread_create(&pt[n++], NULL, thread_${cname(t)}, NULL);`);
    lines.push('\t\twhile (n > 0) pthread_join(pt[--n], NULL);', '\t\t_exit(0);', '\t}');
  }
  lines.push('\twhile (nth > 0) pthread_join(th[--nth], NULL);', '\twhile (wait(NULL) > 0)', '\t\t;');
  lines.push('\t(void)ret; (void)err;');
  lines.push('\tfailures = __atomic_load_n(&sync_blk->failures, __ATOMIC_RELAXED);');
  lines.push(`\tprintf("%s: %d mismatch(es) with the model\\n", failures ? "FAIL" : "PASS", failures);`);
  lines.push('\treturn failures ? 1 : 0;', '}', '');
  return lines.join('\n');
}
