# Forge webhooks and Buildbot's poller hook: they make the autowatch pollers poll now.
import hashlib
import hmac
import json
import re

from buildbot.www.hooks.poller import PollingHandler

from .base import _log, _quote
from .pollers import poller_name


_URL_WITH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:]*)(?::[0-9]*)?(/.*)?$")
_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?([^/:]+):(.*)$")
# where GitHub, Gitea (repository) and GitLab (project, repository) put the repository's URLs
_PAYLOAD_URL_KEYS = ("clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url", "git_ssh_url",
                     "http_url", "web_url", "homepage")


def repository_key(url):
    """What identifies a repository across its spellings: host and path, lower-case, without
    scheme, user, port, trailing ``/`` or ``.git``. ``https://forge.example/org/web.git``,
    ``git@forge.example:org/web`` and ``ssh://git@forge.example:22/org/web/`` share one key.
    (Case folded: a false match only costs one poll.)"""
    text = url.strip()
    match = _URL_WITH_SCHEME.match(text) or _SCP_LIKE.match(text)
    host, path = (match.group(1), match.group(2) or "") if match else ("", text)
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[:-len(".git")].rstrip("/")
    return (host + "/" + path).lower()


def pollers_by_repository(state):
    """{repository key: [poller names]} for the state's pollers, by polled and original URL."""
    names = {}
    for poller in state.get("pollers", []):
        for url in {poller["url"], poller.get("original") or poller["url"]}:
            names.setdefault(repository_key(url), set()).add(poller_name(poller))
    return {key: sorted(value) for key, value in names.items()}


def payload_urls(payload):
    """The repository URLs of a GitHub, GitLab or Gitea event payload (push, pull or merge
    request, tag...): whatever the forge, they are under ``repository`` or ``project``."""
    urls = []
    for section in ("repository", "project"):
        entry = payload.get(section) if isinstance(payload, dict) else None
        if isinstance(entry, dict):
            urls.extend(entry[key] for key in _PAYLOAD_URL_KEYS if isinstance(entry.get(key), str) and entry[key])
    return urls


def pollers_for_payload(by_repository, payload):
    """The autowatch poller names to poll for one forge event payload."""
    names = set()
    for url in payload_urls(payload):
        names.update(by_repository.get(repository_key(url), ()))
    return sorted(names)


def _signed(secret, body, headers):
    """True when the request proves it knows ``secret``: GitHub's and Gitea's HMAC-SHA256 of the
    body, or GitLab's token header."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    github = headers.get("x-hub-signature-256") or ""
    gitea = headers.get("x-gitea-signature") or ""
    gitlab = headers.get("x-gitlab-token") or ""
    return (hmac.compare_digest(github, "sha256=" + digest) or hmac.compare_digest(gitea, digest)
            or hmac.compare_digest(gitlab, secret))


class _CurrentOptions:
    """Buildbot makes a change hook's handler at the hook's first request and keeps it, with
    the options of that time, across reconfigs (3.7 to 4.3): a poller added later would never
    be allowed, and a changed secret never read. These handlers read their options from the
    configuration in force at each request."""

    @property
    def options(self):
        www = getattr(getattr(self.master, "config", None), "www", None) or {}
        for options in (www.get("change_hook_dialects") or {}).values():
            if isinstance(options, dict) and getattr(options.get("custom_class"), "__name__", None) == type(self).__name__:
                return options
        return self._first_options

    @options.setter
    def options(self, value):
        self._first_options = value


class PushHook(_CurrentOptions):
    """Buildbot change hook dialect for forge webhooks: an event from GitHub, GitLab or Gitea
    makes the autowatch pollers of its repository poll now. It never makes a change itself, so
    the pollers stay the one source of changes, and a lost event only delays a build until the
    next regular poll. Built by ``change_hook_dialects``."""

    def __init__(self, master, options):
        self.master = master
        self.options = options

    def getChanges(self, request):
        options = self.options
        # read from the start: Twisted has already read a form-encoded body to parse its fields
        request.content.seek(0)
        body = request.content.read()
        headers = {name: request.getHeader(name.encode("ascii")) for name in
                   ("x-hub-signature-256", "x-gitea-signature", "x-gitlab-token", "content-type")}
        headers = {name: value.decode("latin-1") if isinstance(value, bytes) else value
                   for name, value in headers.items()}
        secret = options.get("secret")
        if secret and not _signed(secret, body, headers):
            raise ValueError("autowatch webhook: missing or wrong signature")
        try:
            if (headers["content-type"] or "").startswith("application/x-www-form-urlencoded"):
                # GitHub's form encoding: the JSON is the "payload" field
                from urllib.parse import parse_qs
                body = parse_qs(body.decode("utf-8")).get("payload", [""])[0]
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"autowatch webhook: the body is not a JSON payload ({error})") from None
        wanted = set(pollers_for_payload(options["pollers"], payload))
        forced = []
        for source in self.master.change_svc:
            if getattr(source, "name", None) in wanted:
                source.force()
                forced.append(source.name)
        urls = ", ".join(_quote(url) for url in payload_urls(payload)[:3]) or "no repository URL"
        _log(f"webhook for {urls}: polling {', '.join(forced) or 'nothing (no autowatch poller for it)'}")
        return [], None


class PollerHook(_CurrentOptions, PollingHandler):
    """Buildbot's ``poller`` change hook, with the allow-list of the configuration in force."""


def change_hook_dialects(state, secret=None):
    """Buildbot's ``c["www"]["change_hook_dialects"]`` for webhooks on the autowatch pollers:

    - ``/change_hook/autowatch``: the URL to give GitHub, GitLab and Gitea (JSON push events;
      ``secret``, if given, is the webhook secret, checked on every request);
    - ``/change_hook/poller?poller=autowatch:WORKDIR``: Buildbot's own ``poller`` hook, allowed
      for the autowatch pollers only (Buildbot reads its allow-list under a bytes key, which
      its documentation does not say: a ``"allowed"`` str key lets any poller through).

    Both read the dialects of the configuration in force, so a reconfig that adds pollers
    reaches them. Both only make pollers poll now: keep polling as the safety net (see the guide)."""
    names = sorted({poller_name(poller) for poller in state.get("pollers", [])})
    return {
        "poller": {"custom_class": PollerHook, b"allowed": [name.encode("utf-8") for name in names]},
        "autowatch": {"custom_class": PushHook, "pollers": pollers_by_repository(state), "secret": secret},
    }
