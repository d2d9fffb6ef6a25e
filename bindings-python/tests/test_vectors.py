"""Every shared conformance vector (tests/vectors/*.json), run through the
public ``Client`` and ``AsyncClient`` with a recording transport."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
from typing import Any, Dict, List

import pytest

import mapsindoors_auth as mia

from conftest import REPO

VECTORS = pathlib.Path(os.environ.get("MIA_VECTORS_DIR", str(REPO / "tests" / "vectors")))


def load_cases() -> List[Dict[str, Any]]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            cases.append(case)
    return cases


CASES = load_cases()

DEFAULT_BODIES = {
    "token": '{"access_token":"tok-default","token_type":"Bearer","expires_in":3600}',
    "list": "[]",
    "create": '{"id":"x","description":null,"createdAt":"2024-05-27T14:26:36.9981013Z","secret":"s"}',
    "delete": "",
}


def response_for(case: Dict[str, Any]) -> mia.Response:
    spec = case.get("response")
    if spec is None:
        ctype = [] if case["operation"] == "delete" else [("Content-Type", "application/json")]
        return mia.Response(200, ctype, DEFAULT_BODIES[case["operation"]].encode())
    if "body_repeat" in spec:
        body = spec["body_repeat"]["text"] * spec["body_repeat"]["times"]
    else:
        body = spec.get("body", "")
    return mia.Response(spec["status"], [tuple(h) for h in spec.get("headers", [])], body.encode())


class Recorder:
    def __init__(self, case: Dict[str, Any]) -> None:
        self.case = case
        self.requests: List[mia.Request] = []

    def __call__(self, request: mia.Request) -> mia.Response:
        self.requests.append(request)
        if self.case["operation"] != "token" and request.url.endswith("/connect/token"):
            body = json.dumps({"access_token": self.case["access_token"], "token_type": "Bearer", "expires_in": 3600})
            return mia.Response(200, [("Content-Type", "application/json")], body.encode())
        return response_for(self.case)


def client_kwargs(case: Dict[str, Any], transport: Any) -> Dict[str, Any]:
    creds = case["credentials"]
    kw: Dict[str, Any] = {"auth_url": case["base_url"], "transport": transport, "retries": 0}
    if case.get("customer_id") is not None:
        kw["customer_id"] = case["customer_id"]
    if creds["grant"] == "client_credentials":
        kw.update(client_id=creds["client_id"], client_secret=creds["client_secret"])
    else:
        kw.update(username=creds["username"], password=creds["password"])
        if "client_id" in creds:
            kw["client_id"] = creds["client_id"]
    return kw


def as_plain(operation: str, value: Any) -> Any:
    if operation == "token":
        return {"access_token": value.access_token, "token_type": value.token_type, "expires_in": value.expires_in, "scope": value.scope}
    if operation == "list":
        return [
            {"id": s.id, "description": s.description, "client_id": s.client_id, "created_at_ms": s.created_at_ms}
            for s in value
        ]
    if operation == "create":
        return {"id": value.id, "description": value.description, "created_at_ms": value.created_at_ms, "secret": value.secret}
    return value


def create_args(args: Dict[str, Any]) -> Dict[str, Any]:
    """The create call's keywords: a description and the client, when the vector names them."""
    kw: Dict[str, Any] = {}
    if "description" in args:
        kw["description"] = args["description"]
    if args.get("client_id") is not None:
        kw["client_id"] = args.get("client_id")
    return kw


def call_sync(case: Dict[str, Any], transport: Any) -> Any:
    client = mia.Client(**client_kwargs(case, transport))
    op, args = case["operation"], case.get("args", {})
    if op == "token":
        return client.token()
    if op == "list":
        return client.list_secrets()
    if op == "create":
        return client.create_secret(**create_args(args))
    return client.delete_secret(args["id"])


async def call_async(case: Dict[str, Any], transport: Any) -> Any:
    async def send(request: mia.Request) -> mia.Response:
        return transport(request)

    async with mia.AsyncClient(**client_kwargs(case, send)) as client:
        op, args = case["operation"], case.get("args", {})
        if op == "token":
            return await client.token()
        if op == "list":
            return await client.list_secrets()
        if op == "create":
            return await client.create_secret(**create_args(args))
        return await client.delete_secret(args["id"])


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case: Dict[str, Any], mode: str) -> None:
    recorder = Recorder(case)
    result: Any = None
    error: Any = None
    try:
        result = call_sync(case, recorder) if mode == "sync" else asyncio.run(call_async(case, recorder))
    except mia.MapsIndoorsAuthError as e:
        error = e

    expected_request = case.get("request")
    if expected_request is not None:
        if case["operation"] == "token":
            sent = recorder.requests[0]
        else:
            sent = next(r for r in recorder.requests if not r.url.endswith("/connect/token"))
        assert sent.method == expected_request["method"]
        assert sent.url == expected_request["url"]
        assert [list(h) for h in sent.headers] == expected_request["headers"]
        assert sent.body.decode() == expected_request["body"]

    expect = case.get("expect", {})
    if "ok" in expect:
        assert error is None, f"unexpected {error!r}"
        assert as_plain(case["operation"], result) == expect["ok"]
    if "error" in expect:
        assert error is not None, f"expected an error, got {result!r}"
        want = expect["error"]
        assert error.kind == want["kind"]
        assert type(error).kind == want["kind"], type(error)
        if "status" in want:
            assert error.status == want["status"]
        if "oauth_code" in want:
            assert error.oauth_error == want["oauth_code"]
        if "retry_after_secs" in want:
            if want["retry_after_secs"] is None:
                assert error.retry_after is None or error.retry_after_at is not None
            else:
                assert error.retry_after == want["retry_after_secs"] and error.retry_after_at is None
        if "retry_after_at" in want:
            assert error.retry_after_at == want["retry_after_at"]
        if want["kind"] == "invalid_input":
            assert recorder.requests == [], "refused only after sending"
    for secret in case.get("must_not_contain", []):
        for text in (str(error), repr(error), repr(result)):
            assert secret not in text
