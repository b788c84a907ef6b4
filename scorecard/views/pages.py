"""Public pages and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from frameworks.citations import instruments_cited
from frameworks.models import FrameworkVersion, Source


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name only exists after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def about(request: HttpRequest) -> HttpResponse:
    version = FrameworkVersion.objects.current()
    context = {
        "version": version,
        "instruments": instruments_cited(version) if version else [],
        "sources": list(Source.objects.filter(version=version)) if version else [],
    }
    return render(request, "about.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
