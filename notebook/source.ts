/**
 * The real source text of a module's export, for notebooks that show the code an interviewer expects
 * (`nb.source(path, name)`). Read from the file each time a notebook runs, so what a reader sees is
 * what the answer key tests. Parsed with the TypeScript compiler, so the declaration's full extent
 * is exact whatever its braces, strings or comments hold.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { resolvePath } from '../catalog/paths.js';
import { ArgumentError } from '../core/errors.js';

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
    return statement.name ? [statement.name.text] : [];
  }
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
    return [statement.name.text];
  }
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  return [];
}

/**
 * The text of the top-level declaration `name` in `modulePath` (project-relative), with its doc
 * comment, its overload signatures and its body, exactly as written.
 */
export function exportSource(modulePath: string, name: string): string {
  const file = resolvePath(modulePath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ArgumentError(
      'modulePath',
      modulePath,
      'a module file of the project (relative to its root)',
    );
  }
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const matches = sf.statements.filter((s) => declaredNames(s).includes(name));
  if (matches.length === 0)
    throw new ArgumentError('name', name, `a top-level declaration of ${modulePath}`);
  // Overloads are several statements: show them all, from the first doc comment to the last body.
  const first = matches[0] as ts.Statement;
  const last = matches[matches.length - 1] as ts.Statement;
  const docs = ts.getJSDocCommentsAndTags(first).filter(ts.isJSDoc);
  const start = docs.length > 0 ? (docs[0] as ts.JSDoc).getStart(sf) : first.getStart(sf);
  return text.slice(start, last.getEnd());
}
