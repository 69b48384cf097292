import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Prints the server's router as a self-contained type: every procedure's input and output resolved
 * by the compiler and written out structurally, with no reference to server modules, the tRPC
 * context, Drizzle, pino or Express. The published client ships this instead of the server's source.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

class Printer {
  private readonly active = new Set<ts.Type>();
  constructor(private readonly checker: ts.TypeChecker) {}

  print(type: ts.Type, indent = ''): string {
    const { checker } = this;
    const f = type.flags;
    if (f & ts.TypeFlags.Any) throw new Error('`any` in the API surface: the client would lose its types');
    if (f & ts.TypeFlags.Unknown) return 'unknown';
    if (f & ts.TypeFlags.Never) return 'never';
    if (f & ts.TypeFlags.Void) return 'void';
    if (
      f &
      (ts.TypeFlags.String |
        ts.TypeFlags.Number |
        ts.TypeFlags.Boolean |
        ts.TypeFlags.BigInt |
        ts.TypeFlags.Null |
        ts.TypeFlags.Undefined)
    ) {
      return checker.typeToString(type);
    }
    if (type.isStringLiteral()) return JSON.stringify(type.value);
    if (type.isNumberLiteral()) return String(type.value);
    if (f & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type);
    if (type.isUnion()) return this.union(type.types, indent);
    if (type.isIntersection()) return type.types.map((t) => this.wrap(t, indent)).join(' & ');
    if (checker.isArrayType(type))
      return `${this.wrap(checker.getTypeArguments(type as ts.TypeReference)[0]!, indent)}[]`;
    if (checker.isTupleType(type))
      return `[${checker
        .getTypeArguments(type as ts.TypeReference)
        .map((t) => this.print(t, indent))
        .join(', ')}]`;
    if (type.getSymbol()?.getName() === 'Date') return 'Date';
    if (f & ts.TypeFlags.Object) return this.object(type, indent);
    throw new Error(`cannot print type ${checker.typeToString(type)} (flags ${f})`);
  }

  private union(types: readonly ts.Type[], indent: string): string {
    const printed = types.map((t) => this.wrap(t, indent));
    // The compiler splits `boolean` into its two literals; put it back together.
    const hasTrue = printed.includes('true');
    const hasFalse = printed.includes('false');
    const rest = printed.filter((p) => !(hasTrue && hasFalse && (p === 'true' || p === 'false')));
    return [...new Set(hasTrue && hasFalse ? ['boolean', ...rest] : rest)].join(' | ');
  }

  private wrap(type: ts.Type, indent: string): string {
    const printed = this.print(type, indent);
    return type.isUnion() || type.isIntersection() ? `(${printed})` : printed;
  }

  private object(type: ts.Type, indent: string): string {
    if (this.active.has(type)) throw new Error(`recursive type ${this.checker.typeToString(type)} in the API surface`);
    if (type.getCallSignatures().length > 0)
      throw new Error(`function type ${this.checker.typeToString(type)} in the API surface`);
    this.active.add(type);
    try {
      const inner = `${indent}  `;
      const lines: string[] = [];
      for (const info of this.checker.getIndexInfosOfType(type)) {
        lines.push(`${inner}[key: ${this.print(info.keyType)}]: ${this.print(info.type, inner)};`);
      }
      for (const property of this.checker.getPropertiesOfType(type)) {
        const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
        const name = /^[A-Za-z_$][\w$]*$/.test(property.name) ? property.name : JSON.stringify(property.name);
        lines.push(`${inner}${name}${optional}: ${this.print(this.checker.getTypeOfSymbol(property), inner)};`);
      }
      return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
    } finally {
      this.active.delete(type);
    }
  }
}

function propertyType(checker: ts.TypeChecker, type: ts.Type, name: string): ts.Type {
  const symbol = checker.getPropertyOfType(type, name);
  if (!symbol) throw new Error(`expected a property "${name}" on ${checker.typeToString(type)}`);
  return checker.getTypeOfSymbol(symbol);
}

function printRecord(checker: ts.TypeChecker, printer: Printer, record: ts.Type, indent: string): string {
  const inner = `${indent}  `;
  const entries = checker.getPropertiesOfType(record).map((entry) => {
    const value = checker.getTypeOfSymbol(entry);
    const def = checker.getPropertyOfType(value, '_def');
    const isProcedure = def && checker.getPropertyOfType(checker.getTypeOfSymbol(def), 'procedure');
    if (!isProcedure) return `${inner}${entry.name}: ${printRecord(checker, printer, value, inner)};`;
    const defType = checker.getTypeOfSymbol(def);
    const kind = (propertyType(checker, defType, 'type') as ts.StringLiteralType).value;
    const types = propertyType(checker, defType, '$types');
    const builder = { query: 'TRPCQueryProcedure', mutation: 'TRPCMutationProcedure' }[kind];
    if (!builder) throw new Error(`${entry.name}: ${kind} procedures are not supported by the generator`);
    const input = printer.print(propertyType(checker, types, 'input'), `${inner}  `);
    const output = printer.print(propertyType(checker, types, 'output'), `${inner}  `);
    return `${inner}${entry.name}: ${builder}<{\n${inner}  input: ${input};\n${inner}  output: ${output};\n${inner}  meta: object;\n${inner}}>;`;
  });
  return `{\n${entries.join('\n')}\n${indent}}`;
}

export function generateRouterTypes(): string {
  const configPath = ts.findConfigFile(repoRoot, ts.sys.fileExists, 'tsconfig.json')!;
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, repoRoot);
  const program = ts.createProgram({ rootNames: [`${repoRoot}client/src/router.ts`], options: parsed.options });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(`${repoRoot}client/src/router.ts`)!;
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!);
  const exported = (name: string) =>
    checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(exports.find((e) => e.name === name)!));

  const printer = new Printer(checker);
  const router = exported('AppRouter');
  const routerDef = propertyType(checker, router, '_def');
  const errorShape = propertyType(
    checker,
    propertyType(checker, propertyType(checker, routerDef, '_config'), '$types'),
    'errorShape',
  );

  return `// Generated by client/scripts/generateRouterTypes.ts from the server's router. Do not edit.
import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure } from '@trpc/server';

/** Every stable error code the API answers with, at \`error.data.appCode\`. */
export type AppErrorCode = ${printer.print(exported('AppErrorCode'))};

/** What \`error.data.details\` holds for each code (narrowed by \`isAppError(err, code)\`). */
export type AppErrorDetails = ${printer.print(exported('AppErrorDetails'))};

/** The shape of an API error (what \`TRPCClientError.shape\` holds). */
export type AppErrorShape = ${printer.print(errorShape)};

/** The booking API, as the client sees it. */
export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: AppErrorShape; transformer: true },
  ${printRecord(checker, printer, propertyType(checker, routerDef, 'record'), '  ')}
>;
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.stdout.write(generateRouterTypes());
