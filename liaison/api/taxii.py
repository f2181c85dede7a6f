"""TAXII 2.1 under /taxii2/: discovery, one API root, collections, objects, manifests, versions, status.

A sub-application, so that its errors are TAXII error messages (`application/taxii+json`)
rather than the rest of the API's problem details. Authentication is the API's: a token as
`Authorization: Bearer`, or as the password of Basic credentials, which TAXII clients send.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from liaison.errors import BadInput, LiaisonError
from liaison.http.auth import ApiKeyRequired, CallerDep, WriterDep
from liaison.http.problems import STATUSES
from liaison.model import Identity
from liaison.services.cyber import taxii
from liaison.settings import Settings
from liaison.store.stix import StixFilter, StoredStix

__all__ = ["TAXII_TYPE", "create_taxii"]

TAXII_TYPE = "application/taxii+json;version=2.1"
STIX_TYPE = "application/stix+json;version=2.1"
ROOT = "liaison"
_ACCEPTABLE = ("application/taxii+json", "application/json", "*/*")


def _reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=TAXII_TYPE, headers=headers)


def _error(status: int, title: str, description: str) -> Response:
    return _reply({"title": title, "description": description, "http_status": str(status)}, status)


def _check_accept(request: Request) -> None:
    accept = request.headers.get("accept")
    if accept and not any(kind in accept for kind in _ACCEPTABLE):
        raise HTTPException(406, f"this server answers {TAXII_TYPE}, not {accept[:80]!r}")


def _reader(request: Request, identity: CallerDep) -> Identity:
    _check_accept(request)
    return identity


def _writer(request: Request, identity: WriterDep) -> Identity:
    _check_accept(request)
    return identity


Reader = Annotated[Identity, Depends(_reader)]
Writer = Annotated[Identity, Depends(_writer)]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _time(name: str, text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{name}: {text[:40]!r} is not a timestamp such as 2026-12-03T10:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _filter(added_after: str | None, ids: str | None, types: str | None, version: str | None) -> StixFilter:
    wanted = _split(version) or ("last",)
    versions: Any
    if wanted in (("last",), ("first",), ("all",)):
        versions = wanted[0]
    elif "all" in wanted:
        versions = "all"
    else:
        versions = tuple(_time("match[version]", text) for text in wanted)
    return StixFilter(
        added_after=_time("added_after", added_after) if added_after else None,
        types=_split(types),
        ids=_split(ids),
        versions=versions,
    )


def _page_headers(rows: list[StoredStix]) -> dict[str, str]:
    if not rows:
        return {}
    added = sorted(row.added_at for row in rows)
    return {
        "X-TAXII-Date-Added-First": taxii.stix_time(added[0]),
        "X-TAXII-Date-Added-Last": taxii.stix_time(added[-1]),
    }


def _collection(item: taxii.Collection) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "description": f"Liaison dataset {item.dataset}",
        "can_read": item.can_read,
        "can_write": item.can_write,
        "media_types": [STIX_TYPE],
    }


@dataclass
class Paging:
    """TAXII's paging parameters, as every list endpoint takes them."""

    added_after: Annotated[str | None, Query(max_length=64)] = None
    limit: Annotated[int, Query(ge=1, le=taxii.MAX_PAGE)] = taxii.DEFAULT_PAGE
    next: Annotated[str | None, Query(max_length=1_000)] = None


@dataclass
class Matching:
    """TAXII's `match[...]` filters of objects and manifests."""

    id: Annotated[str | None, Query(alias="match[id]", max_length=8_000)] = None
    type: Annotated[str | None, Query(alias="match[type]", max_length=8_000)] = None
    version: Annotated[str | None, Query(alias="match[version]", max_length=8_000)] = None
    spec_version: Annotated[str | None, Query(alias="match[spec_version]", max_length=100)] = None


PagingDep = Annotated[Paging, Depends()]
MatchingDep = Annotated[Matching, Depends()]


