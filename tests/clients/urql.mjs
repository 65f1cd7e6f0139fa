// urql (@urql/core) with its default exchanges: a query with variables, the cache, and
// the GraphQL-over-HTTP media type it asks for first.
import assert from 'node:assert/strict';
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';
import { KEY, URL, lastMonth, ok } from './env.mjs';

let requests = 0;
const client = new Client({
  url: URL,
  fetch: (...args) => {
    requests += 1;
    return fetch(...args);
  },
  exchanges: [cacheExchange, fetchExchange],
  fetchOptions: { headers: { Authorization: `Bearer ${KEY}` } },
});
const query = gql`
  query Insights($from: Date!, $to: Date!) {
    insights(range: { from: $from, to: $to }) { media { downloads { current previous } uploads { current } } }
    dashboard(window: LAST_30_DAYS) { mostActiveUsers(first: 3) { totalCount edges { actions sharePercent node { userId } } } }
  }`;
const month = lastMonth();
const [y, m] = month.split('-').map(Number);
const to = `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
const result = await client.query(query, { from: `${month}-01`, to }).toPromise();
assert.equal(result.error, undefined, String(result.error));
assert.ok(result.data.insights.media.downloads.current > 0);
const users = result.data.dashboard.mostActiveUsers;
assert.equal(users.edges.length, 3);
assert.ok(users.totalCount >= 3);
ok(`urql: insights of ${month} (${result.data.insights.media.downloads.current} downloads) and the dashboard's most active users`);
const again = await client.query(query, { from: `${month}-01`, to }).toPromise();
assert.deepEqual(again.data, result.data);
assert.equal(requests, 1, 'the second answer came from the cache');
ok('urql: the same query again, from its cache (one request in all)');
