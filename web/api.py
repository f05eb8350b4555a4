"""The integration API's routes (business systems: the 一窗受理 platform, the provincial 好差评
platform): its shell so far — the health check and the OpenAPI schema. JSON only, no cookies, no
CSRF (callers will use API keys); every route lives under /api/v1/."""
from __future__ import annotations

from fastapi import APIRouter, Request

OPENAPI_URL = "/api/v1/openapi.json"
router = APIRouter(prefix="/api/v1")


def feeds(site) -> dict:
    return {}


@router.get("/health")
async def health(request: Request) -> dict:
    site = request.app.state.site
    commands = site.link.admin
    return {"listener": "api", "broker": bool(commands and commands.client.connected.is_set()),
            "controller": site.link.online, "hall": site.mirror.ready}
