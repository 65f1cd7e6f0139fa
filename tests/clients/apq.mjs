// Apollo Client 4 with its automatic persisted-queries link, as a partner would turn it
// on: the first request sends only the document's hash, the server answers
// PersistedQueryNotFound, the link sends the document with its hash; from then on the
// hash alone is enough.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { KEY, URL, ok } from './env.mjs';

const sent = [];
const recording = (input, init) => {
  sent.push(JSON.parse(init.body));
  return fetch(input, init);
};
const client = () =>
  new ApolloClient({
    link: new PersistedQueryLink({
      sha256: (query) => createHash('sha256').update(query).digest('hex'),
    }).concat(new HttpLink({ uri: URL, headers: { Authorization: `Bearer ${KEY}` }, fetch: recording })),
    cache: new InMemoryCache(),
  });

const query = gql`query Limits { limits { maxDepth maxComplexity } }`;
const first = await client().query({ query });
assert.ok(first.data.limits.maxDepth > 0);
assert.equal(sent.length, 2, `first use: hash, then hash and document (${JSON.stringify(sent)})`);
assert.equal(sent[0].query, undefined);
assert.ok(sent[0].extensions.persistedQuery.sha256Hash);
assert.ok(sent[1].query.includes('limits'));
ok('Apollo Client persisted queries: an unknown hash, then the document registered with it');

sent.length = 0;
const again = await client().query({ query });
assert.deepEqual(again.data, first.data);
assert.equal(sent.length, 1, `known hash: one request (${JSON.stringify(sent)})`);
assert.equal(sent[0].query, undefined);
ok('Apollo Client persisted queries: a known hash alone gets the answer');
