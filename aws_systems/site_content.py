"""What a static site serves and how, without Pulumi: content types, cache headers, the files to upload and the
Content-Security-Policy. The component (``static_site.py``) and the local runtime's site server use the same rules."""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

CSP_MAX_LENGTH = 1783  # CloudFront's limit for the Content-Security-Policy header value
CONNECT_SCHEMES = ("https", "wss")
_HOST_PORT = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")

SITE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SITE_FRAME_OPTION = "DENY"
# The app uses none of these browser features, so no page of the site (nor anything it embeds) may: a script that
# slips in cannot turn on the camera or read the location.
SITE_PERMISSIONS_FEATURES = (
    "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
)  # fmt: skip
SITE_PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in SITE_PERMISSIONS_FEATURES)
"""The ``Permissions-Policy`` header. ``X-XSS-Protection`` is not sent: browsers dropped the filter it drove, and the
CSP is what stops injected scripts."""
# No 'unsafe-inline': the app must ship its scripts and styles as files.
SITE_CSP_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("connect-src", "'self'"),  # the site's connect_origins are appended
    ("frame-ancestors", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
)

CACHE_NO_CACHE = "no-cache"  # revalidate every time: the entry point and the runtime config must never go stale
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"  # the name changes whenever the content does
CACHE_SHORT = "public, max-age=300"
# A file name segment of 8+ lowercase hex characters with a digit and a letter, e.g. ``app.3f2a9c1b.js``.
# Requiring both keeps words ("deadbeef") and dates ("20240101") out: a false positive would pin a mutable
# file in browsers for a year.
_CONTENT_HASH = re.compile(r"^(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$")
_NAME_SEGMENTS = re.compile(r"[.\-_]")
_CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_KEPT_DOT_DIRS = (".well-known",)  # RFC 8615: security.txt, app links; every other dotfile stays off the site


@cache
def _mime_types() -> mimetypes.MimeTypes:
    """Python's built-in table only: the host's /etc/mime.types must not change what a deployment uploads."""
    return mimetypes.MimeTypes(filenames=())


def content_type(key: str) -> str:
    """The Content-Type for an object key; text types carry ``charset=utf-8``."""
    suffix = PurePosixPath(key).suffix.lower()
    guessed = _CONTENT_TYPES.get(suffix) or _mime_types().guess_type(key, strict=False)[0] or DEFAULT_CONTENT_TYPE
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def has_content_hash(key: str) -> bool:
    """Whether the file name carries a content hash (a hex run of 8+ characters between separators)."""
    return any(_CONTENT_HASH.match(part) for part in _NAME_SEGMENTS.split(PurePosixPath(key).name))


def cache_control(key: str) -> str:
    """``no-cache`` for HTML, a year for content-hashed assets, five minutes for anything else."""
    if PurePosixPath(key).suffix.lower() in (".html", ".htm"):
        return CACHE_NO_CACHE
    return CACHE_IMMUTABLE if has_content_hash(key) else CACHE_SHORT


def site_files(site_dir: Path) -> list[tuple[str, Path]]:
    """Every file under ``site_dir`` as ``(key, path)``, sorted; dotfiles skipped (not ``.well-known``)."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(site_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") or d in _KEPT_DOT_DIRS)
        for file in files:
            if not file.startswith("."):
                path = Path(folder, file)
                found.append((path.relative_to(site_dir).as_posix(), path))
    return sorted(found)


def connect_origin(value: str) -> str:
    """``scheme://host[:port]`` of a URL the app calls (an API URL with a path is reduced to its origin)."""
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if parts is None or parts.scheme not in CONNECT_SCHEMES or not _HOST_PORT.match(parts.netloc):
        raise ValueError(
            f"connect_origins: each must be an {' or '.join(CONNECT_SCHEMES)} URL such as "
            f"https://api.example.com (got {value!r})"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def content_security_policy(origins: Sequence[str] = ()) -> str:
    """The default CSP, with ``origins`` (normalized, deduplicated) added to ``connect-src``."""
    policy = csp_with_connect_sources(dict.fromkeys(connect_origin(o) for o in origins))
    check_csp(policy, "connect_origins")
    return policy


def csp_with_connect_sources(sources: Iterable[str]) -> str:
    """The default CSP with ``sources`` appended to ``connect-src`` as given (the local runtime's are ``http://``)."""
    extra = list(sources)
    return "; ".join(
        f"{directive} {' '.join([value, *extra]) if directive == 'connect-src' else value}"
        for directive, value in SITE_CSP_DIRECTIVES
    )


def check_csp(policy: str, argument: str) -> None:
    if not policy.strip() or any(c in policy for c in "\r\n") or len(policy) > CSP_MAX_LENGTH:
        raise ValueError(
            f"{argument}: the Content-Security-Policy must be one non-empty line of at most {CSP_MAX_LENGTH} "
            f"characters (got {len(policy)} characters)"
        )
