// Apollo Client 4, as a frontend team would set it up: HttpLink with the key, the
// normalised cache, a query with variables, paging with fetchMore, and a coded error.
import assert from 'node:assert/strict';
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { KEY, URL, lastMonth, ok } from './env.mjs';

const client = new ApolloClient({
  link: new HttpLink({ uri: URL, headers: { Authorization: `Bearer ${KEY}` } }),
  cache: new InMemoryCache(),
});

const { data } = await client.query({
  query: gql`
    query Report($month: Month!, $after: String) {
      viewer { environment { name timeZone } scopes }
      monthlyReport(month: $month) {
        month
        summary { downloads { current previous change changePercent } }
        downloads { topAssets(first: 5, after: $after) { totalCount edges { cursor downloads node { id assetId filename } } pageInfo { hasNextPage endCursor } } }
      }
    }`,
  variables: { month: lastMonth() },
});
assert.equal(data.viewer.environment.name, 'demo');
assert.equal(data.monthlyReport.month, lastMonth());
const top = data.monthlyReport.downloads.topAssets;
assert.equal(top.edges.length, 5);
assert.ok(top.totalCount > 5 && top.pageInfo.hasNextPage);
ok(`Apollo Client: monthly report of ${lastMonth()}, ${top.totalCount} downloaded assets`);

const next = await client.query({
  query: gql`
    query Next($month: Month!, $after: String) {
      monthlyReport(month: $month) { downloads { topAssets(first: 5, after: $after) { edges { node { id assetId } } } } }
    }`,
  variables: { month: lastMonth(), after: top.pageInfo.endCursor },
});
const first = new Set(top.edges.map((e) => e.node.assetId));
const second = next.data.monthlyReport.downloads.topAssets.edges.map((e) => e.node.assetId);
assert.equal(second.length, 5);
assert.ok(second.every((id) => !first.has(id)), 'the next page repeats none');
ok('Apollo Client: the next page of a top list');

const bad = new ApolloClient({
  link: new HttpLink({ uri: URL, headers: { Authorization: 'Bearer dami_unknown' } }),
  cache: new InMemoryCache(),
});
const failed = await bad.query({ query: gql`{ viewer { scopes } }`, errorPolicy: 'all' });
assert.ok(CombinedGraphQLErrors.is(failed.error), String(failed.error));
assert.equal(failed.error.errors[0].extensions.code, 'UNAUTHENTICATED');
ok('Apollo Client: an unknown key gets UNAUTHENTICATED');
