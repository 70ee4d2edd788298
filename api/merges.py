"""API v1 for merging two records of one person (people.merging.person_merge, the service the page calls) and
reading the merges shown on the kept record. For the coordinator of the person's network."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from core.scope import scope_for
from people.access import get_person_for
from people.merging import person_merge
from people.models import Person, PersonMerge


class PersonMergeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")
    moved = serializers.DictField(child=serializers.IntegerField(), help_text="How many rows moved, by kind.")

    class Meta:
        model = PersonMerge
        fields = ["kept", "merged", "merged_label", "at", "actor", "reason", "moved"]


class PersonMergeInSerializer(serializers.Serializer):
    merged = serializers.UUIDField(help_text="The duplicate record, merged into the one in the path.")
    reason = serializers.CharField(max_length=500)


def _coordinated(request: Request, pk: object) -> Person:
    person = get_person_for(request.user, pk).person
    if not scope_for(request.user).coordinates(person.network_id):
        raise PermissionDenied
    return person


class PersonMergesView(APIView):
    @extend_schema(
        summary="Records merged into this person's record (the network's coordinator)",
        parameters=[_path_id("The kept person's id.")],
        responses={200: PersonMergeSerializer(many=True), **_errors(403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        person = _coordinated(request, pk)
        return Response(PersonMergeSerializer(person.merges.select_related("actor"), many=True).data)

    @extend_schema(
        summary="Merge a duplicate record into this one (the network's coordinator)",
        description=(
            "Consents, cases, referrals, assessments, activities, groups and placement candidacies move to the kept "
            "record; the merged record's access log stays as written and is read with the kept one's; grants are "
            "recomputed. 409 `both_open_cases`, `both_in_group`, `already_merged` or `anonymised` when the two cannot "
            "be one record as they stand."
        ),
        parameters=[_path_id("The kept person's id.")],
        request=PersonMergeInSerializer,
        responses={201: PersonMergeSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(person_merge)
    def post(self, request: Request, pk: str) -> Response:
        kept = _coordinated(request, pk)
        serializer = PersonMergeInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        merged = _coordinated(request, serializer.validated_data["merged"])
        merge = person_merge(
            actor=actor(request), kept=kept, merged=merged, reason=serializer.validated_data["reason"], channel="api"
        )
        return Response(PersonMergeSerializer(merge).data, status=201)