def create_taxii(settings: Settings) -> FastAPI:
    """The TAXII 2.1 application, to be mounted at /taxii2 with the parent's state copied in."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    async def liaison_error(_request: Request, exc: Exception) -> Response:
        for kind, (status, title) in STATUSES.items():
            if isinstance(exc, kind):
                # TAXII answers a malformed request with 400, not the API's 422.
                return _error(400 if status == 422 else status, title, str(exc))
        return _error(500, "Internal error", "the request failed; it is logged")

    async def http_error(_request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return _error(status, HTTPStatus(status).phrase, str(getattr(exc, "detail", "")))

    async def invalid(_request: Request, exc: Exception) -> Response:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        detail = "; ".join(f"{'.'.join(map(str, error['loc'][1:]))}: {error['msg']}" for error in errors)
        return _error(400, "Bad request", detail or "the request is not valid")

    async def unauthorized(_request: Request, exc: Exception) -> Response:
        response = _error(401, "Unauthorized", str(exc))
        response.headers["WWW-Authenticate"] = 'Basic realm="TAXII"'
        return response

    app.add_exception_handler(LiaisonError, liaison_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(ApiKeyRequired, unauthorized)

    @app.get("/")
    async def discovery(request: Request, _identity: Reader) -> Response:
        base = str(request.base_url).rstrip("/") + request.scope.get("root_path", "")
        return _reply(
            {
                "title": "Liaison TAXII 2.1",
                "description": "Cyber threat intelligence shared through Liaison, within your access.",
                "default": f"{base}/{ROOT}/",
                "api_roots": [f"{base}/{ROOT}/"],
            }
        )

    @app.get(f"/{ROOT}/")
    async def api_root(_identity: Reader) -> Response:
        return _reply(
            {
                "title": "Liaison",
                "description": "Datasets of STIX 2.1 objects, one collection each.",
                "versions": [TAXII_TYPE],
                "max_content_length": settings.max_body_bytes,
            }
        )

    @app.get(f"/{ROOT}/collections/")
    async def collections(request: Request, identity: Reader) -> Response:
        found = await run_in_threadpool(taxii.collections, _engine(request), identity)
        return _reply({"collections": [_collection(item) for item in found]} if found else {})

    @app.get(f"/{ROOT}/collections/{{collection_id}}/")
    async def collection(request: Request, identity: Reader, collection_id: str) -> Response:
        found = await run_in_threadpool(taxii.collection, _engine(request), identity, collection_id)
        return _reply(_collection(found))

    async def _page(
        request: Request,
        identity: Identity,
        collection_id: str,
        wanted: StixFilter,
        paging: Paging,
        action: str,
    ) -> taxii.Page:
        return await run_in_threadpool(
            lambda: taxii.read_page(
                _engine(request),
                identity,
                collection_id,
                wanted,
                limit=paging.limit,
                token=paging.next,
                now=dt.datetime.now(dt.UTC),
                action=action,
            )
        )

    @app.get(f"/{ROOT}/collections/{{collection_id}}/objects/")
    async def objects(
        request: Request, identity: Reader, collection_id: str, paging: PagingDep, matching: MatchingDep
    ) -> Response:
        wanted = _filter(paging.added_after, matching.id, matching.type, matching.version)
        if matching.spec_version and "2.1" not in _split(matching.spec_version):
            return _reply({"more": False, "objects": []})
        page = await _page(request, identity, collection_id, wanted, paging, "taxii.objects")
        return _reply(
            _envelope(page, [orjson.Fragment(row.document) for row in page.objects]),
            headers=_page_headers(page.objects),
        )

    @app.get(f"/{ROOT}/collections/{{collection_id}}/manifest/")
    async def manifest(
        request: Request, identity: Reader, collection_id: str, paging: PagingDep, matching: MatchingDep
    ) -> Response:
        wanted = _filter(paging.added_after, matching.id, matching.type, matching.version)
        page = await _page(request, identity, collection_id, wanted, paging, "taxii.manifest")
        records = [
            {
                "id": row.id,
                "date_added": taxii.stix_time(row.added_at),
                "version": taxii.stix_time(row.version),
                "media_type": STIX_TYPE,
            }
            for row in page.objects
        ]
        return _reply(_envelope(page, records), headers=_page_headers(page.objects))

    @app.get(f"/{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
    async def one_object(
        request: Request,
        identity: Reader,
        collection_id: str,
        object_id: str,
        paging: PagingDep,
        match_version: Annotated[str | None, Query(alias="match[version]", max_length=8_000)] = None,
    ) -> Response:
        wanted = _filter(paging.added_after, object_id, None, match_version)
        page = await _page(request, identity, collection_id, wanted, paging, "taxii.objects")
        if not page.objects and paging.next is None:
            raise HTTPException(404, f"no object {object_id[:100]!r} you may read in this collection")
        return _reply(
            _envelope(page, [orjson.Fragment(row.document) for row in page.objects]),
            headers=_page_headers(page.objects),
        )

    @app.get(f"/{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/")
    async def versions(
        request: Request, identity: Reader, collection_id: str, object_id: str, paging: PagingDep
    ) -> Response:
        wanted = _filter(paging.added_after, object_id, None, "all")
        page = await _page(request, identity, collection_id, wanted, paging, "taxii.versions")
        if not page.objects and paging.next is None:
            raise HTTPException(404, f"no object {object_id[:100]!r} you may read in this collection")
        body: dict[str, Any] = {
            "more": page.more,
            "versions": [taxii.stix_time(row.version) for row in page.objects],
        }
        if page.next:
            body["next"] = page.next
        return _reply(body, headers=_page_headers(page.objects))

    @app.post(f"/{ROOT}/collections/{{collection_id}}/objects/")
    async def add(request: Request, identity: Writer, collection_id: str) -> Response:
        if "application/taxii+json" not in request.headers.get("content-type", ""):
            raise HTTPException(415, f"send the envelope as {TAXII_TYPE}")
        try:
            envelope = orjson.loads(await request.body())
        except orjson.JSONDecodeError as exc:
            raise BadInput(f"the body is not JSON: {exc}") from None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
            raise BadInput("the body is not a TAXII envelope (a JSON object with a list of objects)")
        now = dt.datetime.now(dt.UTC)
        review = now.date().replace(year=now.year + settings.retention_years)
        status = await run_in_threadpool(
            lambda: taxii.add_objects(
                _engine(request),
                identity,
                collection_id,
                envelope["objects"],
                retention_review=review,
                now=now,
            )
        )
        return _reply(status, 202)

    @app.get(f"/{ROOT}/status/{{status_id}}/")
    async def get_status(request: Request, identity: Reader, status_id: str) -> Response:
        return _reply(await run_in_threadpool(taxii.status, _engine(request), identity, status_id))

    return app


def _envelope(page: taxii.Page, items: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"more": page.more}
    if page.next:
        body["next"] = page.next
    if items:
        body["objects"] = items
    return body
