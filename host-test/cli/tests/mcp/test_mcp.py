"""`okta-connector mcp` through the official MCP Python SDK as its client, against the fake org.

Each test starts the server as an MCP client would (one command line over stdio) and checks
what the client sees against the component's catalog (`fixtures/golden/catalog.json`, which
the golden test holds equal to the built component's): the tools, their schemas and
annotations, results and typed errors, confirmations through elicitation, progress,
cancellation, and the device authorization end to end.

Both protocol generations are exercised: `legacy` opens the session with `initialize`
(2025-11-25, elicitation as a server request), `auto` discovers 2026-07-28 (elicitation as an
`input_required` result).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(os.environ.get("OKTA_REPO") or Path(__file__).resolve().parents[4])
CLI = os.environ.get("OKTA_CONNECTOR") or str(ROOT / "target/debug/okta-connector")
CATALOG = json.loads((ROOT / "fixtures/golden/catalog.json").read_text())
ACTIONS = {a["id"]: a for a in CATALOG["actions"]}
MODES = ["legacy", "auto"]
FAKE_DOMAIN = "https://fake-org.okta.com"
# The embedded fake org's API token (FakeOrg::TOKEN): it must never reach the client.
FAKE_TOKEN = "fake-org-token-0123456789"

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def tool_name(action: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", action)


def needs_confirmation(action: str) -> bool:
    """As MCP reads missing annotations: not read-only, destructive."""
    hints = ACTIONS[action].get("hints")
    return hints is None or (not hints["read_only"] and hints["destructive"])


def server(*args: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    return StdioServerParameters(command=CLI, args=["mcp", *args], env=env)


class Asker:
    """An elicitation callback that answers every confirmation the same way, and remembers them."""

    def __init__(self, action: str = "accept", confirm: bool = True):
        self.action = action
        self.confirm = confirm
        self.messages: list[str] = []
        self.schemas: list[dict] = []

    async def __call__(self, context, params):
        self.messages.append(params.message)
        self.schemas.append(params.requested_schema)
        if self.action == "accept":
            return types.ElicitResult(action="accept", content={"confirm": self.confirm})
        return types.ElicitResult(action=self.action)


def texts(result) -> list[str]:
    return [c.text for c in result.content if getattr(c, "text", None) is not None]


def error_of(result) -> dict:
    assert result.is_error, texts(result)
    return json.loads(texts(result)[-1])["error"]


def no_secret(result, *secrets: str):
    dump = json.dumps(result.model_dump(mode="json"))
    for s in secrets:
        assert s not in dump, f"a secret reached the client: {dump[:300]}"


async def call(client, asker, tool, arguments):
    """Calls a tool; checks that a confirmation was asked exactly when the catalog says so, and
    that no secret of the connection or of the arguments came back."""
    before = len(asker.messages) if asker else 0
    result = await client.call_tool(tool, arguments)
    asked = (len(asker.messages) - before) if asker else 0
    action = next(a for a in ACTIONS if tool_name(a) == tool)
    assert asked == (1 if needs_confirmation(action) and asker else 0), (tool, asked)
    no_secret(result, FAKE_TOKEN, *(v for k, v in arguments.items() if k == "password"))
    return result


# ---- the session --------------------------------------------------------------------------------


async def test_initialize_names_the_server_and_says_the_org_is_the_embedded_fake_one():
    async with Client(server(), mode="legacy") as c:
        assert c.protocol_version == "2025-11-25"
        assert c.server_info.name == "okta-connector"
        assert c.server_capabilities.tools is not None
        assert "EMBEDDED FAKE OKTA ORG" in c.instructions and FAKE_DOMAIN in c.instructions
        assert "confirm" in c.instructions


async def test_discovery_on_the_2026_protocol():
    async with Client(server(), mode="auto") as c:
        assert c.protocol_version == "2026-07-28"
        assert "EMBEDDED FAKE OKTA ORG" in c.instructions


async def test_a_real_org_is_named_in_the_instructions():
    conn = json.dumps({"api_token": {"domain": "acme.okta.com", "token": "00notUsedBecauseNothingIsCalled"}})
    async with Client(server("--connection", conn), mode="legacy") as c:
        assert "https://acme.okta.com" in c.instructions and "API token" in c.instructions
        assert "FAKE" not in c.instructions
        tools = (await c.list_tools()).tools
        assert all(t.annotations.open_world_hint is True for t in tools)


# ---- the tools ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_every_action_is_a_tool_as_the_catalog_describes_it(mode):
    async with Client(server(), mode=mode) as c:
        tools = (await c.list_tools()).tools
    assert [t.name for t in tools] == [tool_name(a) for a in ACTIONS]
    assert len(tools) == len(CATALOG["actions"]) >= 45
    for t in tools:
        a = next(a for a in CATALOG["actions"] if tool_name(a["id"]) == t.name)
        assert "." not in t.name
        assert t.title == a["label"] and t.annotations.title == a["label"]
        assert t.description.startswith(a["comment"]), t.name
        if a["details"]:
            assert a["details"] in t.description
        assert t.input_schema == a["input_schema"], t.name
        assert t.output_schema == (a["output_schema"] or None), t.name
        hints = a.get("hints")
        ann = t.annotations
        assert ann.open_world_hint is False, "the embedded fake org is a closed world"
        if hints is None:
            assert (ann.read_only_hint, ann.destructive_hint, ann.idempotent_hint) == (None, None, None), t.name
            assert "asks the user to confirm" in t.description
        else:
            assert ann.read_only_hint == hints["read_only"], t.name
            if not hints["read_only"]:
                assert ann.destructive_hint == hints["destructive"], t.name
                assert ann.idempotent_hint == hints["idempotent"], t.name
    # The catalog's hints, as a client sees them: reads are read-only and not confirmed, deletes
    # destructive and confirmed; only Raw Request, which can do anything, has no hints.
    by_name = {t.name: t for t in tools}
    assert [n for n in by_name if ACTIONS[next(a for a in ACTIONS if tool_name(a) == n)].get("hints") is None] == ["raw_request"]
    assert by_name["users_get"].annotations.read_only_hint is True
    assert "asks the user to confirm" not in by_name["users_get"].description
    assert (by_name["users_delete"].annotations.read_only_hint, by_name["users_delete"].annotations.destructive_hint) == (False, True)
    assert "asks the user to confirm" in by_name["users_delete"].description
    assert (by_name["users_create"].annotations.destructive_hint, by_name["users_create"].annotations.idempotent_hint) == (False, False)
    assert by_name["groups_add_user"].annotations.idempotent_hint is True
    assert "asks the user to confirm" in by_name["raw_request"].description
    # Lists with Fetch All say how the cap works; pages have a fixed shape.
    users_list = next(t for t in tools if t.name == "users_list")
    assert "after" in users_list.description
    assert users_list.output_schema["required"] == ["items", "next_cursor"]
    assert next(t for t in tools if t.name == "users_get").output_schema is None


async def test_read_only_lists_only_the_read_only_tools():
    read_only = [tool_name(a["id"]) for a in CATALOG["actions"] if (a.get("hints") or {}).get("read_only")]
    async with Client(server("--read-only"), mode="legacy") as c:
        assert "read-only" in c.instructions
        tools = (await c.list_tools()).tools
        assert [t.name for t in tools] == read_only
        assert len(read_only) == 17 and {"users_list", "users_get", "system_log_get"} <= set(read_only)
        assert not {"users_delete", "users_create", "raw_request"} & set(read_only)
        assert all(t.annotations.read_only_hint for t in tools)
        with pytest.raises(Exception, match="no tool named"):
            await c.call_tool("users_delete", {"id": "someone"})


SERVICE_APP = {
    "client_credentials": {
        "domain": FAKE_DOMAIN,
        "client_id": "0oafakesvc0000000001",
        "key_id": "fake-org-key",
        "private_key": {"file": str(ROOT / "fixtures/keys/rsa-pkcs8.pem")},
        "scopes": "okta.users.read okta.groups.read",
    }
}


@pytest.mark.parametrize("mode", MODES)
async def test_an_oauth_connection_lists_only_the_tools_of_its_granted_scopes(mode):
    granted = {"okta.users.read", "okta.groups.read"}
    expected = [
        tool_name(a["id"])
        for a in CATALOG["actions"]
        if a.get("scopes") is None or set(a["scopes"]) <= granted
    ]
    asker = Asker()
    args = ("--fake-org", "--connection", json.dumps(SERVICE_APP))
    async with Client(server(*args), mode=mode, elicitation_callback=asker) as c:
        assert "scopes were granted" in c.instructions
        tools = [t.name for t in (await c.list_tools()).tools]
        assert tools == expected
        assert {"users_list", "users_get", "groups_list", "groups_list_members", "raw_request"} <= set(tools)
        assert not {"users_delete", "users_create", "groups_update", "apps_list", "users_list_types"} & set(tools)
        with pytest.raises(Exception, match="no tool named"):
            await c.call_tool("apps_list", {})
        # The granted scopes work: a DPoP-bound token from the service app's key.
        page = await call(c, asker, "users_list", {"limit": 3})
        assert not page.is_error, texts(page)
        assert len(page.structured_content["items"]) == 3


# ---- calls --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_read_tools(mode):
    asker = Asker()
    async with Client(server(), mode=mode, elicitation_callback=asker) as c:
        users = await call(c, asker, "users_list", {"limit": 5})
        assert not users.is_error
        page = users.structured_content
        assert len(page["items"]) == 5 and page["next_cursor"]
        assert json.loads(texts(users)[0]) == page
        nxt = await call(c, asker, "users_list", {"limit": 5, "after": page["next_cursor"]})
        assert {u["id"] for u in nxt.structured_content["items"]}.isdisjoint({u["id"] for u in page["items"]})
        first = page["items"][0]
        got = await call(c, asker, "users_get", {"id": first["id"]})
        assert json.loads(texts(got)[0])["profile"]["login"] == first["profile"]["login"]
        assert got.structured_content is None, "Okta's objects have no fixed shape"
        groups = await call(c, asker, "groups_list", {"limit": 2})
        assert len(groups.structured_content["items"]) == 2
        apps = await call(c, asker, "apps_list", {})
        assert apps.structured_content["items"]
        types_ = await call(c, asker, "users_list_types", {})
        assert isinstance(json.loads(texts(types_)[0]), list)
        logs = await call(c, asker, "system_log_get", {"limit": 3})
        assert set(logs.structured_content) == {"items", "next_cursor", "capped"}


@pytest.mark.parametrize("mode", MODES)
async def test_a_users_lifecycle(mode):
    asker = Asker()
    login = f"mcp.lifecycle.{mode}@example.com"
    async with Client(server(), mode=mode, elicitation_callback=asker) as c:
        created = await call(c, asker, "users_create", {
            "first_name": "Ada", "last_name": "Lovelace", "email": login, "login": login, "activate": False,
            "password": "Analytical-Engine-1843",
        })
        user = json.loads(texts(created)[0])
        assert user["status"] == "STAGED" and user["profile"]["login"] == login
        uid = user["id"]
        active = await call(c, asker, "users_activate", {"id": uid, "send_email": False})
        assert not active.is_error, texts(active)
        got = await call(c, asker, "users_get", {"id": login})
        assert json.loads(texts(got)[0])["status"] == "ACTIVE"
        suspended = await call(c, asker, "users_suspend", {"id": uid})
        assert not suspended.is_error, texts(suspended)
        assert json.loads(texts(await call(c, asker, "users_get", {"id": uid}))[0])["status"] == "SUSPENDED"
        await call(c, asker, "users_unsuspend", {"id": uid})
        gone = await call(c, asker, "users_deactivate", {"id": uid})
        assert not gone.is_error, texts(gone)
        assert json.loads(texts(await call(c, asker, "users_get", {"id": uid}))[0])["status"] == "DEPROVISIONED"
        deleted = await call(c, asker, "users_delete", {"id": uid})
        assert not deleted.is_error and deleted.structured_content == {}
        missing = await call(c, asker, "users_get", {"id": uid})
        assert error_of(missing)["kind"] == "not-found"
    # What the user was asked: the action, the org and the object.
    delete_message = next(m for m in asker.messages if "users.delete" in m)
    assert "Delete User" in delete_message and FAKE_DOMAIN in delete_message and f"id = {uid}" in delete_message


async def test_every_tool_answers_with_a_result_never_a_protocol_error():
    """Each of the catalog's actions, called through its tool with no arguments: those that need
    none run against the embedded org; the others are refused with `invalid-input` naming a
    required field, as a tool result, before anything is sent."""
    asker = Asker()
    ran, refused = [], []
    async with Client(server(), mode="legacy", elicitation_callback=asker) as c:
        for a in CATALOG["actions"]:
            result = await call(c, asker, tool_name(a["id"]), {})
            required = a["input_schema"].get("required") or []
            if result.is_error:
                e = error_of(result)
                assert e["kind"] == "invalid-input", (a["id"], e)
                assert required and e["field"] in required, (a["id"], e)
                refused.append(a["id"])
            else:
                assert not required, a["id"]
                if a["output_schema"]:
                    assert result.structured_content is not None, a["id"]
                ran.append(a["id"])
    assert len(ran) + len(refused) == len(CATALOG["actions"])
    assert {"users.list", "groups.list", "apps.list", "system-log.get", "event-hooks.list"} <= set(ran)


# ---- every tool, with working arguments ---------------------------------------------------------

HOOK_SECRET = "hook-secret-value-for-mcp-tests"
OLD_PASSWORD = "Tangerine-0ld-Passw0rd"
NEW_PASSWORD = "Tangerine-N3w-Passw0rd"
EVERY_LOGIN = "mcp.every@example.com"


class HookReceiver:
    """An event-hook endpoint on loopback, in a thread: echoes the org's verification challenge
    and keeps each call's method, path and headers (names in lower case)."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                received.append(("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                body = json.dumps({"verification": self.headers.get("X-Okta-Verification-Challenge", "")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(("POST", self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Trace:
    """The requests the component sent, read back from the server's `--trace` (stderr): each
    exchange starts `#n METHOD URL`, then the request's headers and body, indented, then `=>`."""

    def __init__(self, errlog):
        self.errlog = errlog
        self.taken = 0

    def text(self) -> str:
        self.errlog.flush()
        self.errlog.seek(0)
        return self.errlog.read()

    def requests(self) -> list[dict]:
        found, request = [], None
        for line in self.text().splitlines():
            start = re.match(r"^#\d+ ([A-Z]+) (\S+)$", line)
            if start:
                url = urllib.parse.urlsplit(start[2])
                request = {"method": start[1], "path": url.path, "headers": {}, "body": None,
                           "query": dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))}
                found.append(request)
            elif request is None:
                continue
            elif line.startswith("=>"):
                request = None
            elif line.startswith(("  {", "  [")):
                request["body"] = json.loads(line[2:])
            elif line.startswith("  ") and ": " in line:
                name, value = line[2:].split(": ", 1)
                request["headers"][name.lower()] = value
        return found

    def new(self) -> list[dict]:
        """The requests sent since the last call."""
        found = self.requests()
        fresh, self.taken = found[self.taken:], len(found)
        return fresh


