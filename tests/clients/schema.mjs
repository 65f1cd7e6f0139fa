// The served schema, read through graphql-js's own introspection query with every option
// on and printed by buildClientSchema + printSchema, equals schema.graphql (both printed
// by graphql-js, types in one order).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema } from 'graphql';
import { KEY, URL, ok } from './env.mjs';

const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
const response = await fetch(URL, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json', Authorization: `Bearer ${KEY}` },
  body: JSON.stringify({ query }),
});
const answer = await response.json();
assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
const print = (schema) => printSchema(lexicographicSortSchema(schema));
const served = print(buildClientSchema(answer.data));
const checkedIn = print(buildSchema(readFileSync(new globalThis.URL('../../schema.graphql', import.meta.url), 'utf8')));
if (served !== checkedIn) {
  const dir = mkdtempSync(join(tmpdir(), 'dam-schema-'));
  writeFileSync(join(dir, 'schema.graphql'), checkedIn);
  writeFileSync(join(dir, 'served.graphql'), served);
  const diff = spawnSync('diff', ['-u', join(dir, 'schema.graphql'), join(dir, 'served.graphql')], { encoding: 'utf8' });
  console.error(diff.stdout);
  assert.fail('the schema printed from introspection differs from schema.graphql (both printed by graphql-js)');
}
ok(`introspection (getIntrospectionQuery, every option) printed equals schema.graphql (${served.split('\n').length} lines)`);
