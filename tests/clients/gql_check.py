"""Python gql: fetches the schema with its own introspection query, validates a query
against it locally, runs it, and refuses a bad field before sending it."""
import os

from gql import Client, gql
from gql.transport.requests import RequestsHTTPTransport
from graphql import GraphQLError

url, key = os.environ["DAM_URL"], os.environ["DAM_KEY"]
transport = RequestsHTTPTransport(url=url, headers={"Authorization": f"Bearer {key}"}, retries=0)
client = Client(transport=transport, fetch_schema_from_transport=True)
with client as session:
    result = session.execute(gql("{ viewer { environment { name timeZone } scopes } metrics { name unit } }"))
    assert result["viewer"]["environment"]["name"] == "demo", result
    assert len(result["metrics"]) > 10, result
    print(f"ok: Python gql: schema fetched ({len(client.schema.type_map)} types), viewer and {len(result['metrics'])} metrics")
    try:
        session.execute(gql("{ viewer { nonsense } }"))
    except GraphQLError as err:
        assert "nonsense" in str(err), err
        print("ok: Python gql: a bad field is refused against the fetched schema")
    else:
        raise AssertionError("a bad field was not refused")
