"""The OpenAPI document: valid 3.1 structure, every operation with an example and problem
responses, every returned field documented; the docs page runs under our CSP."""

from __future__ import annotations

import json
import re

from django.test import Client

from kluis.access.actor import Actor
from kluis.approvals.services import submit
from kluis.tenancy.models import Tenant
from tests.api_client import PROBLEM_JSON
from tests.offboarding.support import an_offboarding
from tests.timeoff.api.data import calendar_rows

SCHEMA_URL = "/api/v1/schema/?format=json"


def schema() -> dict:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node or "allOf" in node or "oneOf" in node:
        if "$ref" not in node:
            node = (node.get("allOf") or node["oneOf"])[0]
            continue
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_schema_is_an_openapi_3_1_document(db):
    document = schema()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Kluis API"
    assert set(document["paths"]) >= {"/api/v1/employees/", "/api/v1/employees/{id}/"}
    for _path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["operationId"]
            assert operation["responses"]
    scheme = document["components"]["securitySchemes"]["ApiKey"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [
                {"ApiKey": []},
                {"AppToken": []},
                {"OAuth2": []},
                {"ClientBasic": []},
            ]
    schemes = document["components"]["securitySchemes"]
    assert schemes["ClientBasic"] == {**schemes["ClientBasic"], "type": "http", "scheme": "basic"}
    app = schemes["AppToken"]
    assert app == {**app, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    flows = schemes["OAuth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token"
    assert "employees:read" in flows["clientCredentials"]["scopes"]


def test_every_reference_resolves(db):
    document = schema()
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(document["components"]["schemas"])


def test_every_operation_has_an_example_and_problem_responses(db):
    document = schema()
    for _path, operations in document["paths"].items():
        for method, operation in operations.items():
            text = json.dumps(operation)
            assert '"examples"' in text, (method, _path)
            errors = [code for code in operation["responses"] if code.startswith(("4", "5"))]
            assert errors, (method, _path)
            for code in errors:
                assert PROBLEM_JSON in operation["responses"][code]["content"]


def test_every_field_the_employees_endpoint_returns_is_documented(api):
    document = schema()
    employee = document["components"]["schemas"]["Employee"]
    returned = json.loads(api().get("/api/v1/employees/").content)["results"][0]
    assert set(returned) == set(employee["properties"])
    wage = resolve(document, employee["properties"]["wage"])
    assert set(wage["properties"]) >= {"amount", "currency", "period", "effective_from"}
    address = resolve(document, employee["properties"]["address"])
    assert set(address["properties"]) == set(returned["address"])


def test_schema_documents_the_list_parameters(db):
    operation = schema()["paths"]["/api/v1/employees/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names >= {"cursor", "page_size", "ordering", "fields", "status", "team", "updated_since"}


def test_docs_page_is_served_by_us_with_no_inline_script(db):
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert not body.strip()
        src = re.search(r'src="([^"]+)"', attributes).group(1)
        assert src.startswith("/"), src  # our own server, no CDN
        assert f'nonce="{nonce}"' in attributes
    script_url = re.findall(r'src="([^"]+)"', html)[-1].replace("&amp;", "&")
    init = Client().get(script_url)
    assert init.status_code == 200 and b"SwaggerUIBundle" in init.content
    bundle = re.findall(r'src="([^"]+)"', html)[0]
    assert bundle.startswith("/static/")


def test_schema_validates_against_the_openapi_meta_schema(db):
    from drf_spectacular.validation import validate_schema

    validate_schema(schema())  # raises on any structural error


def test_every_field_every_resource_returns_is_documented(api):
    """With every scope, each list's rows carry exactly the documented fields: a field
    added to a response but not to the schema fails here."""
    document = schema()
    client = api()
    calendar_rows(Tenant.objects.get(slug="demo-bv"))  # the demo has leave types only
    an_offboarding(Tenant.objects.get(slug="demo-bv"))  # the demo has none
    demo_bv = Tenant.objects.get(slug="demo-bv")  # a request held for a second approver
    submit(Actor.system("schema", demo_bv), "approvals.policy", tenant=demo_bv, payload={})
    employee = json.loads(client.get("/api/v1/employees/?page_size=1").content)["results"][0]
    component = {"employee": employee["id"], "kind": "meal_vouchers", "amount": "8.00"}
    added = client.post("/api/v1/wage-components/", {**component, "start_date": "2026-01-01"})
    assert added.status_code == 201, added.content  # the demo has none
    hook = {"url": "https://93.184.215.14/hook", "event_types": ["*"]}  # a client sees its own
    assert client.post("/api/v1/webhooks/", hook).status_code == 201
    checked = 0
    for path, operations in document["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        rows = json.loads(response.content)["results"]
        assert rows, f"the demo data has no rows for {path}"
        page = resolve(
            document, operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        )
        item = resolve(document, page["properties"]["results"]["items"])
        for row in rows:
            assert set(row) == set(item["properties"]), path
        checked += 1
    assert checked >= 10


def test_every_example_is_valid_against_its_own_schema(db):
    """An integrator copies the examples: each one (request bodies, pages, single objects,
    problems) must be what its schema describes, pagination links included."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    document = schema()
    registry = Registry().with_resource("urn:kluis:api", Resource.opaque(document))
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(code, r) for code, r in operation.get("responses", {}).items()]
            for where, body in bodies:
                for media in body.get("content", {}).values():
                    node = json.loads(
                        json.dumps(media["schema"]).replace('"#/', '"urn:kluis:api#/')
                    )
                    validator = Draft202012Validator(
                        node, registry=registry, format_checker=FormatChecker()
                    )
                    for name, example in media.get("examples", {}).items():
                        problems = [e.message for e in validator.iter_errors(example["value"])]
                        assert not problems, (method, path, where, name, problems[:3])
                        checked += 1
    assert checked >= 55
    page = document["paths"]["/api/v1/teams/"]["get"]["responses"]["200"]["content"]
    value = next(iter(page["application/json"]["examples"].values()))["value"]
    assert value["next"].startswith("https://kluis.example.com/api/v1/teams/?cursor=")
    assert isinstance(value["results"][0], dict)


def test_if_match_is_documented_as_naming_a_tag_as_the_api_checks_it(api):
    """A header of only commas and spaces names no entity tag: the API answers 400, so
    the document says what a valid one holds (schemathesis's stateful phase found one)."""
    document = schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "If-Match":
                    pattern = parameter["schema"]["pattern"]
                    assert not re.search(pattern, " , "), (path, method)
                    assert re.search(pattern, 'W/"2-9f86d081884c7d65"'), (path, method)
    worker = json.loads(api().get("/api/v1/employees/?page_size=1").content)["results"][0]
    response = api(["employees:read", "employees:write"]).patch(
        f"/api/v1/employees/{worker['id']}/",
        {"work_phone": "+32470000000"},
        headers={"If-Match": " , "},
    )
    assert response.status_code == 400
