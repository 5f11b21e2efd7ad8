/**
 * Which DynamoDB operations a built bundle can call, read from the build itself: the commands
 * our own modules import (only modules that survived tree-shaking), kept when the operation's
 * command class is also present in the output. The template test holds each function's IAM
 * actions to exactly this set, so a grant can neither be missing nor linger unused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { ROOT } from '../../scripts/build/bundle.ts';

/** lib-dynamodb command -> DynamoDB operation (client-dynamodb commands just drop `Command`). */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
  ExecuteStatementCommand: 'ExecuteStatement',
  BatchExecuteStatementCommand: 'BatchExecuteStatement',
  ExecuteTransactionCommand: 'ExecuteTransaction',
};

const DYNAMO_IMPORT = /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(lib|client)-dynamodb'/g;

/** Operations named by value imports of our own source files in the bundle. */
function importedOperations(metafile: Metafile): Set<string> {
  const sources = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0 && !input.includes('node_modules/') && input.endsWith('.ts')) {
        sources.add(input);
      }
    }
  }
  const operations = new Set<string>();
  for (const source of sources) {
    const text = readFileSync(join(ROOT, source), 'utf8');
    for (const [, names = '', pkg] of text.matchAll(DYNAMO_IMPORT)) {
      for (const raw of names.split(',')) {
        const name = raw.trim().split(/\s+as\s+/)[0] ?? '';
        if (!name.endsWith('Command') || name.startsWith('type ')) continue;
        operations.add(pkg === 'lib' ? (DOCUMENT_COMMANDS[name] ?? name) : name.slice(0, -7));
      }
    }
  }
  return operations;
}

/** Operations whose command class is in the output (`extends X(..., "PutItem", schema)`). */
function bundledOperations(dir: string): Set<string> {
  const operations = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.mjs'))) {
    const code = readFileSync(join(dir, file), 'utf8');
    for (const [, operation] of code.matchAll(/extends [\w$]+\([\w$]+,[\w$]+,"(\w+)",/g)) {
      if (operation) operations.add(operation);
    }
  }
  return operations;
}

/** `dir` is a built bundle directory (with meta.json). */
export function dynamoOperations(dir: string): Set<string> {
  const metafile = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Metafile;
  const imported = importedOperations(metafile);
  const bundled = bundledOperations(dir);
  if (!bundled.has('Query') && imported.has('Query')) {
    throw new Error(`cannot find command classes in ${dir}: the SDK's output shape changed`);
  }
  return new Set([...imported].filter((operation) => bundled.has(operation)).sort());
}
