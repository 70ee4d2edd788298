"""The job queue in the admin (docs/deploy.md, "Workers"): procrastinate's job list, with a filter for the jobs
that are failed or stalled (running on a worker that stopped beating) and its "Retry Job" action for both, and the
list of workers with their last heartbeat. Read-only otherwise: jobs change only through procrastinate."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob, ProcrastinateWorker


def _stalled_since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALLED_AFTER_SECONDS)


def stalled(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Running, on a worker that is gone or silent past the stalled timeout."""
    since = _stalled_since()
    return queryset.filter(status="doing").filter(Q(worker__isnull=True) | Q(worker__last_heartbeat__lt=since))


class TroubleFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "trouble"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("failed", _("failed")), ("stalled", _("stalled")), ("any", _("failed or stalled"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "failed":
            return queryset.filter(status="failed")
        if self.value() == "stalled":
            return stalled(queryset)
        if self.value() == "any":
            return queryset.filter(Q(status="failed") | Q(pk__in=stalled(ProcrastinateJob.objects.all()).values("pk")))
        return queryset


class JobAdmin(ProcrastinateJobAdmin):
    list_filter = [TroubleFilter, *ProcrastinateJobAdmin.list_filter]


admin.site.unregister(ProcrastinateJob)
admin.site.register(ProcrastinateJob, JobAdmin)


@admin.register(ProcrastinateWorker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["id", "last_heartbeat", "alive"]
    ordering = ["-last_heartbeat"]

    @admin.display(boolean=True, description=_("beating"))
    def alive(self, worker: ProcrastinateWorker) -> bool:
        return worker.last_heartbeat >= _stalled_since()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
