// graphql-codegen pointed at the URL (its own introspection query, with the key) makes
// TypeScript types for the schema and for an operation, with README's `scalars:` mapping.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { KEY, URL, ok } from './env.mjs';

const dir = join(tmpdir(), `dam-codegen-${process.pid}`);
mkdirSync(dir, { recursive: true });
const documents = join(dir, 'report.graphql');
writeFileSync(
  documents,
  `query Report($month: Month!) {
  monthlyReport(month: $month) { month summary { uploads { current changePercent } } downloads { topAssets(first: 3) { edges { downloads node { filename } } } } }
}
`,
);
const output = join(dir, 'types.ts');
// The mapping README shows: the custom scalars typed, not `any`.
const scalars = { DateTime: 'string', Date: 'string', Month: 'string', JSON: 'Record<string, unknown>' };
await generate(
  {
    schema: { [URL]: { headers: { Authorization: `Bearer ${KEY}` } } },
    documents,
    generates: { [output]: { plugins: ['typescript', 'typescript-operations'], config: { scalars } } },
    silent: true,
  },
  true,
);
const types = readFileSync(output, 'utf8');
for (const wanted of [
  "Month: { input: string; output: string; }",
  "DateTime: { input: string; output: string; }",
  "JSON: { input: Record<string, unknown>; output: Record<string, unknown>; }",
  "month: Scalars['Month']['input'];",
  'export type Query = {', 'export type MonthlyReport = {', 'export type ReportQuery = {', 'export type ReportQueryVariables = Exact<{']) {
  assert.ok(types.includes(wanted), `${wanted} missing from the generated types`);
}
ok(`graphql-codegen: ${types.split('\n').length} lines of TypeScript from the served schema`);
