/**
 * Lists the files over 300 lines and the functions (declarations, methods, constructors,
 * accessors, function expressions and arrow functions) over 80 lines in the given folders, and
 * whether each carries its one-line reason: for a file, a line comment `// Over 300 lines: why`
 * in its first 3 lines; for a function, a line comment `// Over 80 lines: why` (or `// Long: why`)
 * in the 3 lines above it (above its doc comment too) or as the first line of its body.
 * Parsed with the TypeScript compiler API, so a function is what the compiler says it is.
 *
 *     npx tsx scripts/sizes.ts                 # sim model calibrate live reports
 *     npx tsx scripts/sizes.ts calibrate live  # only these folders
 *
 * Prints one line per offender (`file:line  name  N lines  reason|NO REASON`); exits 1 when
 * one has no reason. test/scripts/sizes.test.ts holds the project to it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { API } from 'typescript/unstable/sync';
import { SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast';

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;
export const FOLDERS = ['sim', 'model', 'calibrate', 'live', 'reports'];

/** A file or function over its limit: where, how long, and its reason line (null when none). */
export interface Offender {
  file: string;
  /** 1-based line of the file's start or the function's first token */
  line: number;
  /** `(file)` for a file, else the function's name (`Class.method`, `name`, `(anonymous)`) */
  name: string;
  lines: number;
  reason: string | null;
}

const FILE_REASON = /^\s*\/\/\s*Over \d+ lines:\s*\S/;
const FUNCTION_REASON = /^\s*\/\/\s*(?:Over \d+ lines|Long):\s*\S/;
const FUNCTIONS = new Set<SyntaxKind>([
  SyntaxKind.FunctionDeclaration, SyntaxKind.MethodDeclaration, SyntaxKind.Constructor, SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor, SyntaxKind.FunctionExpression, SyntaxKind.ArrowFunction,
]);

/** The offenders of one parsed file; `file` is the name reported for it. */
export function measure(sf: SourceFile, file: string): Offender[] {
  const text = sf.text;
  const lines = text.split('\n');
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line; // 0-based
  const out: Offender[] = [];
  const fileLines = text.endsWith('\n') ? lines.length - 1 : lines.length;
  if (fileLines > MAX_FILE_LINES) {
    out.push({ file, line: 1, name: '(file)', lines: fileLines, reason: lines.slice(0, 3).find((l) => FILE_REASON.test(l))?.trim() ?? null });
  }
  const visit = (node: Node): void => {
    if (FUNCTIONS.has(node.kind)) {
      const first = lineOf(node.getStart(sf));
      const last = lineOf(node.end);
      if (last - first + 1 > MAX_FUNCTION_LINES) {
        const top = docTop(lines, first); // above the doc comment too
        const near = [...lines.slice(Math.max(0, top - 3), top), ...lines.slice(Math.max(0, first - 3), first)];
        const body = (node as Node & { body?: Node }).body;
        if (body) near.push(lines[lineOf(body.getStart(sf)) + 1] ?? '');
        out.push({ file, line: first + 1, name: nameOf(node), lines: last - first + 1, reason: near.find((l) => FUNCTION_REASON.test(l))?.trim() ?? null });
      }
    }
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return out;
}

/** The 0-based line where the block comment ending just above `line` starts (`line` when none). */
function docTop(lines: string[], line: number): number {
  if (!lines[line - 1]?.trim().endsWith('*/')) return line;
  let top = line - 1;
  while (top > 0 && !lines[top].includes('/*')) top--;
  return top;
}

function nameOf(node: Node): string {
  const own = (n: Node | undefined): string | undefined => {
    const name = (n as (Node & { name?: Node & { text?: string } }) | undefined)?.name;
    return name?.text;
  };
  if (node.kind === SyntaxKind.Constructor) return `${own(node.parent) ?? '(class)'}.constructor`;
  if (node.kind === SyntaxKind.MethodDeclaration || node.kind === SyntaxKind.GetAccessor || node.kind === SyntaxKind.SetAccessor) {
    return `${own(node.parent) ?? '(object)'}.${own(node) ?? '(computed)'}`;
  }
  return own(node) ?? own(node.parent) ?? '(anonymous)';
}

/** The .ts files below the folders (relative to root), sorted. */
export function tsFiles(root: string, folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(join(root, folder));
  return out;
}

/**
 * The offenders below the folders of a project (a folder with a tsconfig.json whose program holds
 * the files). Starts the compiler once; throws if a file is not in the program.
 */
export function scan(root: string, folders: string[] = FOLDERS): Offender[] {
  const absRoot = resolve(root);
  const api = new API({ cwd: absRoot });
  try {
    const program = api.updateSnapshot({ openProject: join(absRoot, 'tsconfig.json') }).getProjects()[0].program;
    return tsFiles(absRoot, folders).flatMap((path) => {
      const sf = program.getSourceFile(path);
      if (!sf) throw new Error(`${relative(absRoot, path)} is not in the program of ${join(absRoot, 'tsconfig.json')}`);
      return measure(sf, relative(absRoot, path));
    });
  } finally {
    api.close();
  }
}

/** One line per offender. */
export function formatOffender(o: Offender): string {
  return `${o.file}:${o.line}  ${o.name}  ${o.lines} lines  ${o.reason ?? 'NO REASON'}`;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/sizes.ts')) {
  const folders = process.argv.slice(2);
  const offenders = scan(process.cwd(), folders.length ? folders : FOLDERS);
  for (const o of offenders) process.stdout.write(`${formatOffender(o)}\n`);
  const missing = offenders.filter((o) => o.reason === null).length;
  process.stdout.write(`${offenders.length} over the limits (${MAX_FILE_LINES} lines a file, ${MAX_FUNCTION_LINES} a function), ${missing} without a reason\n`);
  process.exitCode = missing ? 1 : 0;
}