class Step:
    """One tool call: `args(s)` its arguments (`s` holds what earlier steps kept); `sends` the
    requests it must make, in order (method, path or `path(s)`, query parameters it must carry);
    `body(b, s)` a check of the first request's body; `check(data, s)` a check of the result;
    `keep` the name `s` keeps the result under. A `setup` step only prepares the org."""

    def __init__(self, tool, args, sends=(), body=None, check=None, keep=None, setup=False):
        self.tool, self.args, self.sends, self.body = tool, args, sends, body
        self.check, self.keep, self.setup = check, keep, setup


def items(data):
    return data["items"] if isinstance(data, dict) else data


def every_tool_steps(hook_url: str) -> list[Step]:
    def u(s):
        return s["user"]["id"]

    def g(s):
        return s["group"]["id"]

    def a(s):
        return s["app"]["id"]

    def h(s):
        return s["hook"]["id"]

    locked = 'status eq "LOCKED_OUT"'
    admin = 'profile.login eq "fake.admin@example.com"'
    created = 'eventType eq "user.lifecycle.create"'
    return [
        Step("users_list", lambda s: {"search": locked, "limit": 2},
             sends=[("GET", "/api/v1/users", {"search": locked, "limit": "2"})],
             check=lambda d, s: d["items"] and all(x["status"] == "LOCKED_OUT" for x in d["items"]),
             keep=("locked", lambda d: d["items"][0])),
        Step("users_unlock", lambda s: {"id": s["locked"]["id"]},
             sends=[("POST", lambda s: f"/api/v1/users/{s['locked']['id']}/lifecycle/unlock", {})]),
        Step("users_list_types", lambda s: {},
             sends=[("GET", "/api/v1/meta/types/user", {})],
             check=lambda d, s: d and all(isinstance(t["name"], str) for t in d)),
        Step("users_create", lambda s: {"login": EVERY_LOGIN, "email": EVERY_LOGIN, "first_name": "Every",
                                        "last_name": "Tool", "password": OLD_PASSWORD, "department": "Integrations",
                                        "profile_extra_attributes": {"costCenter": "42"}},
             sends=[("POST", "/api/v1/users", {"activate": "true", "provider": "false"})],
             body=lambda b, s: b["profile"]["login"] == EVERY_LOGIN and b["profile"]["costCenter"] == "42"
             and b["profile"]["locale"] == "en_US" and "password" in b["credentials"],
             check=lambda d, s: d["status"] == "ACTIVE", keep=("user", lambda d: d)),
        Step("users_get", lambda s: {"id": EVERY_LOGIN},
             sends=[("GET", f"/api/v1/users/{urllib.parse.quote(EVERY_LOGIN, safe='')}", {})],
             check=lambda d, s: d["id"] == u(s)),
        Step("users_update", lambda s: {"id": u(s), "department": "Platform"},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}", {})],
             body=lambda b, s: b["profile"] == {"department": "Platform"},
             check=lambda d, s: d["profile"]["department"] == "Platform" and d["profile"]["firstName"] == "Every"),
        Step("users_set_password",
             lambda s: {"user_id": u(s), "old_password": OLD_PASSWORD, "new_password": NEW_PASSWORD},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/credentials/change_password", {})],
             body=lambda b, s: b == {"oldPassword": {"value": "[redacted]"}, "newPassword": {"value": "[redacted]"},
                                     "revokeSessions": False}),
        Step("users_list_groups", lambda s: {"id": u(s)},
             sends=[("GET", lambda s: f"/api/v1/users/{u(s)}/groups", {})],
             check=lambda d, s: any(x["profile"]["name"] == "Everyone" for x in d)),
        Step("users_list_applications", lambda s: {"id": u(s)},
             sends=[("GET", lambda s: f"/api/v1/users/{u(s)}/appLinks", {})],
             check=lambda d, s: isinstance(d, list)),
        Step("groups_create", lambda s: {"name": "MCP Every Tool", "description": "Made by the every-tool test"},
             sends=[("POST", "/api/v1/groups", {})],
             body=lambda b, s: b["profile"]["name"] == "MCP Every Tool",
             keep=("group", lambda d: d)),
        Step("groups_get", lambda s: {"group_id": g(s)},
             sends=[("GET", lambda s: f"/api/v1/groups/{g(s)}", {})],
             check=lambda d, s: d["profile"]["name"] == "MCP Every Tool"),
        Step("groups_update", lambda s: {"group_id": g(s), "description": "Changed"},
             sends=[("GET", lambda s: f"/api/v1/groups/{g(s)}", {}), ("PUT", lambda s: f"/api/v1/groups/{g(s)}", {})],
             check=lambda d, s: d["profile"] == {"name": "MCP Every Tool", "description": "Changed"}),
        Step("groups_add_user", lambda s: {"group_id": g(s), "user_id": u(s)},
             sends=[("PUT", lambda s: f"/api/v1/groups/{g(s)}/users/{u(s)}", {})]),
        Step("groups_list_members", lambda s: {"group_id": g(s), "limit": 2},
             sends=[("GET", lambda s: f"/api/v1/groups/{g(s)}/users", {"limit": "2"})],
             check=lambda d, s: [x["id"] for x in d["items"]] == [u(s)]),
        Step("groups_remove_user", lambda s: {"group_id": g(s), "user_id": u(s)},
             sends=[("DELETE", lambda s: f"/api/v1/groups/{g(s)}/users/{u(s)}", {})]),
        Step("groups_list", lambda s: {"q": "MCP Every", "limit": 2},
             sends=[("GET", "/api/v1/groups", {"q": "MCP Every", "limit": "2"})],
             check=lambda d, s: [x["id"] for x in d["items"]] == [g(s)]),
        Step("groups_delete", lambda s: {"group_id": g(s)},
             sends=[("DELETE", lambda s: f"/api/v1/groups/{g(s)}", {})]),
        Step("apps_list", lambda s: {"filter": 'status eq "ACTIVE"', "limit": 2},
             sends=[("GET", "/api/v1/apps", {"filter": 'status eq "ACTIVE"', "limit": "2"})],
             check=lambda d, s: d["items"] and all(x["status"] == "ACTIVE" for x in d["items"]),
             keep=("app", lambda d: next((x for x in d["items"] if x["signOnMode"] == "BOOKMARK"), d["items"][0]))),
        Step("apps_get", lambda s: {"app_id": a(s)},
             sends=[("GET", lambda s: f"/api/v1/apps/{a(s)}", {})],
             check=lambda d, s: d["id"] == a(s)),
        Step("apps_assign_user", lambda s: {"app_id": a(s), "user_id": u(s), "scope": "USER"},
             sends=[("POST", lambda s: f"/api/v1/apps/{a(s)}/users", {})],
             body=lambda b, s: b["id"] == u(s) and b["scope"] == "USER",
             check=lambda d, s: d["id"] == u(s)),
        Step("apps_get_user_assignment", lambda s: {"app_id": a(s), "user_id": u(s)},
             sends=[("GET", lambda s: f"/api/v1/apps/{a(s)}/users/{u(s)}", {})],
             check=lambda d, s: d["id"] == u(s)),
        Step("apps_update_user_assignment",
             lambda s: {"app_id": a(s), "user_id": u(s), "profile": {"role": "Developer"}},
             sends=[("POST", lambda s: f"/api/v1/apps/{a(s)}/users/{u(s)}", {})],
             body=lambda b, s: b["profile"]["role"] == "Developer",
             check=lambda d, s: d["profile"]["role"] == "Developer"),
        Step("apps_remove_user_assignment", lambda s: {"app_id": a(s), "user_id": u(s)},
             sends=[("DELETE", lambda s: f"/api/v1/apps/{a(s)}/users/{u(s)}", {"sendEmail": "false"})]),
        Step("users_suspend", lambda s: {"id": u(s)},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/lifecycle/suspend", {})]),
        Step("users_unsuspend", lambda s: {"id": u(s)},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/lifecycle/unsuspend", {})]),
        Step("users_clear_sessions", lambda s: {"user_id": u(s)},
             sends=[("DELETE", lambda s: f"/api/v1/users/{u(s)}/sessions",
                     {"oauthTokens": "false", "forgetDevices": "false"})]),
        Step("users_reset_password", lambda s: {"id": u(s), "send_email": False},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/lifecycle/reset_password",
                     {"sendEmail": "false", "revokeSessions": "false"})],
             check=lambda d, s: isinstance(d["resetPasswordUrl"], str)),
        Step("users_reactivate", lambda s: {"id": u(s)},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/lifecycle/reactivate", {"sendEmail": "false"})]),
        Step("users_deactivate", lambda s: {"id": u(s)},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/lifecycle/deactivate", {"sendEmail": "false"})]),
        Step("users_activate", lambda s: {"id": u(s)},
             sends=[("POST", lambda s: f"/api/v1/users/{u(s)}/lifecycle/activate", {"sendEmail": "false"})],
             check=lambda d, s: isinstance(d["activationUrl"], str)),
        Step("users_delete", lambda s: {"id": u(s)},
             sends=[("DELETE", lambda s: f"/api/v1/users/{u(s)}", {"sendEmail": "false"})] * 2),
        Step("users_list", lambda s: {"search": admin}, setup=True, keep=("admin", lambda d: d["items"][0])),
        Step("users_list_factors", lambda s: {"user_id": s["admin"]["id"]},
             sends=[("GET", lambda s: f"/api/v1/users/{s['admin']['id']}/factors", {})],
             check=lambda d, s: len(d) > 0, keep=("factor", lambda d: d[0])),
        Step("users_unenroll_factor", lambda s: {"user_id": s["admin"]["id"], "factor_id": s["factor"]["id"]},
             sends=[("DELETE", lambda s: f"/api/v1/users/{s['admin']['id']}/factors/{s['factor']['id']}",
                     {"removeRecoveryEnrollment": "false"})]),
        Step("policies_list", lambda s: {"type": "OKTA_SIGN_ON", "limit": 2},
             sends=[("GET", "/api/v1/policies", {"type": "OKTA_SIGN_ON", "limit": "2"})],
             check=lambda d, s: d["items"] and all(p["type"] == "OKTA_SIGN_ON" for p in d["items"])),
        Step("realms_list", lambda s: {"limit": 2},
             sends=[("GET", "/api/v1/realms", {"limit": "2"})],
             check=lambda d, s: 0 < len(d["items"]) <= 2),
        Step("system_log_get", lambda s: {"filter": created, "limit": 2},
             sends=[("GET", "/api/v1/logs", {"filter": created, "limit": "2"})],
             check=lambda d, s: d["items"] and all(e["eventType"] == "user.lifecycle.create" for e in d["items"])),
        Step("event_hooks_create", lambda s: {"name": "MCP every tool", "url": f"{hook_url}/every",
                                              "items": ["user.lifecycle.create"], "auth_header_value": HOOK_SECRET,
                                              "description": "Made by the every-tool test"},
             sends=[("POST", "/api/v1/eventHooks", {}),
                    ("POST", re.compile(r"^/api/v1/eventHooks/[^/]+/lifecycle/verify$"), {})],
             body=lambda b, s: b["events"]["items"] == ["user.lifecycle.create"]
             and b["channel"]["config"]["uri"] == f"{hook_url}/every",
             check=lambda d, s: (d["status"], d["verificationStatus"]) == ("ACTIVE", "VERIFIED"),
             keep=("hook", lambda d: d)),
        Step("event_hooks_get", lambda s: {"event_hook_id": h(s)},
             sends=[("GET", lambda s: f"/api/v1/eventHooks/{h(s)}", {})],
             check=lambda d, s: d["name"] == "MCP every tool"),
        Step("event_hooks_list", lambda s: {},
             sends=[("GET", "/api/v1/eventHooks", {})],
             check=lambda d, s: any(x["id"] == h(s) for x in d)),
        Step("event_hooks_deactivate", lambda s: {"event_hook_id": h(s)},
             sends=[("POST", lambda s: f"/api/v1/eventHooks/{h(s)}/lifecycle/deactivate", {})],
             check=lambda d, s: d["status"] == "INACTIVE"),
        Step("event_hooks_activate", lambda s: {"event_hook_id": h(s)},
             sends=[("POST", lambda s: f"/api/v1/eventHooks/{h(s)}/lifecycle/activate", {})],
             check=lambda d, s: d["status"] == "ACTIVE"),
        Step("event_hooks_verify", lambda s: {"event_hook_id": h(s)},
             sends=[("POST", lambda s: f"/api/v1/eventHooks/{h(s)}/lifecycle/verify", {})],
             check=lambda d, s: d["verificationStatus"] == "VERIFIED"),
        Step("event_hooks_delete", lambda s: {"event_hook_id": h(s)},
             sends=[("GET", lambda s: f"/api/v1/eventHooks/{h(s)}", {}),
                    ("POST", lambda s: f"/api/v1/eventHooks/{h(s)}/lifecycle/deactivate", {}),
                    ("DELETE", lambda s: f"/api/v1/eventHooks/{h(s)}", {})]),
        Step("event_hooks_create", lambda s: {"name": "MCP delete all", "url": f"{hook_url}/all",
                                              "dynamic_items": '["user.lifecycle.delete.initiated"]',
                                              "do_not_activate": True},
             setup=True, check=lambda d, s: d["status"] == "INACTIVE", keep=("second", lambda d: d)),
        Step("event_hooks_delete_all", lambda s: {"url": f"{hook_url}/all"},
             sends=[("GET", "/api/v1/eventHooks", {}),
                    ("DELETE", lambda s: f"/api/v1/eventHooks/{s['second']['id']}", {})],
             check=lambda d, s: d["deleted"] == [s["second"]["id"]]),
        Step("raw_request", lambda s: {"url": "/users/me", "method": "GET"},
             sends=[("GET", "/api/v1/users/me", {})],
             check=lambda d, s: d["data"]["profile"]["login"] == "fake.admin@example.com"),
    ]


def data_of(tool: str, result):
    """The result as the action returned it: the structured content where the tool has an
    output schema, else the JSON text."""
    action = next(a for a in ACTIONS if tool_name(a) == tool)
    return result.structured_content if ACTIONS[action]["output_schema"] else json.loads(texts(result)[0])


def assert_sent(step: Step, s: dict, sent: list[dict]):
    what = f"{step.tool} sent {[(r['method'], r['path']) for r in sent]}"
    assert len(sent) == len(step.sends), what
    for request, (method, path, query) in zip(sent, step.sends):
        want = path(s) if callable(path) else path
        assert request["method"] == method, what
        assert want.match(request["path"]) if isinstance(want, re.Pattern) else request["path"] == want, what
        for k, v in query.items():
            assert request["query"].get(k) == v, f"{k}={v}: {what} {request['query']}"
        assert request["headers"].get("authorization") == "SSWS [redacted]", f"the API token on {what}"
    if step.body:
        assert step.body(sent[0]["body"], s), f"the body of {step.tool}: {sent[0]['body']}"


@pytest.mark.parametrize("mode", MODES)
async def test_every_tool_works_with_real_arguments(mode):
    """Every tool the server lists, called with working arguments against the embedded org, in
    an order its lifecycle rules allow: each result is not an error and is what the action
    promises, each call sent exactly the requests its action documents (read back from
    `--trace`), each destructive call was confirmed, and no secret came back or was traced. A
    tool without a step here fails the test."""
    secrets = [FAKE_TOKEN, HOOK_SECRET, OLD_PASSWORD, NEW_PASSWORD]
    receiver = HookReceiver()
    asker = Asker()
    called: set[str] = set()
    s: dict = {}
    try:
        with tempfile.TemporaryFile("w+") as errlog:
            trace = Trace(errlog)
            async with Client(stdio_client(server("--trace"), errlog=errlog), mode=mode,
                              elicitation_callback=asker) as c:
                listed = {t.name for t in (await c.list_tools()).tools}
                for step in every_tool_steps(receiver.url):
                    args = step.args(s)
                    asked = len(asker.messages)
                    result = await call(c, asker, step.tool, args)
                    no_secret(result, *secrets)
                    assert not result.is_error, (step.tool, texts(result))
                    data = data_of(step.tool, result)
                    sent = trace.new()
                    if not step.setup:
                        assert_sent(step, s, sent)
                        called.add(step.tool)
                    for message in asker.messages[asked:]:
                        action = next(a for a in ACTIONS if tool_name(a) == step.tool)
                        assert f"({action})" in message, message
                        assert all(f"{k} = {v}" in message for k, v in args.items() if k.endswith("id")), message
                    if step.check:
                        assert step.check(data, s), f"{step.tool}: {json.dumps(data)[:500]}"
                    if step.keep:
                        s[step.keep[0]] = step.keep[1](data)
            traced = trace.text()
    finally:
        receiver.close()
    assert called == listed, f"tools without a step: {sorted(listed - called)}"
    assert len(called) == len(CATALOG["actions"])
    confirmed = sorted({re.search(r"\(([a-z.-]+)\) on ", m)[1] for m in asker.messages})
    assert confirmed == sorted(a for a in ACTIONS if needs_confirmation(a)), confirmed
    for secret in secrets:
        assert secret not in traced, "a secret was traced"
    # The org really called the hook's endpoint, with the hook's secret: twice to verify it
    # (on create and on verify), for the first hook only.
    verifications = [(p, hdrs) for m, p, hdrs in receiver.received if m == "GET"]
    assert [p for p, _ in verifications] == ["/every", "/every"], receiver.received
    assert all(hdrs.get("authorization") == HOOK_SECRET for _, hdrs in verifications), "the hook's secret sent"


# ---- confirmations ------------------------------------------------------------------------------


async def staged_user(c, asker, login):
    created = await c.call_tool("users_create", {"login": login, "email": login, "first_name": "D",
                                                 "last_name": "E", "activate": False})
    return json.loads(texts(created)[0])["id"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_destructive_call_declined_does_nothing_and_accepted_runs(mode):
    asker = Asker()
    async with Client(server(), mode=mode, elicitation_callback=asker) as c:
        uid = await staged_user(c, asker, f"mcp.confirm.{mode}@example.com")
        for answer in (Asker("decline"), Asker("cancel"), Asker("accept", confirm=False)):
            asker.action, asker.confirm = answer.action, answer.confirm
            declined = await c.call_tool("users_delete", {"id": uid})
            e = error_of(declined)
            assert e["kind"] == "declined" and "nothing changed" in e["message"], e
            asker.action, asker.confirm = "accept", True
            still = await c.call_tool("users_get", {"id": uid})
            assert not still.is_error, f"{answer.action}: the user must still exist"
        deleted = await c.call_tool("users_delete", {"id": uid})
        assert not deleted.is_error, texts(deleted)
        assert error_of(await c.call_tool("users_get", {"id": uid}))["kind"] == "not-found"
    asked = [m for m in asker.messages if "(users.delete)" in m]
    assert len(asked) == 4 and all(f"id = {uid}" in m for m in asked)
    schema = asker.schemas[-1]
    assert schema["required"] == ["confirm"] and schema["properties"]["confirm"]["type"] == "boolean"


@pytest.mark.parametrize("mode", MODES)
async def test_a_destructive_call_is_refused_without_elicitation_unless_allowed(mode):
    async with Client(server(), mode=mode) as c:  # no elicitation callback: cannot ask
        refused = await c.call_tool("groups_delete", {"group_id": "00gnotthere"})
        e = error_of(refused)
        assert e["kind"] == "confirmation-required" and "--allow-destructive" in e["message"]
    async with Client(server("--allow-destructive"), mode=mode) as c:
        assert "--allow-destructive" in c.instructions
        ran = await c.call_tool("groups_delete", {"group_id": "00gnotthere"})
        assert error_of(ran)["kind"] == "not-found", "it ran: Okta answered"


async def test_a_confirmation_is_bound_to_its_call():
    """On 2026-07-28 the answer comes back with a requestState: it cannot confirm another call."""
    asker = Asker()
    async with Client(server(), mode="auto", elicitation_callback=asker) as c:
        uid = await staged_user(c, asker, "mcp.bound@example.com")
        first = await c.session.call_tool("users_delete", {"id": uid}, allow_input_required=True)
        assert isinstance(first, types.InputRequiredResult), first
        state = first.request_state
        yes = {"confirm": types.ElicitResult(action="accept", content={"confirm": True})}
        with pytest.raises(Exception, match="requestState"):
            await c.session.call_tool("users_delete", {"id": "00uSomeoneElse"}, input_responses=yes,
                                      request_state=state, allow_input_required=True)
        # The state was spent by the mismatch: even the right call must ask again.
        with pytest.raises(Exception, match="requestState"):
            await c.session.call_tool("users_delete", {"id": uid}, input_responses=yes, request_state=state,
                                      allow_input_required=True)
        assert not (await c.call_tool("users_get", {"id": uid})).is_error


# ---- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_failures_are_error_results_with_the_typed_error(mode):
    asker = Asker()
    async with Client(server(), mode=mode, elicitation_callback=asker) as c:
        missing = await call(c, asker, "users_get", {"id": "nobody@example.com"})
        e = error_of(missing)
        assert e["kind"] == "not-found" and e["status"] == 404 and e["error_code"] == "E0000007"
        assert "nobody@example.com" in e["summary"]
        assert e["what_to_do"] == next(k["comment"] for k in CATALOG["errors"] if k["kind"] == "not-found")
        assert texts(missing)[0].startswith("not-found (E0000007): ")
        bad = await call(c, asker, "users_list", {"limit": 100000})
        e = error_of(bad)
        assert e["kind"] == "invalid-input" and e["field"] == "limit"
        unknown = await call(c, asker, "users_list", {"bogus": 1})
        assert error_of(unknown)["kind"] == "invalid-input"
    secret = "00wrongTokenThatMustNeverBeShown0123456789"
    conn = json.dumps({"api_token": {"domain": FAKE_DOMAIN, "token": secret}})
    async with Client(server("--fake-org", "--connection", conn), mode=mode, elicitation_callback=asker) as c:
        refused = await c.call_tool("users_list", {"limit": 1})
        assert error_of(refused)["kind"] == "unauthorized"
        no_secret(refused, secret)


# ---- long listings ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_long_listing_reports_progress(mode):
    asker = Asker()
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(p, total, message):
        seen.append((p, total, message))

    async with Client(server(), mode=mode, elicitation_callback=asker) as c:
        everyone = await c.call_tool("users_list", {"limit": 25, "fetch_all": True}, progress_callback=progress)
        assert not everyone.is_error, texts(everyone)
        count = len(everyone.structured_content["items"])
        assert everyone.structured_content["next_cursor"] is None
    pages = -(-count // 25)
    assert count > 200 and len(seen) >= pages, (count, len(seen))
    values = [p for p, _, _ in seen]
    assert values == sorted(set(values)), "progress only grows"
    assert seen[-1][2] == f"users_list: {len(seen)} page(s), {count} item(s)"


@pytest.mark.parametrize("mode", MODES)
async def test_fetch_all_stops_at_the_cap_with_a_cursor_to_continue(mode):
    asker = Asker()
    async with Client(server("--max-result-bytes", "40000"), mode=mode, elicitation_callback=asker) as c:
        ids: list[str] = []
        args = {"limit": 20, "fetch_all": True}
        for _ in range(100):
            r = await c.call_tool("users_list", args)
            assert not r.is_error, texts(r)
            page = r.structured_content
            ids += [u["id"] for u in page["items"]]
            assert len(json.dumps(page["items"])) <= 40000 + 2000
            if page["next_cursor"] is None:
                break
            note = texts(r)[-1]
            assert "Stopped after" in note and f'"after": "{page["next_cursor"]}"' in note
            args = {"limit": 20, "fetch_all": True, "after": page["next_cursor"]}
        everyone, after = [], None
        while True:
            r = await c.call_tool("users_list", {"limit": 200, **({"after": after} if after else {})})
            everyone += [u["id"] for u in r.structured_content["items"]]
            after = r.structured_content["next_cursor"]
            if after is None:
                break
    assert len(ids) == len(set(ids)), "nothing repeated"
    assert sorted(ids) == sorted(everyone), "nothing lost"


async def test_cancellation_stops_the_listing():
    asker = Asker()
    with tempfile.TemporaryFile("w+") as errlog:
        params = server("--trace")
        async with Client(stdio_client(params, errlog=errlog), elicitation_callback=asker) as c:
            started = anyio.Event()

            async def progress(p, total, message):
                started.set()

            async def listing():
                await c.call_tool("users_list", {"limit": 1, "fetch_all": True}, progress_callback=progress)

            async with anyio.create_task_group() as tg:
                tg.start_soon(listing)
                with anyio.fail_after(60):
                    await started.wait()
                tg.cancel_scope.cancel()
            await anyio.sleep(1.0)
            errlog.flush()
            errlog.seek(0)
            after_cancel = errlog.read().count("GET /api/v1/users")
            await anyio.sleep(2.0)
            errlog.seek(0)
            later = errlog.read().count("GET /api/v1/users")
            assert later == after_cancel, "no request after the cancellation"
            assert after_cancel < 200, f"the listing went on: {after_cancel} pages"
            # The session goes on, with a new instance.
            r = await c.call_tool("users_list", {"limit": 2})
            assert not r.is_error and len(r.structured_content["items"]) == 2


# ---- the device authorization -------------------------------------------------------------------


class ServedOrg:
    """`okta-connector fake-org` in another process, on loopback."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([CLI, "fake-org", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C"):
                break
        url = next((l for l in self.lines if l.startswith("Fake Okta org at ")), None)
        assert url, f"the fake org did not start: {self.lines}"
        self.url = url.split()[4]

    def line(self, prefix: str) -> str:
        return next(l[len(prefix):] for l in self.lines if l.startswith(prefix))

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def activate(org_url: str, user_code: str, decision: str) -> int:
    """The user, on another device: enters the code at the org's /activate page and decides."""
    import urllib.request

    body = urllib.parse.urlencode({"user_code": user_code, "decision": decision}).encode()
    request = urllib.request.Request(f"{org_url}/activate", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status


def authorize_device(org: ServedOrg, save: Path, decision: str):
    native = org.line("OAuth native app (device): ").split(",")[0]
    conn = {"oauth_device": {"domain": org.url, "client_id": native,
                             "scopes": ["okta.users.read", "okta.groups.read", "offline_access"]}}
    proc = subprocess.Popen([CLI, "authorize", "--device", "--connection", json.dumps(conn), "--save", str(save)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    shown = ""
    deadline = time.monotonic() + 30
    while "enter the code" not in shown and time.monotonic() < deadline:
        shown += proc.stderr.readline()
    code_line = proc.stderr.readline() + proc.stderr.readline()
    user_code = code_line.split()[0]
    assert f"open {org.url}/activate" in shown, shown
    assert activate(org.url, user_code, decision) == 200
    out, err = proc.communicate(timeout=60)
    return proc.returncode, shown + code_line + err


async def test_a_rate_limit_wait_is_reported_and_nothing_is_lost():
    """A served org with a small bucket: the listing waits for each reset, says so as progress,
    and returns every user once."""
    org = ServedOrg("--users", "150", "--rate-limit", "2", "--rate-window", "2")
    seen: list[str] = []

    async def progress(p, total, message):
        seen.append(message)

    try:
        token = org.line("API token: ")
        conn = json.dumps({"api_token": {"domain": org.url, "token": token}})
        async with Client(server("--connection", conn), mode="legacy") as c:
            r = await c.call_tool("users_list", {"limit": 100, "fetch_all": True}, progress_callback=progress)
            assert not r.is_error, texts(r)
            ids = [u["id"] for u in r.structured_content["items"]]
            no_secret(r, token)
    finally:
        org.close()
    assert len(ids) == len(set(ids)) > 150, len(ids)
    waits = [m for m in seen if "rate limit reached, waiting about" in m]
    assert waits and all(m.startswith("users_list: ") for m in waits), seen


async def test_the_device_authorization_end_to_end():
    # Access tokens live a second: each session's first call refreshes, and the refresh token
    # rotates.
    org = ServedOrg("--device-interval", "1", "--token-lifetime", "1")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            saved = Path(tmp) / "okta.json"
            status, shown = authorize_device(org, saved, "deny")
            assert status == 1 and "declined" in shown and not saved.exists()

            status, shown = authorize_device(org, saved, "allow")
            assert status == 0, shown
            assert oct(saved.stat().st_mode & 0o777) == "0o600"
            connection = json.loads(saved.read_text())["oauth_device"]
            assert connection["access_token"] and connection["refresh_token"]
            assert connection["access_token"] not in shown and connection["refresh_token"] not in shown
            time.sleep(1.5)

            # The saved connection, as an MCP client would be configured with it.
            granted = {"okta.users.read", "okta.groups.read"}
            seen = [connection]
            for session in range(2):
                asker = Asker()
                async with Client(server("--connection", f"@{saved}"), mode="legacy", elicitation_callback=asker) as c:
                    assert org.url in c.instructions and "device authorization" in c.instructions
                    tools = [t.name for t in (await c.list_tools()).tools]
                    assert tools == [tool_name(a["id"]) for a in CATALOG["actions"]
                                     if a.get("scopes") is None or set(a["scopes"]) <= granted]
                    page = await call(c, asker, "users_list", {"limit": 2})
                    assert not page.is_error, (session, texts(page))
                    for earlier in seen:
                        no_secret(page, earlier["access_token"], earlier["refresh_token"])
                # The rotated tokens were written back to the file, the rest as it was.
                rotated = json.loads(saved.read_text())["oauth_device"]
                assert rotated["refresh_token"] not in {s["refresh_token"] for s in seen}, session
                assert {k: v for k, v in rotated.items() if not k.endswith("_token")} == \
                       {k: v for k, v in connection.items() if not k.endswith("_token")}
                assert oct(saved.stat().st_mode & 0o777) == "0o600"
                seen.append(rotated)
                time.sleep(1.5)
    finally:
        org.close()
